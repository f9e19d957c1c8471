/*
 * outbox.h - the worker threads that deliver the messages of mass alerts from the durable
 * outbox (store_alert.h), and the escalation of unanswered alerts.
 *
 * Each email worker and each SMS worker owns one sender (one SMTP connection, one keep-alive
 * HTTP connection to the gateway) and one database connection. It claims a batch of due
 * messages (the claim is committed before anything is sent), renders each message for its
 * recipient (alert.h: the personal check-in link is derived again from the server's key), sends
 * it, and commits the results of the batch together: sent; queued again at the time backoff_next
 * gives after a temporary failure; failed after a permanent failure or the last attempt.
 *
 * The guarantee. A message is sent again only if the process stopped (crash, kill, power loss)
 * after the relay or the gateway accepted it and before the batch's results were committed: at
 * most one batch per worker (OUTBOX_BATCH messages). Such a copy is recognisable: the
 * Message-ID is <baoho-ID@DOMAIN> and the SMS reference baoho-ID, ID being the outbox row, the
 * same on every attempt, so that a gateway or a mail client can drop the duplicate. In every other
 * case (clean stop, crash before the send, crash after the commit) each message is sent once.
 * Nothing is lost: a row claimed by a process that died is claimed again at start-up (the
 * process is the only sender of its database) or once its lease (OUTBOX_LEASE_S) ran out.
 *
 * A channel without configuration (no --smtp-url, no --sms-url) has no worker, and its messages
 * are stored as "not_configured" when the alert is created, so the alert's figures show them.
 */
#ifndef BAOHO_OUTBOX_H
#define BAOHO_OUTBOX_H

#include "domain/secret.h"
#include "store/store.h"

/* Limits of the outbox, named once. */
#define OUTBOX_BATCH 64           /* messages one worker claims at once */
#define OUTBOX_LEASE_S 120        /* how long a claim stays exclusive */
#define OUTBOX_POLL_MS 1000       /* how often an idle worker looks for due messages */
#define OUTBOX_EMAIL_WORKERS 2
#define OUTBOX_SMS_WORKERS 2
/*
 * The length of a minute of escalation (resend_after_minutes), in seconds. Tests shorten it with
 * the environment variable OUTBOX_MINUTE_ENV (1 to 60), read once when the outbox starts; it is
 * not a setting for production.
 */
#define OUTBOX_MINUTE_S 60
#define OUTBOX_MINUTE_ENV "BAOHO_TEST_ESCALATION_MINUTE_S"

/* Delivery settings (baoho serve's flags); strings are borrowed for the outbox's lifetime. */
typedef struct outbox_config {
  const char *public_url; /* base of the check-in links */
  const char *smtp_url;   /* NULL: email is not configured */
  const char *mail_from;  /* From address of alert emails */
  const char *sms_url;    /* NULL: SMS is not configured */
  const char *sms_secret; /* shared secret of the gateway (never logged) */
} outbox_config_t;

typedef struct outbox outbox_t;

/*
 * Starts the workers of the configured channels and the escalation thread on store. Makes the
 * messages left "sending" by a previous process due at once. Calls curl_global_init, so it must
 * run before other threads use libcurl. Returns BH_OK, BH_ERR_INVALID for a bad URL or secret,
 * BH_ERR_NOMEM.
 */
int outbox_start(store_t *store, const secret_t *keys, const outbox_config_t *cfg,
                 outbox_t **out /* OUT */);
/* Asks the workers to look for due messages now (after an alert was queued). Thread-safe. */
void outbox_wake(outbox_t *o);
/* Lets every worker finish its batch (results committed), stops them and frees o. Accepts NULL. */
void outbox_stop(outbox_t *o);

#endif
