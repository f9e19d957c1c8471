/*
 * demo.c - `baoho demo` and `serve --demo`: the demo scenario of shared/context/SYSTEM.md with
 * synthetic people (never real ones): the Consular Department and three missions, their
 * officers, a few hundred citizens in Israel in October 2023 and the citizens identified in
 * Myanmar's Kayin State in November 2023, the two crises and their advisories; the events of
 * both scenarios (alert and answers, cases, sites, transports) are demo_scenes.c's. Everything is
 * loaded in one write transaction, and skipped when the database has missions: loading twice
 * changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/demo_int.h"
#include "gen/gen.h"
#include "domain/pdate.h"
#include "util/err.h"

#define DEMO_SEED 20231007

static const char demo_usage[] =
    "usage: baoho demo [--db PATH]\n"
    "Loads the demo scenario (missions, officers, synthetic citizens in Israel and Myanmar,\n"
    "the two crises with their advisories, an alert and its answers, assistance cases,\n"
    "staging sites and repatriation transports) into the database when it has no missions\n"
    "yet, and prints the demo logins.\n";

struct demo_mission {
  const char *kind, *name, *city, *country, *jurisdiction[3], *hotline, *email, *tz;
};

static const struct demo_mission demo_missions[] = {
    {"consular_department", "Cục Lãnh sự (Consular Department)", "Hà Nội", "VN", {"VN"},
     "+84 24 3799 3125", "consular@example.org", "Asia/Ho_Chi_Minh"},
    {"embassy", "Đại sứ quán Việt Nam tại Israel", "Tel Aviv", "IL", {"IL", "PS"},
     "+972 3 000 0000", "israel@example.org", "Asia/Jerusalem"},
    {"embassy", "Đại sứ quán Việt Nam tại Myanmar", "Yangon", "MM", {"MM"}, "+95 1 000 000",
     "myanmar@example.org", "Asia/Yangon"},
    {"consulate_general", "Tổng Lãnh sự quán Việt Nam tại Côn Minh", "Côn Minh", "CN", {"CN"},
     "+86 871 0000 0000", "kunming@example.org", "Asia/Shanghai"},
};

struct demo_user {
  const char *email, *name, *role;
  int mission; /* index into demo_missions */
  const char *password;
};

static const struct demo_user demo_users[] = {
    {"admin@baoho.example", "Quản trị hệ thống", "admin", 0, "demo-admin-2023"},
    {"hq@baoho.example", "Nguyễn Thị Lan (Cục Lãnh sự)", "hq", 0, "demo-hq-2023"},
    {"israel@baoho.example", "Trần Văn Minh (ĐSQ Israel)", "officer", 1, "demo-israel-2023"},
    {"myanmar@baoho.example", "Lê Thu Hà (ĐSQ Myanmar)", "officer", 2, "demo-myanmar-2023"},
    {"kunming@baoho.example", "Phạm Quốc Huy (TLSQ Côn Minh)", "officer", 3, "demo-kunming-2023"},
    {"viewer@baoho.example", "Người xem số liệu", "viewer", 0, "demo-viewer-2023"},
};

_Static_assert(sizeof(demo_missions) / sizeof(demo_missions[0]) == DEMO_M_COUNT,
               "demo_missions follows enum demo_mission_ix");
_Static_assert(sizeof(demo_users) / sizeof(demo_users[0]) == DEMO_U_COUNT,
               "demo_users follows enum demo_user_ix");

static const char *const israel_regions[] = {"IL-TA", "IL-TA", "IL-HA", "IL-JM", "IL-D", "IL-Z", "IL-M"};
static const char *const israel_cities[] = {"Tel Aviv", "Tel Aviv", "Haifa", "Jerusalem",
                                            "Beersheba", "Nazareth", "Rishon LeZion"};

/* Builds the JSON array of a ';'-separated cell, or of n fixed strings. */
static json_t *demo_list(const char (*items)[GEN_PHONE_MAX], int n) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++) json_array_append_new(a, json_string(items[i]));
  return a;
}

static json_t *demo_flags(unsigned flags) {
  json_t *a = json_array();
  for (int i = 0; model_flags[i]; i++) {
    if (flags & (1u << i)) json_array_append_new(a, json_string(model_flags[i]));
  }
  return a;
}

/*
 * The language a demo person reads: some long-term residents and officials, whose families have
 * lived abroad for years, read English more easily than Vietnamese; everyone else Vietnamese.
 */
