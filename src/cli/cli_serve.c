/* cli_serve.c - `baoho serve`: the HTTP server, until SIGINT or SIGTERM. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "cli/cli.h"
#include "delivery/outbox.h"
#include "http/http.h"
#include "util/clock.h"
#include "util/err.h"
#include "util/log.h"

#define SERVE_DEFAULT_LISTEN "127.0.0.1:8080"
#define SERVE_MAX_THREADS 64

static const char serve_usage[] =
    "usage: baoho serve [options]\n"
    "Runs the baoho HTTP server until interrupted.\n\n"
    "  --db PATH|URL       SQLite database file (default $BAOHO_DB, else baoho.db; created when\n"
    "                      absent), or a postgresql:// URL (libpq; multi-host URLs work)\n"
    "  --key-file PATH     key file (default PATH.key, or baoho.key for PostgreSQL; created with\n"
    "                      mode 0600 when absent)\n"
    "  --listen ADDR:PORT  address to listen on (default 127.0.0.1:8080; port 0 picks a free one)\n"
    "  --threads N         worker threads (default: 2 x CPU cores)\n"
    "  --demo              load the demo scenario first when the database is empty\n"
    "  --public-url URL    base of links given to citizens (env BAOHO_PUBLIC_URL)\n"
    "  --trusted-proxy IP  take the client address from X-Forwarded-For when the peer is IP\n"
    "                      (env BAOHO_TRUSTED_PROXY; the load balancer's address)\n"
    "  --smtp-url URL      SMTP relay of alert emails, e.g. smtp://127.0.0.1:2525 (env\n"
    "                      BAOHO_SMTP_URL); without it email is not sent and alerts say so\n"
    "  --mail-from ADDR    From address of alert emails (env BAOHO_MAIL_FROM)\n"
    "  --sms-url URL       SMS gateway (env BAOHO_SMS_URL); without it SMS is not sent\n"
    "  --sms-secret S      secret shared with the SMS gateway, both ways (env BAOHO_SMS_SECRET)\n"
    "  --sync full|normal  durability of commits (default full)\n"
    "  --port-file PATH    write the bound port to PATH once listening (for tests)\n"
    "  -h, --help          show this help\n";

static int parse_listen(const char *s, char *addr, size_t cap, uint16_t *port) {
  const char *colon = strrchr(s, ':');
  if (colon == NULL || (size_t)(colon - s) >= cap) return -1;
  char *end = NULL;
  long p = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end != '\0' || p < 0 || p > 65535) return -1;
  memcpy(addr, s, (size_t)(colon - s));
  addr[colon - s] = '\0';
  *port = (uint16_t)p;
  return 0;
}

int cli_serve(int argc, char **argv) {
  static const struct option opts[] = {
      {"db", required_argument, NULL, 'd'},      {"key-file", required_argument, NULL, 'k'},
      {"listen", required_argument, NULL, 'l'},  {"threads", required_argument, NULL, 't'},
      {"demo", no_argument, NULL, 'D'},          {"public-url", required_argument, NULL, 'u'},
      {"sync", required_argument, NULL, 's'},    {"port-file", required_argument, NULL, 'p'},
      {"smtp-url", required_argument, NULL, 'S'}, {"mail-from", required_argument, NULL, 'F'},
      {"sms-url", required_argument, NULL, 'M'}, {"sms-secret", required_argument, NULL, 'K'},
      {"trusted-proxy", required_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
  const char *trusted_proxy = getenv("BAOHO_TRUSTED_PROXY");
  const char *db = CLI_DEFAULT_DB, *key = NULL, *listen = SERVE_DEFAULT_LISTEN;
  const char *public_url = getenv("BAOHO_PUBLIC_URL"), *port_file = NULL;
  outbox_config_t delivery = {.smtp_url = getenv("BAOHO_SMTP_URL"),
                              .mail_from = getenv("BAOHO_MAIL_FROM"),
                              .sms_url = getenv("BAOHO_SMS_URL"),
                              .sms_secret = getenv("BAOHO_SMS_SECRET")};
  long threads = 2 * sysconf(_SC_NPROCESSORS_ONLN);
  int demo = 0;
  enum store_sync sync = STORE_SYNC_FULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 'k': key = optarg; break;
      case 'l': listen = optarg; break;
      case 't': {
        char *end = NULL;
        threads = strtol(optarg, &end, 10);
        if (end == optarg || *end != '\0' || threads < 1 || threads > SERVE_MAX_THREADS) {
          fprintf(stderr, "baoho serve: --threads must be 1 to %d\n", SERVE_MAX_THREADS);
          return CLI_EXIT_USAGE;
        }
        break;
      }
      case 'D': demo = 1; break;
      case 'u': public_url = optarg; break;
      case 'P': trusted_proxy = optarg; break;
      case 'p': port_file = optarg; break;
      case 'S': delivery.smtp_url = optarg; break;
      case 'F': delivery.mail_from = optarg; break;
      case 'M': delivery.sms_url = optarg; break;
      case 'K': delivery.sms_secret = optarg; break;
      case 's':
        if (strcmp(optarg, "full") == 0) {
          sync = STORE_SYNC_FULL;
        } else if (strcmp(optarg, "normal") == 0) {
          sync = STORE_SYNC_NORMAL;
        } else {
          fprintf(stderr, "baoho serve: --sync must be full or normal\n");
          return CLI_EXIT_USAGE;
        }
        break;
      case 'h': fputs(serve_usage, stdout); return CLI_EXIT_OK;
      default: fputs(serve_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "baoho serve: unexpected argument '%s'\n%s", argv[optind], serve_usage);
    return CLI_EXIT_USAGE;
  }
  if (threads < 1) threads = 2;
  if (http_set_trusted_proxy(trusted_proxy) != BH_OK) {
    fprintf(stderr, "baoho serve: --trusted-proxy must be an IP address such as 127.0.0.1\n");
    return CLI_EXIT_USAGE;
  }
  char addr[64];
  uint16_t port;
  if (parse_listen(listen, addr, sizeof(addr), &port) != 0) {
    fprintf(stderr, "baoho serve: --listen must look like 127.0.0.1:8080\n");
    return CLI_EXIT_USAGE;
  }
  int64_t t0 = clock_mono_us();
  app_t app = {0};
  int rc = cli_open_store(db, key, sync, &app.keys, &app.store);
  if (rc != CLI_EXIT_OK) return rc;
  if (demo && demo_load(app.store, &app.keys, 0) != BH_OK) {
    store_close(app.store);
    return CLI_EXIT_FAIL;
  }
  char url[128];
  snprintf(url, sizeof(url), "http://%s:%u", addr, (unsigned)port);
  app.public_url = public_url ? public_url : url;
  if (delivery.smtp_url != NULL && delivery.smtp_url[0] == '\0') delivery.smtp_url = NULL;
  if (delivery.sms_url != NULL && delivery.sms_url[0] == '\0') delivery.sms_url = NULL;
  if (delivery.sms_secret != NULL && delivery.sms_secret[0] == '\0') delivery.sms_secret = NULL;
  if (delivery.sms_url != NULL && delivery.sms_secret == NULL) {
    fprintf(stderr, "baoho serve: --sms-url needs --sms-secret (or BAOHO_SMS_SECRET)\n");
    store_close(app.store);
    return CLI_EXIT_USAGE;
  }
  delivery.public_url = app.public_url;
  app.delivery = &delivery;
  /*
   * SIGINT and SIGTERM are blocked in every thread (the workers inherit the mask) and taken by
   * sigwait below: a handler could run on a worker and leave the main thread in pause().
   */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  if (api_init(&app) != BH_OK || store_writer_start(app.store, &app.writer) != BH_OK) {
    store_close(app.store);
    return CLI_EXIT_FAIL;
  }
  rc = outbox_start(app.store, &app.keys, &delivery, &app.outbox);
  if (rc != BH_OK) {
    /* The secret is never printed; only which setting was refused. */
    fprintf(stderr, "baoho serve: the delivery settings were refused (%s): check --smtp-url, "
                    "--mail-from, --sms-url and the length of --sms-secret (at least 16 bytes)\n",
            bh_err_str(rc));
    store_writer_stop(app.writer);
    api_fini(&app);
    store_close(app.store);
    return CLI_EXIT_USAGE;
  }
  log_info("msg=\"delivery\" email=%s sms=%s", delivery.smtp_url ? "configured" : "not_configured",
           delivery.sms_url ? "configured" : "not_configured");
  http_server_t *srv = NULL;
  if (http_start(addr, port, (unsigned)threads, api_dispatch, api_cleanup, &app, &srv) != BH_OK) {
    outbox_stop(app.outbox);
    store_writer_stop(app.writer);
    api_fini(&app);
    store_close(app.store);
    return CLI_EXIT_FAIL;
  }
  signal(SIGPIPE, SIG_IGN);
  uint16_t bound = http_port(srv);
  /* Links name the port actually bound when no public URL was given (--listen with port 0). */
  if (public_url == NULL) snprintf(url, sizeof(url), "http://%s:%u", addr, (unsigned)bound);
  log_info("msg=\"listening\" addr=%s port=%u threads=%ld startup_ms=%.1f", addr, (unsigned)bound,
           threads, (double)(clock_mono_us() - t0) / 1000.0);
  if (port_file != NULL) {
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
    FILE *f = fopen(tmp, "w");
    if (f != NULL) {
      fprintf(f, "%u\n", (unsigned)bound);
      fclose(f);
      rename(tmp, port_file);
    }
  }
  printf("baoho is listening on http://%s:%u\n", addr, (unsigned)bound);
  fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  log_info("msg=\"stopping\"");
  http_stop(srv);
  outbox_stop(app.outbox);
  store_writer_stop(app.writer);
  api_fini(&app);
  store_close(app.store);
  return CLI_EXIT_OK;
}
