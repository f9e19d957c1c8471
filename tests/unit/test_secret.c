/*
 * test_secret.c - unit tests for domain/secret: opaque public ids, sealing of identity numbers,
 * lookup hashes, the key file, random tokens and password hashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/secret.h"
#include "util/err.h"

static const char pubid_chars[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* A fixed master key, so that every run sees the same public ids. */
static void test_secret(secret_t *s, unsigned char fill) {
  unsigned char master[SECRET_KEY_BYTES];
  for (size_t i = 0; i < sizeof(master); i++) master[i] = (unsigned char)(fill + 7 * i);
  secret_from_master(master, s);
}

static int setup_sodium(void **state) {
  (void)state;
  return secret_init() == BH_OK ? 0 : -1;
}

static size_t common_prefix(const char *a, const char *b) {
  size_t n = 0;
  while (a[n] && a[n] == b[n]) n++;
  return n;
}

static void assert_round_trip(const secret_t *s, enum pubid_kind kind, int64_t id) {
  char text[PUBID_LEN + 1];
  pubid_encode(s, kind, id, text);
  assert_int_equal(strlen(text), PUBID_LEN);
  assert_int_equal(strspn(text, pubid_chars), PUBID_LEN);
  int64_t back = 0;
  assert_int_equal(pubid_decode(s, kind, text, &back), BH_OK);
  if (back != id) fail_msg("%s decodes to %lld, not %lld", text, (long long)back, (long long)id);
}

/* ---- public ids ---- */

static void pubid_round_trips_small_large_and_random_ids(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  for (int64_t id = 1; id <= 2000; id++) assert_round_trip(&s, PUBID_PERSON, id);
  for (int bit = 0; bit < 47; bit++) {
    assert_round_trip(&s, PUBID_PERSON, INT64_C(1) << bit);
    assert_round_trip(&s, PUBID_PERSON, (INT64_C(1) << bit) + 1);
  }
  assert_round_trip(&s, PUBID_PERSON, PUBID_MAX_ID - 1);
  assert_round_trip(&s, PUBID_PERSON, PUBID_MAX_ID - 2);
  uint64_t x = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < 2000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int64_t id = (int64_t)(x % (uint64_t)PUBID_MAX_ID);
    if (id == 0) continue;
    for (int kind = PUBID_MISSION; kind < PUBID_KIND_MAX; kind++) {
      assert_round_trip(&s, (enum pubid_kind)kind, id);
    }
  }
}

static void pubid_of_consecutive_ids_look_unrelated(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  enum { N = 1000 };
  static char ids[N][PUBID_LEN + 1];
  for (int i = 0; i < N; i++) pubid_encode(&s, PUBID_PERSON, i + 1, ids[i]);
  size_t ascending = 0, longest = 0;
  for (int i = 0; i + 1 < N; i++) {
    /* Neighbours share at most a few leading characters. */
    size_t p = common_prefix(ids[i], ids[i + 1]);
    if (p > 3) {
      fail_msg("ids %d and %d share %zu chars: %s %s", i + 1, i + 2, p, ids[i], ids[i + 1]);
    }
    if (strcmp(ids[i], ids[i + 1]) < 0) ascending++;
    for (int j = i + 1; j < N; j++) {
      size_t q = common_prefix(ids[i], ids[j]);
      if (q > longest) longest = q;
      assert_true(q < PUBID_LEN); /* and all distinct */
    }
  }
  assert_true(longest <= 5);
  /* Not sorted: about half of the neighbours ascend. */
  assert_true(ascending > N * 4 / 10 && ascending < N * 6 / 10);
}

static void pubid_differs_by_kind_and_does_not_decode_as_another_kind(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  size_t refused = 0;
  for (int64_t id = 1; id <= 1000; id++) {
    char person[PUBID_LEN + 1], user[PUBID_LEN + 1];
    pubid_encode(&s, PUBID_PERSON, id, person);
    pubid_encode(&s, PUBID_USER, id, user);
    assert_string_not_equal(person, user);
    for (int kind = PUBID_MISSION; kind < PUBID_KIND_MAX; kind++) {
      if (kind == PUBID_PERSON) continue;
      int64_t other = 0;
      int rc = pubid_decode(&s, (enum pubid_kind)kind, person, &other);
      if (rc == BH_OK) {
        if (other == id) fail_msg("person %s decodes as kind %d to the same id", person, kind);
      } else {
        assert_int_equal(rc, BH_ERR_NOT_FOUND);
        refused++;
      }
    }
  }
  /* All but 1 in 65,536 values are past PUBID_MAX_ID: nearly every wrong-kind decoding fails. */
  assert_true(refused >= 1000 * (PUBID_KIND_MAX - 2) - 2); /* 1000 ids x other kinds */
}