static const char *demo_language(const gen_person_t *g, const char *category) {
  int settled = strcmp(category, "resident") == 0 || strcmp(category, "official") == 0;
  return settled && g->index % 3 == 0 ? "en" : "vi";
}

/*
 * Stores one generated person placed in country/region/city with category, and with status
 * (set at time at; "unknown" sets none) unless it is unknown. Fills *id.
 */
static int demo_person(store_conn_t *c, const gen_person_t *g, const char *country,
                       const char *region, const char *city, const char *category,
                       const char *status, int64_t at, const char *note, int64_t owner,
                       const char *from, int64_t *id) {
  char dob[16];
  gen_date_str(&g->dob, dob, sizeof(dob));
  person_t p = {.full_name = g->full_name,
                .sex = g->sex == 'F' ? "F" : "M",
                .date_of_birth = dob[0] ? dob : NULL,
                .national_id = g->national_id,
                .passport = g->passport[0] ? g->passport : NULL,
                .home_province = g->home_province,
                .source = "officer",
                .preferred_language = demo_language(g, category),
                .owner_mission_id = owner};
  p.phones = demo_list(g->phones, g->n_phones);
  p.emails = json_array();
  for (int i = 0; i < g->n_emails; i++) json_array_append_new(p.emails, json_string(g->emails[i]));
  p.flags = demo_flags(g->flags);
  p.other_names = json_array();
  p.contacts = json_pack("[{s:s, s:s, s:s, s:b}]", "name", "Người thân (demo)", "relation",
                         "family", "phone", "+84 90 000 0000", "consent_to_disclose", 1);
  int rc = store_person_create(c, &p);
  *id = p.id;
  presence_t pr = {.person_id = p.id, .region = region, .city = city, .category = category,
                   .organisation = g->organisation[0] ? g->organisation : NULL,
                   .address = g->address, .date_from = from};
  snprintf(pr.country, sizeof(pr.country), "%s", country);
  if (rc == BH_OK) rc = store_presence_create(c, &STORE_SCOPE_ALL, &pr);
  if (rc == BH_OK && strcmp(status, "unknown") != 0) {
    status_event_t ev = {.person_id = p.id, .status = status, .at = at, .source = "officer",
                         .note = note};
    rc = store_status_set(c, &STORE_SCOPE_ALL, &ev);
  }
  person_clear(&p);
  return rc;
}

/* A travel advisory version of the demo, published at an RFC 3339 time. */
struct demo_advisory {
  const char *country, *region, *issued;
  int level;
  const char *title_vi, *title_en, *text_vi, *text_en, *reason, *review_due;
};

static const struct demo_advisory demo_advisories[] = {
    {"IL", NULL, "2023-10-08T06:00:00Z", 2, "Israel: tăng cường thận trọng",
     "Israel: exercise increased caution",
     "Xung đột vũ trang bùng phát từ ngày 7/10/2023. Công dân tại Israel theo dõi chỉ dẫn của chính "
     "quyền sở tại, tránh khu vực gần Dải Gaza và giữ liên lạc với Đại sứ quán.",
     "Armed conflict broke out on 7 October 2023. Citizens in Israel should follow the local "
     "authorities' instructions, avoid the area near the Gaza Strip and stay in touch with the "
     "Embassy.",
     "Rocket attacks and fighting since 7 October 2023.", "2023-10-15"},
    {"IL", NULL, "2023-10-16T06:00:00Z", 3, "Israel: cân nhắc việc đi lại",
     "Israel: reconsider travel",
     "Giao tranh lan rộng. Công dân cân nhắc hoãn các chuyến đi đến Israel; người đang ở Israel "
     "đăng ký với Đại sứ quán để được hỗ trợ khi cần.",
     "The fighting is spreading. Reconsider travel to Israel; citizens in Israel should register "
     "with the Embassy for assistance.",
     "Escalation of hostilities; commercial flights reduced.", "2023-11-01"},
    {"IL", NULL, "2023-11-09T06:00:00Z", 4, "Israel: không đi đến, rời khỏi khu vực",
     "Israel: do not travel, leave the area",
     "Không đi đến Israel. Công dân đang ở Israel rời đi bằng các chuyến bay còn hoạt động hoặc "
     "đăng ký chuyến bay hồi hương do Đại sứ quán tổ chức.",
     "Do not travel to Israel. Citizens in Israel should leave on available flights or register "
     "for the repatriation flights the Embassy organises.",
     "Prolonged conflict; repatriation flights organised.", "2023-12-09"},
    {"MM", "MM-13", "2023-11-06T03:00:00Z", 4, "Myanmar, bang Kayin: không đi đến",
     "Myanmar, Kayin State: do not travel",
     "Không đi đến bang Kayin. Cảnh giác với lời mời làm việc lương cao ở khu vực biên giới: nhiều "
     "công dân bị lừa vào các cơ sở lừa đảo trực tuyến.",
     "Do not travel to Kayin State. Beware of well-paid job offers in the border area: many "
     "citizens have been lured into online scam compounds.",
     "Armed clashes and trafficking into scam compounds near Myawaddy.", "2024-02-06"},
};

