/*
 * demo.c - `baoho demo` and `serve --demo`: the demo scenario of shared/context/SYSTEM.md with
 * synthetic people (never real ones): the Consular Department and three missions, their
 * officers, a few hundred citizens in Israel in October 2023 and the citizens identified in
 * Myanmar's Kayin State in November 2023. Loading is skipped when the database has missions.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "gen/gen.h"
#include "domain/pdate.h"
#include "util/err.h"

#define DEMO_SEED 20231007
#define DEMO_ISRAEL 320
#define DEMO_MYANMAR 166
#define DEMO_KUNMING 24

static const char demo_usage[] =
    "usage: baoho demo [--db PATH]\n"
    "Loads the demo scenario (missions, officers, synthetic citizens in Israel and Myanmar)\n"
    "into the database when it has no missions yet, and prints the demo logins.\n";

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

/* Stores one generated person placed in country/region/city with category and status. */
static int demo_person(store_conn_t *c, const gen_person_t *g, const char *country,
                       const char *region, const char *city, const char *category,
                       const char *status, const char *note, int64_t owner, const char *from) {
  char dob[16];
  gen_date_str(&g->dob, dob, sizeof(dob));
  person_t p = {.full_name = g->full_name,
                .sex = g->sex == 'F' ? "F" : "M",
                .date_of_birth = dob[0] ? dob : NULL,
                .national_id = g->national_id,
                .passport = g->passport[0] ? g->passport : NULL,
                .home_province = g->home_province,
                .source = "officer",
                .owner_mission_id = owner};
  p.phones = demo_list(g->phones, g->n_phones);
  p.emails = json_array();
  for (int i = 0; i < g->n_emails; i++) json_array_append_new(p.emails, json_string(g->emails[i]));
  p.flags = demo_flags(g->flags);
  p.other_names = json_array();
  p.contacts = json_pack("[{s:s, s:s, s:s, s:b}]", "name", "Người thân (demo)", "relation",
                         "family", "phone", "+84 90 000 0000", "consent_to_disclose", 1);
  int rc = store_person_create(c, &p);
  presence_t pr = {.person_id = p.id, .region = region, .city = city, .category = category,
                   .organisation = g->organisation[0] ? g->organisation : NULL,
                   .address = g->address, .date_from = from};
  snprintf(pr.country, sizeof(pr.country), "%s", country);
  if (rc == BH_OK) rc = store_presence_create(c, &STORE_SCOPE_ALL, &pr);
  if (rc == BH_OK && strcmp(status, "unknown") != 0) {
    status_event_t ev = {.person_id = p.id, .status = status, .source = "officer", .note = note};
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
static int demo_crises(store_conn_t *c, const int64_t mids[4]) {
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
  (void)keys;
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
  int64_t mids[4] = {0};
  rc = store_begin_write(c);
  for (size_t i = 0; rc == BH_OK && i < 4; i++) {
    const struct demo_mission *d = &demo_missions[i];
    mission_t m = {.kind = d->kind, .name = d->name, .city = d->city, .hotline = d->hotline,
                   .email = d->email, .timezone = d->tz, .jurisdiction = json_array()};
    snprintf(m.country, sizeof(m.country), "%s", d->country);
    for (int j = 0; j < 3 && d->jurisdiction[j]; j++) {
      json_array_append_new(m.jurisdiction, json_string(d->jurisdiction[j]));
    }
    rc = store_mission_create(c, &m);
    mids[i] = m.id;
    mission_clear(&m);
  }
  for (size_t i = 0; rc == BH_OK && i < sizeof(demo_users) / sizeof(demo_users[0]); i++) {
    const struct demo_user *d = &demo_users[i];
    char hash[PASSWORD_HASH_MAX];
    rc = password_hash(d->password, hash);
    user_t u = {.email = d->email, .name = d->name, .role = model_enum_index(model_roles, d->role),
                .mission_id = mids[d->mission], .pwhash = hash};
    if (rc == BH_OK) rc = store_user_create(c, &u);
  }
  gen_t g;
  gen_init(&g, DEMO_SEED);
  uint64_t idx = 0;
  /* Israel, October 2023: workers in agriculture, students, residents, officials, tourists. */
  for (int i = 0; rc == BH_OK && i < DEMO_ISRAEL; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    static const char *const cats[] = {"worker", "worker", "worker", "student", "resident",
                                       "resident", "official", "tourist"};
    const char *cat = i < 13 ? "student" : cats[i % 8];
    size_t r = (size_t)i % (sizeof(israel_regions) / sizeof(israel_regions[0]));
    const char *status = i < 13 ? "repatriated" : i % 9 == 0 ? "unknown" : i % 23 == 0 ? "needs_assistance" : "safe";
    rc = demo_person(c, &gp, "IL", israel_regions[r], israel_cities[r], cat, status,
                     i < 13 ? "về nước trên chuyến bay nhân đạo" : NULL, mids[1], "2022-09");
  }
  /* Myanmar, Kayin State (MM-13), November 2023: people released from scam compounds. */
  for (int i = 0; rc == BH_OK && i < DEMO_MYANMAR; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    rc = demo_person(c, &gp, "MM", "MM-13", "Myawaddy", "worker",
                     i % 5 == 0 ? "needs_assistance" : "detained",
                     "danh sách do chính quyền địa phương bàn giao", mids[2], "2023-03");
  }
  /* Yunnan: people moved to the staging area near the border, and residents. */
  for (int i = 0; rc == BH_OK && i < DEMO_KUNMING; i++) {
    gen_person_t gp;
    gen_person(&g, idx++, &gp);
    rc = demo_person(c, &gp, "CN", "CN-YN", "Côn Minh", i % 2 ? "resident" : "student", "safe",
                     NULL, mids[3], "2021");
  }
  if (rc == BH_OK) rc = demo_crises(c, mids);
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
    printf("demo data loaded: 4 missions, %d persons. Demo logins (e-mail / password):\n",
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
