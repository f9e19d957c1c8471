/*
 * cli_data.c - `baoho user add`, `baoho token create`, `baoho import persons`,
 * `baoho export persons` and `baoho gen persons`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/spec.h"
#include "cli/cli.h"
#include "gen/gen.h"
#include "registry/import.h"
#include "util/clock.h"
#include "util/err.h"

static const char user_usage[] =
    "usage: baoho user add --email EMAIL --name NAME --role ROLE [--mission NAME] [--db PATH]\n"
    "Adds an officer. The password is read from standard input (first line, at least 10\n"
    "characters). ROLE is admin, hq, officer or viewer; officers need --mission (its name).\n";

static const char token_usage[] =
    "usage: baoho token create --email EMAIL [--name LABEL] [--db PATH]\n"
    "Creates an API token for the user and prints it once. Send it as\n"
    "'Authorization: Bearer TOKEN'.\n";

static const char import_usage[] =
    "usage: baoho import persons FILE.csv [--map 'Header=column,...'] [--rejects FILE]\n"
    "                            [--source NAME] [--db PATH]\n"
    "Imports persons (one presence each) from CSV. Columns are matched by header:\n"
    "external_id, full_name, other_names, sex, date_of_birth, national_id, passport, phones,\n"
    "emails, home_province, flags, country, region, city, address, category, organisation,\n"
    "from, until, status, preferred_language (vi or en, default vi; lists inside a cell are\n"
    "separated by ';'). Good rows are kept, bad rows go with their reason to the rejects file\n"
    "(default FILE.rejects.csv). Running the same file again adds nothing twice.\n";

static const char export_usage[] =
    "usage: baoho export persons [--out FILE] [--db PATH]\n"
    "Writes every person as CSV (UTF-8 with BOM, so spreadsheets show Vietnamese text).\n";

static const char gen_usage[] =
    "usage: baoho gen persons N [--seed S]\n"
    "       baoho gen list N --registry M [--seed S] [--truth FILE]\n"
    "persons: writes N synthetic persons (never real people) as import CSV to standard output.\n"
    "list: writes N rows of a foreign authority's list as baoho match reads it (id, full_name,\n"
    "date_of_birth, age, sex, id_number, province): noisy copies of persons of the registry that\n"
    "`gen persons M` writes with the same seed (diacritics lost, names reordered or misspelt,\n"
    "ages instead of dates...), and about one row in five of nobody in it. --truth FILE gets\n"
    "each row's true external_id (empty when none), to measure a match against. Ages are\n"
    "given at 2025-06-01. For example:\n"
    "  baoho gen persons 100000 --seed 3 > persons.csv\n"
    "  baoho gen list 1000 --registry 100000 --seed 3 --truth truth.csv > list.csv\n"
    "  baoho match list.csv --against persons.csv --ref-date 2025-06-01 \\\n"
    "    --against-map 'external_id=id,national_id=id_number,home_province=province'\n";

/* N of `baoho gen ... N` or the value of --registry / --seed: a number up to max. */
static int gen_number(const char *what, const char *s, unsigned long long max,
                      unsigned long long *out) {
  char *end = NULL;
  errno = 0;
  *out = strtoull(s, &end, 10);
  if (end == s || *end != '\0' || s[0] == '-' || errno == ERANGE || *out > max) {
    fprintf(stderr, "baoho gen: %s must be a number up to %llu\n", what, max);
    return -1;
  }
  return 0;
}

/* Reads one line of stdin into buf without the newline; -1 on EOF or when too long. */
static int read_secret_line(char *buf, size_t cap) {
  if (fgets(buf, (int)cap, stdin) == NULL) return -1;
  size_t n = strlen(buf);
  if (n > 0 && buf[n - 1] == '\n') {
    buf[--n] = '\0';
  } else if (!feof(stdin)) {
    return -1;
  }
  if (n > 0 && buf[n - 1] == '\r') buf[--n] = '\0';
  return 0;
}