static void pubid_differs_by_master_key(void **state) {
  (void)state;
  secret_t a, b;
  test_secret(&a, 1);
  test_secret(&b, 2);
  char ta[PUBID_LEN + 1], tb[PUBID_LEN + 1];
  pubid_encode(&a, PUBID_PERSON, 42, ta);
  pubid_encode(&b, PUBID_PERSON, 42, tb);
  assert_string_not_equal(ta, tb);
  int64_t id = 0;
  assert_true(pubid_decode(&b, PUBID_PERSON, ta, &id) != BH_OK || id != 42);
}

static void pubid_decode_refuses_malformed_text(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  char good[PUBID_LEN + 1];
  pubid_encode(&s, PUBID_PERSON, 12345, good);
  int64_t id = -7;
  assert_int_equal(pubid_decode(&s, PUBID_PERSON, NULL, &id), BH_ERR_NOT_FOUND);
  assert_int_equal(pubid_decode(&s, PUBID_PERSON, "", &id), BH_ERR_NOT_FOUND);

  char text[PUBID_LEN + 2];
  /* One character short, one too many. */
  memcpy(text, good, PUBID_LEN - 1);
  text[PUBID_LEN - 1] = '\0';
  assert_int_equal(pubid_decode(&s, PUBID_PERSON, text, &id), BH_ERR_NOT_FOUND);
  memcpy(text, good, PUBID_LEN);
  text[PUBID_LEN] = '0';
  text[PUBID_LEN + 1] = '\0';
  assert_int_equal(pubid_decode(&s, PUBID_PERSON, text, &id), BH_ERR_NOT_FOUND);

  /* Characters outside the lowercase Crockford alphabet, at every position. */
  const char bad[] = "ilouILOU!-_ /.\x80\xff";
  for (size_t pos = 0; pos < PUBID_LEN; pos++) {
    for (size_t k = 0; k < sizeof(bad) - 1; k++) {
      memcpy(text, good, PUBID_LEN + 1);
      text[pos] = bad[k];
      assert_int_equal(pubid_decode(&s, PUBID_PERSON, text, &id), BH_ERR_NOT_FOUND);
    }
  }
  /* Uppercase is not accepted either (public ids are always written lowercase). */
  memcpy(text, good, PUBID_LEN + 1);
  for (size_t pos = 0; pos < PUBID_LEN; pos++) {
    if (text[pos] >= 'a' && text[pos] <= 'z') {
      text[pos] = (char)(text[pos] - 'a' + 'A');
      assert_int_equal(pubid_decode(&s, PUBID_PERSON, text, &id), BH_ERR_NOT_FOUND);
      break;
    }
  }

  /* The first character carries only the top bit of 65: 'g' and above set the spare bit. */
  for (const char *c = "ghjkmnpqrstvwxyz"; *c; c++) {
    memcpy(text, good, PUBID_LEN + 1);
    text[0] = *c;
    assert_int_equal(pubid_decode(&s, PUBID_PERSON, text, &id), BH_ERR_NOT_FOUND);
  }
  assert_int_equal(id, -7);
}

static void pubid_decode_of_altered_text_never_gives_original_id(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  char good[PUBID_LEN + 1];
  pubid_encode(&s, PUBID_PERSON, 777, good);
  for (size_t pos = 0; pos < PUBID_LEN; pos++) {
    for (size_t k = 0; k < 32; k++) {
      char text[PUBID_LEN + 1];
      memcpy(text, good, sizeof(text));
      if (text[pos] == pubid_chars[k]) continue;
      text[pos] = pubid_chars[k];
      int64_t id = 0;
      if (pubid_decode(&s, PUBID_PERSON, text, &id) == BH_OK) assert_true(id != 777 && id > 0);
    }
  }
}

/* ---- sealing ---- */

static void seal_and_open_round_trip(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  const char *plain[] = {"", "B1234567", "079085001234",
                         ("a longer value that spans more than one block of the stream cipher, "
                          "to be sure the whole of it comes back")};
  for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
    size_t len = strlen(plain[i]);
    unsigned char sealed[256];
    char back[256];
    secret_seal(&s, plain[i], len, sealed);
    memset(back, 'x', sizeof(back));
    assert_int_equal(secret_open(&s, sealed, len + SECRET_SEAL_OVERHEAD, back), BH_OK);
    assert_memory_equal(back, plain[i], len);
    assert_int_equal(back[len], 'x'); /* nothing written past the plaintext */
  }
}

