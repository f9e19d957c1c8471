/*
 * test_list_map.c - the column map of a list upload (?map=) as the console sends it: a column
 * mapped to "ignore" is left out even when its header names a role, so another column can take
 * that role; an ignored column must exist; ignoring the only name column leaves no name.
 */
#include <string.h>

#include "harness.h"

#define LM_QUERY "/api/v1/lists?title=Map%20test&source=Police&country=MM"

static h_resp_t *lm_upload(h_server_t *s, const char *map, const char *csv) {
  const char *path = map ? h_str("%s&map=%s", LM_QUERY, h_urlencode(map)) : LM_QUERY;
  h_req_t rq = {.method = "POST", .path = path, .raw = csv, .raw_len = strlen(csv),
                .content_type = "text/csv", .auth = h_as(s, H_MYANMAR)};
  return h_do(s, &rq);
}

#define LM_CSV                                 \
  "full_name,city,Thành phố\r\n"               \
  "NGUYEN VAN MAP,not a city,Yangon\r\n"

static void list_map_ignore_leaves_out_a_column_named_for_a_role(void **state) {
  h_server_t *s = *state;
  /* Without "ignore", two columns would supply the city: refused, naming the map. */
  EXPECT_ERROR(s, lm_upload(s, "Thành phố=city", LM_CSV), 422, "validation_failed", "map");
  h_resp_t *r = lm_upload(s, "city=ignore, Thành phố=city", LM_CSV);
  EXPECT_STATUS(s, r, 201);
  h_resp_t *rows =
      h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/lists/%s/rows", h_gets(r->json, "id"));
  EXPECT_STATUS(s, rows, 200);
  assert_string_equal(h_gets(rows->json, "items[0].fields.city"), "Yangon");
  assert_string_equal(h_gets(rows->json, "items[0].fields.full_name"), "NGUYEN VAN MAP");
  /* Ignoring a column is case-insensitive on both sides, like the rest of the map. */
  h_resp_t *r2 = lm_upload(s, "CITY=Ignore", LM_CSV);
  EXPECT_STATUS(s, r2, 201);
  h_resp_t *rows2 =
      h_call(s, h_as(s, H_MYANMAR), "GET", NULL, "/api/v1/lists/%s/rows", h_gets(r2->json, "id"));
  EXPECT_STATUS(s, rows2, 200);
  assert_null(h_get(rows2->json, "items[0].fields.city"));
}

static void list_map_ignore_of_a_column_not_in_the_header_is_refused(void **state) {
  h_server_t *s = *state;
  h_resp_t *r = lm_upload(s, "Province=ignore", LM_CSV);
  EXPECT_ERROR(s, r, 422, "validation_failed", "map");
  assert_non_null(strstr(h_gets(r->json, "error.message"), "Province"));
  /* The rest of the map is read as before: an unknown role is still refused. */
  EXPECT_ERROR(s, lm_upload(s, "city=ignore,Thành phố=town", LM_CSV), 422, "validation_failed",
               "map");
}

static void list_map_ignoring_the_only_name_column_leaves_no_name(void **state) {
  h_server_t *s = *state;
  EXPECT_ERROR(s, lm_upload(s, "full_name=ignore", LM_CSV), 422, "validation_failed", "map");
}

int api_list_map_tests(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(list_map_ignore_leaves_out_a_column_named_for_a_role),
      cmocka_unit_test(list_map_ignore_of_a_column_not_in_the_header_is_refused),
      cmocka_unit_test(list_map_ignoring_the_only_name_column_leaves_no_name),
  };
  return cmocka_run_group_tests_name("list_map", tests, h_group_setup, h_group_teardown);
}
