/* secret.c - keys, sealing, lookup hashes, public ids, tokens, passwords; see secret.h. */
#include "domain/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

#define SECRET_KDF_CTX "baohokey"
/* Argon2id cost: the OWASP floor (19 MiB, 2 passes) keeps logins fast but brute force costly. */
#define PASSWORD_OPSLIMIT 2
#define PASSWORD_MEMLIMIT (19u * 1024u * 1024u)

/*
 * Sealing nonces come from a per-thread pool of bytes of the operating system's generator,
 * refilled with one getrandom call per SECRET_NONCE_POOL bytes instead of one per nonce (an
 * import seals two numbers per row). Each byte is handed out once; a forked child forgets the
 * pool it inherited, so parent and child never share a nonce.
 */
#define SECRET_NONCE_POOL 4096
static _Thread_local unsigned char nonce_pool[SECRET_NONCE_POOL];
static _Thread_local size_t nonce_left;

static void nonce_pool_forget(void) { nonce_left = 0; }

static void secret_atfork_register(void) { pthread_atfork(NULL, NULL, nonce_pool_forget); }

static void nonce_take(unsigned char out[crypto_secretbox_NONCEBYTES]) {
  if (nonce_left < crypto_secretbox_NONCEBYTES) {
    randombytes_buf(nonce_pool, sizeof(nonce_pool));
    nonce_left = sizeof(nonce_pool);
  }
  unsigned char *p = nonce_pool + sizeof(nonce_pool) - nonce_left;
  memcpy(out, p, crypto_secretbox_NONCEBYTES);
  sodium_memzero(p, crypto_secretbox_NONCEBYTES);
  nonce_left -= crypto_secretbox_NONCEBYTES;
}

int secret_init(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  if (sodium_init() < 0) return BH_ERR_CRYPTO;
  pthread_once(&once, secret_atfork_register);
  return BH_OK;
}

void secret_from_master(const unsigned char master[SECRET_KEY_BYTES], secret_t *out) {
  crypto_kdf_derive_from_key(out->enc, sizeof(out->enc), 1, SECRET_KDF_CTX, master);
  crypto_kdf_derive_from_key(out->index, sizeof(out->index), 2, SECRET_KDF_CTX, master);
  for (int k = 0; k < PUBID_KIND_MAX; k++) {
    crypto_kdf_derive_from_key(out->pubid[k], sizeof(out->pubid[k]), 100 + (uint64_t)k,
                               SECRET_KDF_CTX, master);
  }
}

static int secret_read_exact(int fd, unsigned char *p, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return BH_ERR_IO;
    got += (size_t)r;
  }
  return BH_OK;
}

int secret_load(const char *path, secret_t *out) {
  unsigned char master[SECRET_KEY_BYTES];
  int rc = BH_ERR_IO;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      fprintf(stderr, "baoho: cannot create key file %s: %s\n", path, strerror(errno));
      return BH_ERR_IO;
    }
    randombytes_buf(master, sizeof(master));
    if (write(fd, master, sizeof(master)) != (ssize_t)sizeof(master) || fsync(fd) != 0) {
      fprintf(stderr, "baoho: cannot write key file %s: %s\n", path, strerror(errno));
      unlink(path); /* A partial key file would be refused at the next start. */
      goto out;
    }
    rc = BH_OK;
    goto out;
  }
  if (fd < 0) {
    fprintf(stderr, "baoho: cannot open key file %s: %s\n", path, strerror(errno));
    return BH_ERR_IO;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    fprintf(stderr, "baoho: key file %s must be readable by its owner only (chmod 600)\n", path);
    goto out;
  }
  if (st.st_size != SECRET_KEY_BYTES || secret_read_exact(fd, master, sizeof(master)) != BH_OK) {
    fprintf(stderr, "baoho: key file %s is not a %d-byte key\n", path, SECRET_KEY_BYTES);
    goto out;
  }
  rc = BH_OK;
out:
  if (rc == BH_OK) secret_from_master(master, out);
  sodium_memzero(master, sizeof(master));
  if (fd >= 0) close(fd);
  return rc;
}

void secret_seal(const secret_t *s, const void *plain, size_t len, unsigned char *out) {
  nonce_take(out);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, plain, len, out, s->enc);
}