static void seal_of_same_plaintext_differs_each_time(void **state) {
  (void)state;
  secret_t s;
  test_secret(&s, 1);
  unsigned char a[8 + SECRET_SEAL_OVERHEAD], b[8 + SECRET_SEAL_OVERHEAD];
  secret_seal(&s, "B1234567", 8, a);
  secret_seal(&s, "B1234567", 8, b);
  assert_memory_not_equal(a, b, sizeof(a));
  /* The plaintext does not appear in the sealed bytes. */
  for (size_t i = 0; i + 8 <= sizeof(a); i++) assert_memory_not_equal(a + i, "B1234567", 8);
}

static void open_refuses_tampered_truncated_or_foreign_data(void **state) {
  (void)state;
  secret_t s, other;
  test_secret(&s, 1);
  test_secret(&other, 2);
  enum { LEN = 12 };
  unsigned char sealed[LEN + SECRET_SEAL_OVERHEAD];
  char out[LEN + 1];
  secret_seal(&s, "C 1234-56789", LEN, sealed);
  for (size_t i = 0; i < sizeof(sealed); i++) {
    for (int bit = 0; bit < 8; bit += 3) {
      sealed[i] ^= (unsigned char)(1u << bit);
      assert_int_equal(secret_open(&s, sealed, sizeof(sealed), out), BH_ERR_CRYPTO);
      sealed[i] ^= (unsigned char)(1u << bit);
    }
  }
  assert_int_equal(secret_open(&s, sealed, sizeof(sealed), out), BH_OK);
  assert_int_equal(secret_open(&s, sealed, sizeof(sealed) - 1, out), BH_ERR_CRYPTO);
  assert_int_equal(secret_open(&s, sealed, SECRET_SEAL_OVERHEAD - 1, out), BH_ERR_CRYPTO);
  assert_int_equal(secret_open(&s, sealed, 0, out), BH_ERR_CRYPTO);
  assert_int_equal(secret_open(&other, sealed, sizeof(sealed), out), BH_ERR_CRYPTO);
}

/* ---- identity numbers ---- */

static void assert_canon(const char *in, const char *want) {
  char canon[40];
  assert_int_equal(secret_canon_number(in, canon, sizeof(canon)), BH_OK);
  assert_string_equal(canon, want);
}

static void canon_number_uppercases_and_drops_separators(void **state) {
  (void)state;
  assert_canon("b1234567", "B1234567");
  assert_canon("B 123-4567", "B1234567");
  assert_canon("  c-12 34 ", "C1234");
  assert_canon("079 085 001 234", "079085001234");
  assert_canon("N\xc2\xba 12.345/A", "N12345A");
}

static void canon_number_refuses_empty_and_oversized_results(void **state) {
  (void)state;
  char canon[8];
  assert_int_equal(secret_canon_number("", canon, sizeof(canon)), BH_ERR_INVALID);
  assert_int_equal(secret_canon_number(" - - ", canon, sizeof(canon)), BH_ERR_INVALID);
  assert_int_equal(secret_canon_number("\xc3\xa9\xc3\xa9", canon, sizeof(canon)),
                   BH_ERR_INVALID);
  /* Seven characters and the NUL fit in eight bytes; eight characters do not. */
  assert_int_equal(secret_canon_number("abc-defg", canon, sizeof(canon)), BH_OK);
  assert_string_equal(canon, "ABCDEFG");
  assert_int_equal(secret_canon_number("abcdefgh", canon, sizeof(canon)), BH_ERR_INVALID);
  assert_int_equal(secret_canon_number("A", canon, 1), BH_ERR_INVALID);
}

static void index_is_deterministic_and_differs_by_kind_value_and_key(void **state) {
  (void)state;
  secret_t s, other;
  test_secret(&s, 1);
  test_secret(&other, 2);
  unsigned char a[SECRET_INDEX_BYTES], b[SECRET_INDEX_BYTES];
  secret_index(&s, "passport", "B1234567", a);
  secret_index(&s, "passport", "B1234567", b);
  assert_memory_equal(a, b, sizeof(a));
  secret_index(&s, "national_id", "B1234567", b);
  assert_memory_not_equal(a, b, sizeof(a));
  secret_index(&s, "passport", "B1234568", b);
  assert_memory_not_equal(a, b, sizeof(a));
  secret_index(&other, "passport", "B1234567", b);
  assert_memory_not_equal(a, b, sizeof(a));
  /* The kind and the number are kept apart: moving a byte across the boundary changes it. */
  secret_index(&s, "passportB", "1234567", b);
  assert_memory_not_equal(a, b, sizeof(a));
}

