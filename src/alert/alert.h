/*
 * alert.h - the domain rules of mass alerts: the personal check-in link of each recipient, the
 * text each recipient receives on each channel, the SMS length rules, the words a citizen may
 * answer by SMS, what an answer does to the person's welfare status, and when an unanswered
 * alert escalates.
 *
 * Check-in tokens. A recipient's token is the keyed BLAKE2b hash (the server's index key, tag
 * "checkin") of "alert:person", written as 43 characters of base64url: 256 bits that nobody
 * without the server's key can compute or guess. The database keeps only the unkeyed hash of the
 * token (secret_token_hash), as for every other token; the outbox re-derives the token from the
 * key when it sends, so no usable link is ever stored.
 *
 * Every function here is pure (no I/O, no global state) and thread-safe.
 */
#ifndef BAOHO_ALERT_H
#define BAOHO_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "domain/model.h"
#include "domain/secret.h"
#include "util/buf.h"

/* Limits of an alert, named once. */
#define ALERT_SUBJECT_MAX 200        /* bytes of a subject, per language */
#define ALERT_BODY_MAX 4000          /* bytes of a body, per language */
#define ALERT_SMS_MAX 900            /* bytes of an SMS text given by the author */
#define ALERT_SMS_PARTS_MAX 6        /* SMS parts one message may cost, link included */
#define ALERT_RESEND_MAX_MINUTES 10080 /* a week */
#define ALERT_TOKEN_LEN SECRET_TOKEN_LEN
#define ALERT_LINK_MAX 512           /* bytes of {public_url}/c/{token} */
#define ALERT_CHECKIN_TEXT_MAX 500   /* bytes of a citizen's message or location */

/* Escalation stages of an alert (alerts.stage). */
enum alert_stage {
  ALERT_STAGE_SENT = 0,     /* first round queued */
  ALERT_STAGE_RESENT = 1,   /* non-responders were sent the alert again */
  ALERT_STAGE_CALLS = 2,    /* non-responders are listed for phone calls */
};

/* Derives the check-in token of (alert_id, person_id) into out (ALERT_TOKEN_LEN chars + NUL). */
void alert_token(const secret_t *keys, int64_t alert_id, int64_t person_id,
                 char out[ALERT_TOKEN_LEN + 1] /* OUT */);
/* The stored hash of that token (secret_token_hash of it). */
void alert_token_hash(const secret_t *keys, int64_t alert_id, int64_t person_id,
                      unsigned char out[SECRET_TOKEN_HASH_BYTES] /* OUT */);
/* 1 if s has the shape of a token (43 base64url characters), else 0. */
int alert_token_well_formed(const char *s);

/*
 * The language a recipient is written to: "en" when preferred is "en", else "vi" (the default,
 * also for NULL or anything unknown). The result is a static string, safe to keep.
 *
 * Per recipient: the SMS is in that language only (a UCS-2 part holds 70 characters, so a second
 * language would double its cost); the email carries both, that language first (subject and
 * body), the other below, so that a family member or a forwarded copy can still read it.
 */
const char *alert_lang(const char *preferred);

/* Writes "{public_url}/c/{token}" into out (cap bytes). BH_ERR_TOO_LARGE if it does not fit. */
int alert_link(const char *public_url, const char *token, char *out /* OUT */, size_t cap);

/*
 * Appends the SMS text of alert a with link to out: the author's SMS text in the recipient's
 * language (lang "vi" or "en") or, when none was given, the unaccented subject (one GSM-7
 * character per letter instead of a UCS-2 unit), then the link, then, when the alert asks for a
 * check-in, how to answer by SMS. BH_OK, or BH_ERR_INVALID / BH_ERR_TOO_LARGE / BH_ERR_NOMEM.
 */
int alert_sms_text(const alert_t *a, const char *lang, const char *link, buf_t *out /* OUT */);
/* Appends the email body in one language (lang "vi" or "en") with the link and its invitation. */
int alert_email_body(const alert_t *a, const char *lang, const char *link, buf_t *out /* OUT */);
/*
 * Appends the email subject of a recipient reading lang: the subject in that language, " / ",
 * then the other ("vi" or NULL: Vietnamese first; "en": English first).
 */
int alert_email_subject(const alert_t *a, const char *lang, buf_t *out /* OUT */);

/* What a preview shows about the SMS of an alert: parts and encoding of the longest text. */
typedef struct alert_sms_info {
  size_t parts;
  const char *encoding; /* "gsm7" or "ucs2" */
  size_t units;
} alert_sms_info_t;

/*
 * Measures the SMS of alert a in lang with a link of the longest shape public_url gives.
 * BH_ERR_TOO_LARGE when it costs more than ALERT_SMS_PARTS_MAX parts.
 */
int alert_sms_measure(const alert_t *a, const char *lang, const char *public_url,
                      alert_sms_info_t *info /* OUT */);

/*
 * Reads the answer in an inbound SMS text: "AN TOAN", "AN TOÀN", "SAFE" -> "safe"; "CAN GIUP",
 * "CẦN GIÚP", "HELP" -> "need_help"; "KHONG O DAY", "NOT HERE", "LEFT" -> "not_in_area". Case,
 * diacritics, spaces and punctuation around the keyword do not matter; the keyword must start
 * the text and may be followed by a message. Returns the answer (one of model_checkin_answers)
 * or NULL when the text starts with none of the keywords (or is not valid UTF-8).
 */
const char *alert_sms_answer(const char *text);

/* The welfare status an answer sets: safe, needs_assistance, left_area; NULL for others. */
const char *alert_answer_status(const char *answer);

#endif