int cli_user(int argc, char **argv) {
  static const struct option opts[] = {
      {"email", required_argument, NULL, 'e'}, {"name", required_argument, NULL, 'n'},
      {"role", required_argument, NULL, 'r'},  {"mission", required_argument, NULL, 'm'},
      {"db", required_argument, NULL, 'd'},    {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  if (argc < 2 || strcmp(argv[1], "add") != 0) {
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(user_usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  const char *email = NULL, *name = NULL, *role = NULL, *mission = NULL, *db = CLI_DEFAULT_DB;
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'e': email = optarg; break;
      case 'n': name = optarg; break;
      case 'r': role = optarg; break;
      case 'm': mission = optarg; break;
      case 'd': db = optarg; break;
      case 'h': fputs(user_usage, stdout); return CLI_EXIT_OK;
      default: fputs(user_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (!email || !name || !role) {
    fprintf(stderr, "baoho user add: --email, --name and --role are required\n%s", user_usage);
    return CLI_EXIT_USAGE;
  }
  if (spec_check_email(email) != NULL) {
    fprintf(stderr, "baoho user add: --email '%s' is not an e-mail address\n", email);
    return CLI_EXIT_USAGE;
  }
  int r = model_enum_index(model_roles, role);
  if (r < 0) {
    fprintf(stderr, "baoho user add: --role must be admin, hq, officer or viewer\n");
    return CLI_EXIT_USAGE;
  }
  if (r == ROLE_OFFICER && mission == NULL) {
    fprintf(stderr, "baoho user add: an officer needs --mission (the mission's name)\n");
    return CLI_EXIT_USAGE;
  }
  if (isatty(STDIN_FILENO)) fprintf(stderr, "Password (at least %d characters): ", PASSWORD_MIN_LEN);
  char pw[PASSWORD_MAX_LEN + 2];
  if (read_secret_line(pw, sizeof(pw)) != 0 || password_acceptable(pw) != BH_OK) {
    fprintf(stderr, "baoho user add: the password must be %d to %d characters, on one line of "
                    "standard input\n", PASSWORD_MIN_LEN, PASSWORD_MAX_LEN);
    return CLI_EXIT_USAGE;
  }
  secret_t keys;
  store_t *store;
  int rc = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (rc != CLI_EXIT_OK) return rc;
  store_conn_t *conn = store_conn(store);
  user_t u = {.email = email, .name = name, .role = r};
  char hash[PASSWORD_HASH_MAX];
  rc = CLI_EXIT_FAIL;
  if (mission != NULL && store_mission_find_name(conn, mission, &u.mission_id) != BH_OK) {
    fprintf(stderr, "baoho user add: no mission named '%s'\n", mission);
    goto out;
  }
  if (password_hash(pw, hash) != BH_OK) goto out;
  u.pwhash = hash;
  int src = store_user_create(conn, &u);
  if (src == BH_ERR_CONFLICT) {
    fprintf(stderr, "baoho user add: a user with e-mail %s already exists\n", email);
    goto out;
  }
  if (src != BH_OK) goto out;
  audit_entry_t e = {.action = "user.create", .object_kind = "user", .object_id = u.id,
                     .client = "cli"};
  store_audit_append(conn, &e);
  printf("added %s (%s)\n", email, role);
  rc = CLI_EXIT_OK;
out:
  memset(pw, 0, sizeof(pw));
  store_close(store);
  return rc;
}

int cli_token(int argc, char **argv) {
  static const struct option opts[] = {{"email", required_argument, NULL, 'e'},
                                       {"name", required_argument, NULL, 'n'},
                                       {"db", required_argument, NULL, 'd'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  if (argc < 2 || strcmp(argv[1], "create") != 0) {
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(token_usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  const char *email = NULL, *label = "cli", *db = CLI_DEFAULT_DB;
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'e': email = optarg; break;
      case 'n': label = optarg; break;
      case 'd': db = optarg; break;
      case 'h': fputs(token_usage, stdout); return CLI_EXIT_OK;
      default: fputs(token_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (email == NULL) {
    fprintf(stderr, "baoho token create: --email is required\n%s", token_usage);
    return CLI_EXIT_USAGE;
  }
  secret_t keys;
  store_t *store;
  int rc = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (rc != CLI_EXIT_OK) return rc;
  store_conn_t *conn = store_conn(store);
  arena_t *a = arena_new(1 << 20);
  user_t u;
  rc = CLI_EXIT_FAIL;
  if (a == NULL || store_user_by_email(conn, email, a, &u) != BH_OK) {
    fprintf(stderr, "baoho token create: no user with e-mail %s\n", email);
    goto out;
  }
  char token[SECRET_TOKEN_LEN + 1];
  unsigned char hash[SECRET_TOKEN_HASH_BYTES];
  secret_token_new(token);
  secret_token_hash(token, hash);
  int64_t id;
  if (store_token_create(conn, u.id, hash, label, &id) != BH_OK) goto out;
  audit_entry_t e = {.user_id = u.id, .action = "token.create", .object_kind = "token",
                     .object_id = id, .client = "cli"};
  store_audit_append(conn, &e);
  printf("%s\n", token);
  rc = CLI_EXIT_OK;
out:
  arena_free(a);
  store_close(store);
  return rc;
}

struct progress {
  uint64_t total;
  int64_t last_us;
  int64_t start_us;
};

static void import_progress(void *vctx, uint64_t bytes, const import_stats_t *s) {
  struct progress *p = vctx;
  int64_t now = clock_mono_us();
  if (now - p->last_us < 200000) return;
  p->last_us = now;
  double frac = p->total ? (double)bytes / (double)p->total : 0;
  if (frac > 1) frac = 1;
  int width = 30, done = (int)(frac * width);
  char bar[32];
  for (int i = 0; i < width; i++) bar[i] = i < done ? '#' : '.';
  bar[width] = '\0';
  double secs = (double)(now - p->start_us) / 1e6;
  fprintf(stderr, "\r[%s] %3.0f%% %llu rows (%llu new, %llu rejected) %.0f rows/s ", bar,
          frac * 100, (unsigned long long)s->rows, (unsigned long long)s->imported,
          (unsigned long long)s->rejected, secs > 0 ? (double)s->rows / secs : 0);
}

int cli_import(int argc, char **argv) {
  static const struct option opts[] = {
      {"map", required_argument, NULL, 'm'},    {"rejects", required_argument, NULL, 'r'},
      {"source", required_argument, NULL, 's'}, {"db", required_argument, NULL, 'd'},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
  if (argc < 2 || strcmp(argv[1], "persons") != 0) {
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(import_usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  const char *mapping = NULL, *rejects_path = NULL, *source = "import", *db = CLI_DEFAULT_DB;
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'm': mapping = optarg; break;
      case 'r': rejects_path = optarg; break;
      case 's': source = optarg; break;
      case 'd': db = optarg; break;
      case 'h': fputs(import_usage, stdout); return CLI_EXIT_OK;
      default: fputs(import_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  if (optind != argc - 1) {
    fprintf(stderr, "baoho import persons: give exactly one CSV file\n%s", import_usage);
    return CLI_EXIT_USAGE;
  }
  if (model_enum_index(model_sources, source) < 0) {
    fprintf(stderr, "baoho import persons: --source must be one of import, partner, officer\n");
    return CLI_EXIT_USAGE;
  }
  const char *path = argv[optind];
  FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (in == NULL) {
    fprintf(stderr, "baoho import persons: cannot open %s\n", path);
    return CLI_EXIT_FAIL;
  }
  char rpath[4096];
  if (rejects_path == NULL) {
    snprintf(rpath, sizeof(rpath), "%s.rejects.csv", strcmp(path, "-") == 0 ? "stdin" : path);
    rejects_path = rpath;
  }
  FILE *rej = fopen(rejects_path, "wb");
  if (rej == NULL) {
    fprintf(stderr, "baoho import persons: cannot write rejects file %s\n", rejects_path);
    if (in != stdin) fclose(in);
    return CLI_EXIT_FAIL;
  }
  secret_t keys;
  store_t *store;
  int rc = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (rc != CLI_EXIT_OK) {
    fclose(rej);
    if (in != stdin) fclose(in);
    return rc;
  }
  struct progress prog = {.start_us = clock_mono_us()};
  if (in != stdin) {
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    prog.total = size > 0 ? (uint64_t)size : 0;
    rewind(in);
  }
  import_options_t opt = {.mapping = mapping, .source = source, .rejects = rej};
  if (isatty(STDERR_FILENO)) {
    opt.progress = import_progress;
    opt.progress_ctx = &prog;
  }
  import_stats_t st;
  char err[512] = "";
  int irc = import_persons(store_conn(store), &keys, in, &opt, &st, err, sizeof(err));
  double secs = (double)(clock_mono_us() - prog.start_us) / 1e6;
  if (opt.progress) fputc('\n', stderr);
  store_conn_t *conn = store_conn(store);
  char detail[256];
  snprintf(detail, sizeof(detail), "{\"rows\":%llu,\"imported\":%llu,\"rejected\":%llu}",
           (unsigned long long)st.rows, (unsigned long long)st.imported,
           (unsigned long long)st.rejected);
  audit_entry_t e = {.action = "person.import", .object_kind = "person", .client = "cli",
                     .detail = detail};
  store_audit_append(conn, &e);
  store_close(store);
  fclose(rej);
  if (in != stdin) fclose(in);
  if (irc != BH_OK) {
    fprintf(stderr, "baoho import persons: %s\n", err[0] ? err : bh_err_str(irc));
    return CLI_EXIT_FAIL;
  }
  printf("%llu rows read: %llu imported, %llu already present, %llu rejected (%.1f s, %.0f rows/s)\n",
         (unsigned long long)st.rows, (unsigned long long)st.imported,
         (unsigned long long)st.duplicates, (unsigned long long)st.rejected, secs,
         secs > 0 ? (double)st.rows / secs : 0.0);
  if (st.rejected > 0) printf("rejected rows and their reasons: %s\n", rejects_path);
  return CLI_EXIT_OK;
}

int cli_export(int argc, char **argv) {
  static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                       {"db", required_argument, NULL, 'd'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  if (argc < 2 || strcmp(argv[1], "persons") != 0) {
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(export_usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  const char *out_path = NULL, *db = CLI_DEFAULT_DB;
  int c;
  optind = 2;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'o': out_path = optarg; break;
      case 'd': db = optarg; break;
      case 'h': fputs(export_usage, stdout); return CLI_EXIT_OK;
      default: fputs(export_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  FILE *out = out_path ? fopen(out_path, "wb") : stdout;
  if (out == NULL) {
    fprintf(stderr, "baoho export persons: cannot write %s\n", out_path);
    return CLI_EXIT_FAIL;
  }
  secret_t keys;
  store_t *store;
  int rc = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (rc == CLI_EXIT_OK) {
    store_conn_t *conn = store_conn(store);
    if (export_persons(conn, &STORE_SCOPE_ALL, out) != BH_OK) rc = CLI_EXIT_FAIL;
    audit_entry_t e = {.action = "person.export", .object_kind = "person", .client = "cli"};
    store_audit_append(conn, &e);
    store_close(store);
  }
  if (out != stdout && fclose(out) != 0) rc = CLI_EXIT_FAIL;
  if (out == stdout) fflush(stdout);
  return rc;
}

int cli_gen(int argc, char **argv) {
  int list = argc >= 2 && strcmp(argv[1], "list") == 0;
  if (argc < 3 || (!list && strcmp(argv[1], "persons") != 0)) {
    int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
    fputs(gen_usage, help ? stdout : stderr);
    return help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
  }
  unsigned long long n = 0, seed = 1, registry = 0;
  const char *truth_path = NULL;
  if (gen_number("N", argv[2], 100000000ULL, &n) != 0) return CLI_EXIT_USAGE;
  for (int i = 3; i < argc; i += 2) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    int bad = v == NULL;
    if (!bad && strcmp(argv[i], "--seed") == 0) {
      bad = gen_number("--seed", v, ULLONG_MAX, &seed) != 0;
    } else if (!bad && list && strcmp(argv[i], "--registry") == 0) {
      bad = gen_number("--registry", v, 100000000ULL, &registry) != 0 || registry == 0;
    } else if (!bad && list && strcmp(argv[i], "--truth") == 0) {
      truth_path = v;
    } else {
      bad = 1;
    }
    if (bad) {
      fputs(gen_usage, stderr);
      return CLI_EXIT_USAGE;
    }
  }
  if (!list) return gen_write_persons_csv(stdout, n, seed, 1) == BH_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  if (registry == 0) {
    fprintf(stderr, "baoho gen list: --registry M (the persons the list is drawn from) is needed\n");
    return CLI_EXIT_USAGE;
  }
  FILE *truth = truth_path ? fopen(truth_path, "w") : NULL;
  if (truth_path && truth == NULL) {
    fprintf(stderr, "baoho gen list: cannot write %s: %s\n", truth_path, strerror(errno));
    return CLI_EXIT_FAIL;
  }
  int rc = gen_write_list_csv(stdout, n, registry, seed, truth);
  if (truth != NULL && fclose(truth) != 0) rc = BH_ERR_IO;
  return rc == BH_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