/* The demo's crises (the Israel conflict, Kayin State) and advisories (their escalations). */
static int demo_crises(store_conn_t *c, const int64_t mids[4], demo_ids_t *ids) {
  int64_t opened_il = 0, opened_mm = 0;
  pdate_parse_timestamp("2023-10-07T03:30:00Z", &opened_il);
  pdate_parse_timestamp("2023-11-05T00:00:00Z", &opened_mm);
  crisis_t il = {.name = "Xung đột vũ trang tại Israel và Gaza (Armed conflict in Israel and Gaza)",
                 .kind = "armed_conflict",
                 .description = "Giao tranh từ ngày 7/10/2023; 320 công dân trong khu vực.",
                 .countries = json_pack("[s, s]", "IL", "PS"),
                 .regions = json_array(),
                 .lead_mission_id = mids[1],
                 .opened_at = opened_il};
  crisis_t mm = {.name = "Bang Kayin, Myanmar: giải cứu khỏi các cơ sở lừa đảo (Kayin State rescue)",
                 .kind = "trafficking",
                 .description = "Công dân được giải thoát khỏi các cơ sở lừa đảo tại Myawaddy.",
                 .countries = json_pack("[s]", "MM"),
                 .regions = json_pack("[s]", "MM-13"),
                 .lead_mission_id = mids[2],
                 .opened_at = opened_mm};
  int rc = store_crisis_create(c, &il);
  if (rc == BH_OK) rc = store_crisis_create(c, &mm);
  ids->crisis_il = il.id;
  ids->crisis_mm = mm.id;
  crisis_clear(&il);
  crisis_clear(&mm);
  for (size_t i = 0; rc == BH_OK && i < sizeof(demo_advisories) / sizeof(demo_advisories[0]); i++) {
    const struct demo_advisory *d = &demo_advisories[i];
    advisory_t v = {.region = d->region, .level = d->level, .title_vi = d->title_vi,
                    .title_en = d->title_en, .text_vi = d->text_vi, .text_en = d->text_en,
                    .reason = d->reason, .review_due = d->review_due};
    snprintf(v.country, sizeof(v.country), "%s", d->country);
    pdate_parse_timestamp(d->issued, &v.issued_at);
    rc = store_advisory_publish(c, &v);
  }
  return rc;
}