int secret_open(const secret_t *s, const unsigned char *sealed, size_t sealed_len, void *out) {
  if (sealed_len < SECRET_SEAL_OVERHEAD) return BH_ERR_CRYPTO;
  if (crypto_secretbox_open_easy(out, sealed + crypto_secretbox_NONCEBYTES,
                                 sealed_len - crypto_secretbox_NONCEBYTES, sealed, s->enc) != 0) {
    return BH_ERR_CRYPTO;
  }
  return BH_OK;
}

int secret_canon_number(const char *in, char *canon, size_t cap) {
  size_t n = 0;
  for (const char *p = in; *p; p++) {
    char c = *p;
    if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) continue;
    if (n + 1 >= cap) return BH_ERR_INVALID;
    canon[n++] = c;
  }
  if (n == 0) return BH_ERR_INVALID;
  canon[n] = '\0';
  return BH_OK;
}

void secret_index(const secret_t *s, const char *kind, const char *canon,
                  unsigned char out[SECRET_INDEX_BYTES]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, s->index, sizeof(s->index), SECRET_INDEX_BYTES);
  crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
  crypto_generichash_update(&st, (const unsigned char *)canon, strlen(canon));
  crypto_generichash_final(&st, out, SECRET_INDEX_BYTES);
}

/* One Feistel round function: SipHash of the half and the round number, truncated to 32 bits. */
static uint32_t pubid_round(const unsigned char key[16], uint32_t half, int round) {
  unsigned char in[5], h[crypto_shorthash_BYTES];
  memcpy(in, &half, 4);
  in[4] = (unsigned char)round;
  crypto_shorthash(h, in, sizeof(in), key);
  uint32_t v;
  memcpy(&v, h, 4);
  return v;
}

#define PUBID_ROUNDS 4
static const char pubid_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

void pubid_encode(const secret_t *s, enum pubid_kind kind, int64_t id, char out[PUBID_LEN + 1]) {
  uint64_t v = (uint64_t)id;
  uint32_t l = (uint32_t)(v >> 32), r = (uint32_t)v;
  for (int i = 0; i < PUBID_ROUNDS; i++) {
    uint32_t t = r;
    r = l ^ pubid_round(s->pubid[kind], r, i);
    l = t;
  }
  v = ((uint64_t)l << 32) | r;
  for (int i = PUBID_LEN - 1; i >= 0; i--) {
    out[i] = pubid_alphabet[v & 31];
    v >>= 5;
  }
  out[PUBID_LEN] = '\0';
}

int pubid_decode(const secret_t *s, enum pubid_kind kind, const char *text, int64_t *id) {
  uint64_t v = 0;
  if (text == NULL || strlen(text) != PUBID_LEN) return BH_ERR_NOT_FOUND;
  for (int i = 0; i < PUBID_LEN; i++) {
    const char *p = strchr(pubid_alphabet, text[i]);
    if (text[i] == '\0' || p == NULL) return BH_ERR_NOT_FOUND;
    /* The first character carries only the top bit of 65; a set spare bit is no valid id. */
    if (i == 0 && (p - pubid_alphabet) > 15) return BH_ERR_NOT_FOUND;
    v = (v << 5) | (uint64_t)(p - pubid_alphabet);
  }
  uint32_t l = (uint32_t)(v >> 32), r = (uint32_t)v;
  for (int i = PUBID_ROUNDS - 1; i >= 0; i--) {
    uint32_t t = l;
    l = r ^ pubid_round(s->pubid[kind], l, i);
    r = t;
  }
  v = ((uint64_t)l << 32) | r;
  if (v == 0 || v >= (uint64_t)PUBID_MAX_ID) return BH_ERR_NOT_FOUND;
  *id = (int64_t)v;
  return BH_OK;
}

void secret_token_new(char out[SECRET_TOKEN_LEN + 1]) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2base64(out, SECRET_TOKEN_LEN + 1, raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
}

void secret_token_hash(const char *token, unsigned char out[SECRET_TOKEN_HASH_BYTES]) {
  crypto_generichash(out, SECRET_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token),
                     NULL, 0);
}

int password_acceptable(const char *password) {
  size_t n = strlen(password);
  if (n < PASSWORD_MIN_LEN || n > PASSWORD_MAX_LEN) return BH_ERR_INVALID;
  return BH_OK;
}

int password_hash(const char *password, char out[PASSWORD_HASH_MAX]) {
  _Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX, "hash buffer");
  if (crypto_pwhash_str_alg(out, password, strlen(password), PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return BH_ERR_NOMEM;
  }
  return BH_OK;
}

int password_verify(const char *hash, const char *password) {
  return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
