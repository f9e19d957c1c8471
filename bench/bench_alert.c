/*
 * bench_alert.c - how long creating a mass alert takes: rendering and storing every recipient's
 * messages (one outbox row per recipient and channel, with the hash of their check-in token) in
 * one durable transaction, before anything is sent.
 *
 *   bench_alert DB N [TOKENS]
 *       builds (once) a registry of N persons present in Lebanon, each with an email address and
 *       a phone (one in five reading English, the others Vietnamese), declares a crisis there, and times the alert to all of them on both channels
 *       (synchronous=FULL), as the API does it. The keys are DB.key, the file `baoho serve --db
 *       DB` uses, so with TOKENS the check-in path of every recipient ("/c/TOKEN", one a line)
 *       is written there for bench/checkin.lua against that server.
 *
 * It prints the registry load time, the alert time, and recipients per second. Everything runs
 * through the storage interface, the crisis audience query and the alert domain rules, the same
 * calls as POST /api/v1/crises/{id}/alerts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "store/store.h"
#include "store/store_alert.h"
#include "util/clock.h"
#include "util/err.h"

struct bench_ctx {
  store_conn_t *c;
  const secret_t *keys;
  int64_t alert_id;
  int64_t now;
  int64_t n, english;
  int rc;
  char phone[32];
};

static int bench_member(void *vctx, const store_audience_member_t *m) {
  struct bench_ctx *x = vctx;
  alert_recipient_in_t in = {.person_id = m->person_id,
                             .lang = alert_lang(m->preferred_language),
                             .email = json_string_value(json_array_get(m->emails, 0)),
                             .phone = json_string_value(json_array_get(m->phones, 0))};
  alert_token_hash(x->keys, x->alert_id, m->person_id, in.token_hash);
  x->rc = store_alert_add_recipient(x->c, x->alert_id, &in, 1, 1, x->now);
  x->n++;
  x->english += strcmp(in.lang, "en") == 0;
  return x->rc != BH_OK;
}

struct bench_tokens {
  FILE *out;
  const secret_t *keys;
  int64_t alert_id;
};

static int bench_token(void *vctx, const store_audience_member_t *m) {
  struct bench_tokens *t = vctx;
  char token[ALERT_TOKEN_LEN + 1];
  alert_token(t->keys, t->alert_id, m->person_id, token);
  fprintf(t->out, "/c/%s\n", token);
  return 0;
}

static int bench_count(void *vctx, const store_audience_member_t *m) {
  (void)m;
  (*(int64_t *)vctx)++;
  return 0;
}

static int bench_registry(store_conn_t *c, const secret_t *keys, long n) {
  int initial = 0;
  int rc = store_import_begin(c, &initial);
  arena_t *a = arena_new(64 * 1024 * 1024);
  for (long i = 0; i < n && rc == BH_OK; i++) {
    if (i % 10000 == 0) arena_reset(a);
    person_t p = {.full_name = arena_printf(a, "Nguyễn Văn Bench %ld", i), .sex = "M",
                  .source = "import", .status = "unknown",
                  .preferred_language = i % 5 == 4 ? "en" : "vi"};
    p.emails = json_pack("[s]", arena_printf(a, "bench%ld@example.org", i));
    p.phones = json_pack("[s]", arena_printf(a, "+9613%07ld", i));
    unsigned char key[SECRET_INDEX_BYTES];
    secret_index(keys, "bench", arena_printf(a, "%ld", i), key);
    p.import_key = (const char *)arena_alloc(a, sizeof(key));
    memcpy((void *)p.import_key, key, sizeof(key));
    presence_t pr = {.region = "Beirut", .category = "worker"};
    memcpy(pr.country, "LB", 3);
    store_import_row_t row;
    rc = store_import_prepare(keys, &p, &pr, a, &row);
    if (rc == BH_OK) rc = store_import_add(c, &row);
    if (rc == BH_OK && i % 50000 == 49999) rc = store_import_batch(c);
    person_clear(&p);
  }
  int end = store_import_end(c, rc == BH_OK);
  arena_free(a);
  return rc == BH_OK ? end : rc;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: bench_alert DB N [TOKENS]\n");
    return 2;
  }
  long n = strtol(argv[2], NULL, 10);
  secret_t keys;
  char key_path[4096];
  /* A PostgreSQL URL has no file beside it: its key is ./bench_alert.key. */
  int pg = strncmp(argv[1], "postgres", 8) == 0;
  snprintf(key_path, sizeof(key_path), "%s.key", pg ? "bench_alert" : argv[1]);
  if (secret_init() != BH_OK || secret_load(key_path, &keys) != BH_OK) return 1;
  store_t *s = NULL;
  if (store_open(argv[1], &keys, STORE_SYNC_FULL, &s) != BH_OK) return 1;
  store_conn_t *c = store_conn(s);
  int64_t t0 = clock_mono_us();
  arena_t *a = arena_new(1 << 20);
  int rc = BH_OK;
  crisis_t k = {.name = "Bench crisis", .kind = "unrest", .countries = json_pack("[s]", "LB"),
                .regions = json_array()};
  /* The registry is built once: a second run on the same file reuses it. */
  person_filter_t f = {.country = "LB"};
  person_t *found = NULL;
  size_t nfound = 0;
  store_page_t one = {.after = 0, .limit = 1};
  if (store_person_search(c, &STORE_SCOPE_ALL, &f, &one, a, &found, &nfound) == BH_OK &&
      nfound == 0) {
    rc = bench_registry(c, &keys, n);
    printf("registry: %ld persons loaded in %.1f s\n", n, (clock_mono_us() - t0) / 1e6);
  }
  for (size_t i = 0; i < nfound; i++) person_clear(&found[i]);
  if (rc == BH_OK) rc = store_crisis_create(c, &k);
  if (rc != BH_OK) {
    fprintf(stderr, "bench_alert: setup failed: %s\n", bh_err_str(rc));
    return 1;
  }
  alert_t al = {.crisis_id = k.id, .status = "sending", .subject_vi = "Cảnh báo",
                .subject_en = "Alert", .body_vi = "Xin ở trong nhà.", .body_en = "Stay indoors.",
                .channels = json_pack("[s, s]", "email", "sms"), .ask_checkin = 1,
                .created_at = clock_now()};
  alert_extra_t x = {0};
  int64_t counted = 0, tq = clock_mono_us();
  store_crisis_audience_each(c, &STORE_SCOPE_ALL, k.id, NULL, NULL, bench_count, &counted);
  printf("audience query alone: %lld persons in %.2f s\n", (long long)counted,
         (clock_mono_us() - tq) / 1e6);
  struct bench_ctx bx = {.c = c, .keys = &keys, .now = al.created_at};
  int64_t t1 = clock_mono_us();
  store_alert_big(c, 1);
  rc = store_begin_write(c);
  if (rc == BH_OK) rc = store_alert_create(c, &al, &x);
  bx.alert_id = al.id;
  if (rc == BH_OK) {
    rc = store_crisis_audience_each(c, &STORE_SCOPE_ALL, k.id, NULL, NULL, bench_member, &bx);
  }
  if (rc == BH_OK) rc = bx.rc;
  if (rc == BH_OK) rc = store_alert_set_recipients(c, al.id, bx.n, bx.english, al.created_at);
  if (rc == BH_OK) rc = store_commit(c);
  store_alert_big(c, 0);
  double secs = (clock_mono_us() - t1) / 1e6;
  if (rc != BH_OK) {
    fprintf(stderr, "bench_alert: alert failed: %s\n", bh_err_str(rc));
    return 1;
  }
  printf("alert: %lld recipients, %lld outbox rows, stored durably in %.2f s (%.0f recipients/s)\n",
         (long long)bx.n, (long long)bx.n * 2, secs, bx.n / secs);
  alert_figures_t fig;
  int64_t t2 = clock_mono_us();
  store_alert_figures(c, al.id, &fig);
  printf("figures of the alert read in %.2f s (queued email %lld, sms %lld)\n",
         (clock_mono_us() - t2) / 1e6, (long long)fig.messages[0][0],
         (long long)fig.messages[1][0]);
  if (argc == 4) {
    struct bench_tokens t = {.out = fopen(argv[3], "w"), .keys = &keys, .alert_id = al.id};
    if (t.out == NULL) return 1;
    store_crisis_audience_each(c, &STORE_SCOPE_ALL, k.id, NULL, NULL, bench_token, &t);
    fclose(t.out);
  }
  crisis_clear(&k);
  alert_clear(&al);
  arena_free(a);
  store_close(s);
  return 0;
}