int demo_load(store_t *store, const secret_t *keys, int quiet) {
  store_conn_t *c = store_conn(store);
  if (c == NULL) return BH_ERR_DB;
  arena_t *a = arena_new(1 << 20);
  if (a == NULL) return BH_ERR_NOMEM;
  mission_t *existing;
  size_t n;
  store_page_t page = {.after = 0, .limit = 1};
  int rc = store_mission_list(c, &page, a, &existing, &n);
  if (rc == BH_OK && n > 0) {
    mission_clear(&existing[0]);
    arena_free(a);
    if (!quiet) printf("the database already has missions: demo data not loaded again\n");
    return BH_OK;
  }
  demo_ids_t d;
  memset(&d, 0, sizeof(d));
  int64_t *mids = d.missions;
  rc = store_begin_write(c);
  for (size_t i = 0; rc == BH_OK && i < DEMO_M_COUNT; i++) {
    const struct demo_mission *dm = &demo_missions[i];
    mission_t m = {.kind = dm->kind, .name = dm->name, .city = dm->city, .hotline = dm->hotline,
                   .email = dm->email, .timezone = dm->tz, .jurisdiction = json_array()};
    snprintf(m.country, sizeof(m.country), "%s", dm->country);
    for (int j = 0; j < 3 && dm->jurisdiction[j]; j++) {
      json_array_append_new(m.jurisdiction, json_string(dm->jurisdiction[j]));
    }
    rc = store_mission_create(c, &m);
    mids[i] = m.id;
    mission_clear(&m);
  }
  for (size_t i = 0; rc == BH_OK && i < DEMO_U_COUNT; i++) {
    const struct demo_user *du = &demo_users[i];
    char hash[PASSWORD_HASH_MAX];
    rc = password_hash(du->password, hash);
    user_t u = {.email = du->email, .name = du->name, .role = model_enum_index(model_roles, du->role),
                .mission_id = mids[du->mission], .pwhash = hash};
    if (rc == BH_OK) rc = store_user_create(c, &u);
    d.users[i] = u.id;
  }
  gen_t g;
  gen_init(&g, DEMO_SEED);
  uint64_t idx = 0;
  int64_t registered_il = 0, handed_over = 0, known_cn = 0;
  pdate_parse_timestamp("2023-10-07T12:00:00Z", &registered_il);
  pdate_parse_timestamp("2023-11-08T04:00:00Z", &handed_over);
  pdate_parse_timestamp("2023-11-01T03:00:00Z", &known_cn);
  /* Israel, October 2023: workers in agriculture, students, residents, officials, tourists. Their
   * statuses come from their answers to the Embassy's alert (demo_scenes.c). */
  for (int i = 0; rc == BH_OK && i < DEMO_ISRAEL; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    static const char *const cats[] = {"worker", "worker", "worker", "student", "resident",
                                       "resident", "official", "tourist"};
    const char *cat = i < DEMO_STUDENTS ? "student" : cats[i % 8];
    size_t r = (size_t)i % (sizeof(israel_regions) / sizeof(israel_regions[0]));
    rc = demo_person(c, &gp, "IL", israel_regions[r], israel_cities[r], cat, "unknown",
                     registered_il, NULL, mids[DEMO_M_ISRAEL], "2022-09", &d.il[i]);
  }
  /* Myanmar, Kayin State (MM-13), November 2023: people released from scam compounds. */
  for (int i = 0; rc == BH_OK && i < DEMO_MYANMAR; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    rc = demo_person(c, &gp, "MM", "MM-13", "Myawaddy", "worker",
                     i % 5 == 0 ? "needs_assistance" : "detained", handed_over,
                     "danh sách do chính quyền địa phương bàn giao", mids[DEMO_M_MYANMAR],
                     "2023-03", &d.mm[i]);
  }
  /* Yunnan: people moved to the staging area near the border, and residents. */
  for (int i = 0; rc == BH_OK && i < DEMO_KUNMING; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    rc = demo_person(c, &gp, "CN", "CN-YN", "Côn Minh", i % 2 ? "resident" : "student", "safe",
                     known_cn, NULL, mids[DEMO_M_KUNMING], "2021", &d.cn[i]);
  }
  if (rc == BH_OK) rc = demo_crises(c, mids, &d);
  if (rc == BH_OK) rc = demo_scenes(c, keys, &d);
  if (rc == BH_OK) {
    rc = store_commit(c);
  } else {
    store_rollback(c);
  }
  arena_free(a);
  if (rc != BH_OK) {
    fprintf(stderr, "baoho: loading the demo data failed (%s)\n", bh_err_str(rc));
    return rc;
  }
  if (!quiet) {
    printf("demo data loaded: 4 missions, %d persons, the Israel (October 2023) and Kayin State\n"
           "(November 2023) crises with an alert, cases, staging sites and transports.\n"
           "Demo logins (e-mail / password):\n",
           DEMO_ISRAEL + DEMO_MYANMAR + DEMO_KUNMING);
    for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
      printf("  %-24s %-20s %s\n", demo_users[i].email, demo_users[i].password, demo_users[i].role);
    }
    fflush(stdout);
  }
  return BH_OK;
}

int cli_demo(int argc, char **argv) {
  static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  const char *db = CLI_DEFAULT_DB;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
      case 'd': db = optarg; break;
      case 'h': fputs(demo_usage, stdout); return CLI_EXIT_OK;
      default: fputs(demo_usage, stderr); return CLI_EXIT_USAGE;
    }
  }
  secret_t keys;
  store_t *store;
  int rc = cli_open_store(db, NULL, STORE_SYNC_FULL, &keys, &store);
  if (rc != CLI_EXIT_OK) return rc;
  rc = demo_load(store, &keys, 0) == BH_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
  store_close(store);
  return rc;
}