/* ---- the key file ---- */

struct key_dir {
  char dir[64];
  char path[96];
};

static void key_dir_make(struct key_dir *k) {
  snprintf(k->dir, sizeof(k->dir), "/tmp/baoho_test_secret_XXXXXX");
  assert_non_null(mkdtemp(k->dir));
  snprintf(k->path, sizeof(k->path), "%s/master.key", k->dir);
}

static void key_dir_remove(struct key_dir *k) {
  unlink(k->path);
  rmdir(k->dir);
}

static void write_file(const char *path, const void *data, size_t n, mode_t mode) {
  unlink(path);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(data, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(chmod(path, mode), 0);
}

static void load_creates_owner_only_key_file_and_reloads_same_key(void **state) {
  (void)state;
  struct key_dir k;
  key_dir_make(&k);
  secret_t first, second;
  memset(&first, 0, sizeof(first));
  assert_int_equal(secret_load(k.path, &first), BH_OK);
  struct stat st;
  assert_int_equal(stat(k.path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, SECRET_KEY_BYTES);
  secret_t zero;
  memset(&zero, 0, sizeof(zero));
  assert_memory_not_equal(&first, &zero, sizeof(first));

  memset(&second, 0, sizeof(second));
  assert_int_equal(secret_load(k.path, &second), BH_OK);
  assert_memory_equal(&first, &second, sizeof(first));

  /* The loaded key is the one in the file. */
  unsigned char master[SECRET_KEY_BYTES];
  FILE *f = fopen(k.path, "rb");
  assert_non_null(f);
  assert_int_equal(fread(master, 1, sizeof(master), f), sizeof(master));
  fclose(f);
  secret_t derived;
  secret_from_master(master, &derived);
  assert_memory_equal(&derived, &first, sizeof(first));
  key_dir_remove(&k);
}

static void load_of_a_new_key_file_gives_a_new_key(void **state) {
  (void)state;
  struct key_dir a, b;
  key_dir_make(&a);
  key_dir_make(&b);
  secret_t sa, sb;
  assert_int_equal(secret_load(a.path, &sa), BH_OK);
  assert_int_equal(secret_load(b.path, &sb), BH_OK);
  assert_memory_not_equal(&sa, &sb, sizeof(sa));
  key_dir_remove(&a);
  key_dir_remove(&b);
}

static void load_refuses_key_file_readable_by_others(void **state) {
  (void)state;
  struct key_dir k;
  key_dir_make(&k);
  unsigned char master[SECRET_KEY_BYTES] = {1, 2, 3};
  secret_t s;
  write_file(k.path, master, sizeof(master), 0644);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  assert_int_equal(chmod(k.path, 0640), 0);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  assert_int_equal(chmod(k.path, 0604), 0);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  assert_int_equal(chmod(k.path, 0600), 0);
  assert_int_equal(secret_load(k.path, &s), BH_OK);
  assert_int_equal(chmod(k.path, 0400), 0);
  assert_int_equal(secret_load(k.path, &s), BH_OK);
  key_dir_remove(&k);
}

static void load_refuses_key_file_of_wrong_size(void **state) {
  (void)state;
  struct key_dir k;
  key_dir_make(&k);
  unsigned char bytes[SECRET_KEY_BYTES + 1] = {0};
  secret_t s;
  write_file(k.path, bytes, 0, 0600);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  write_file(k.path, bytes, SECRET_KEY_BYTES - 1, 0600);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  write_file(k.path, bytes, SECRET_KEY_BYTES + 1, 0600);
  assert_int_equal(secret_load(k.path, &s), BH_ERR_IO);
  key_dir_remove(&k);
}

static void load_fails_when_directory_is_missing(void **state) {
  (void)state;
  secret_t s;
  assert_int_equal(secret_load("/tmp/baoho_no_such_dir_for_test/master.key", &s), BH_ERR_IO);
}

/* ---- tokens and passwords ---- */

static void tokens_are_43_base64url_chars_and_differ(void **state) {
  (void)state;
  enum { N = 200 };
  static char tokens[N][SECRET_TOKEN_LEN + 1];
  for (int i = 0; i < N; i++) {
    secret_token_new(tokens[i]);
    assert_int_equal(strlen(tokens[i]), SECRET_TOKEN_LEN);
    assert_int_equal(strspn(tokens[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789-_"),
                     SECRET_TOKEN_LEN);
    for (int j = 0; j < i; j++) assert_string_not_equal(tokens[i], tokens[j]);
  }
}

static void token_hash_is_deterministic_and_differs_by_token(void **state) {
  (void)state;
  char t1[SECRET_TOKEN_LEN + 1], t2[SECRET_TOKEN_LEN + 1];
  secret_token_new(t1);
  secret_token_new(t2);
  unsigned char a[SECRET_TOKEN_HASH_BYTES], b[SECRET_TOKEN_HASH_BYTES];
  secret_token_hash(t1, a);
  secret_token_hash(t1, b);
  assert_memory_equal(a, b, sizeof(a));
  secret_token_hash(t2, b);
  assert_memory_not_equal(a, b, sizeof(a));
}

static void password_verify_accepts_right_and_refuses_wrong_password(void **state) {
  (void)state;
  char hash[PASSWORD_HASH_MAX];
  assert_int_equal(password_hash("correct horse battery staple", hash), BH_OK);
  assert_non_null(strstr(hash, "$argon2id$"));
  assert_int_equal(password_verify(hash, "correct horse battery staple"), 1);
  assert_int_equal(password_verify(hash, "correct horse battery stapl"), 0);
  assert_int_equal(password_verify(hash, "Correct horse battery staple"), 0);
  assert_int_equal(password_verify(hash, ""), 0);

  /* A second hash of the same password uses another salt. */
  char again[PASSWORD_HASH_MAX];
  assert_int_equal(password_hash("correct horse battery staple", again), BH_OK);
  assert_string_not_equal(hash, again);
}

static void password_verify_refuses_malformed_hash(void **state) {
  (void)state;
  assert_int_equal(password_verify("", "whatever password"), 0);
  assert_int_equal(password_verify("$argon2id$v=19$m=19456,t=2,p=1$garbage", "whatever"), 0);
  assert_int_equal(password_verify("plain text", "plain text"), 0);
}

static void password_acceptable_enforces_length_bounds(void **state) {
  (void)state;
  char p[PASSWORD_MAX_LEN + 2];
  memset(p, 'a', sizeof(p));
  p[PASSWORD_MIN_LEN - 1] = '\0';
  assert_int_equal(password_acceptable(p), BH_ERR_INVALID);
  memset(p, 'a', sizeof(p));
  p[PASSWORD_MIN_LEN] = '\0';
  assert_int_equal(password_acceptable(p), BH_OK);
  memset(p, 'a', sizeof(p));
  p[PASSWORD_MAX_LEN] = '\0';
  assert_int_equal(password_acceptable(p), BH_OK);
  memset(p, 'a', sizeof(p));
  p[PASSWORD_MAX_LEN + 1] = '\0';
  assert_int_equal(password_acceptable(p), BH_ERR_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pubid_round_trips_small_large_and_random_ids),
      cmocka_unit_test(pubid_of_consecutive_ids_look_unrelated),
      cmocka_unit_test(pubid_differs_by_kind_and_does_not_decode_as_another_kind),
      cmocka_unit_test(pubid_differs_by_master_key),
      cmocka_unit_test(pubid_decode_refuses_malformed_text),
      cmocka_unit_test(pubid_decode_of_altered_text_never_gives_original_id),
      cmocka_unit_test(seal_and_open_round_trip),
      cmocka_unit_test(seal_of_same_plaintext_differs_each_time),
      cmocka_unit_test(open_refuses_tampered_truncated_or_foreign_data),
      cmocka_unit_test(canon_number_uppercases_and_drops_separators),
      cmocka_unit_test(canon_number_refuses_empty_and_oversized_results),
      cmocka_unit_test(index_is_deterministic_and_differs_by_kind_value_and_key),
      cmocka_unit_test(load_creates_owner_only_key_file_and_reloads_same_key),
      cmocka_unit_test(load_of_a_new_key_file_gives_a_new_key),
      cmocka_unit_test(load_refuses_key_file_readable_by_others),
      cmocka_unit_test(load_refuses_key_file_of_wrong_size),
      cmocka_unit_test(load_fails_when_directory_is_missing),
      cmocka_unit_test(tokens_are_43_base64url_chars_and_differ),
      cmocka_unit_test(token_hash_is_deterministic_and_differs_by_token),
      cmocka_unit_test(password_verify_accepts_right_and_refuses_wrong_password),
      cmocka_unit_test(password_verify_refuses_malformed_hash),
      cmocka_unit_test(password_acceptable_enforces_length_bounds),
  };
  return cmocka_run_group_tests(tests, setup_sodium, NULL);
}
