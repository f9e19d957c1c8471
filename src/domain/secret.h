/*
 * secret.h - the server's keys, and everything done with them: encryption of sensitive
 * identifiers at rest, keyed hashes that keep them findable by exact value, opaque public ids,
 * random tokens, and Argon2id password hashing.
 *
 * One 32-byte master key lives in a key file (mode 0600, created on first run); every purpose
 * uses its own subkey derived from it with libsodium's KDF, so no two uses share a key. A
 * secret_t is read-only after secret_load and may be shared by all threads.
 */
#ifndef BAOHO_SECRET_H
#define BAOHO_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_BYTES 32
#define SECRET_INDEX_BYTES 32
/* Sealed = 24-byte nonce + 16-byte MAC + plaintext. */
#define SECRET_SEAL_OVERHEAD 40
/* A public id is 13 characters of Crockford base32 (65 bits carry a 64-bit permuted id). */
#define PUBID_LEN 13
/* Random tokens (sessions, API tokens, manage links) carry 256 bits: 43 base64url characters. */
#define SECRET_TOKEN_LEN 43
#define SECRET_TOKEN_HASH_BYTES 32
#define PASSWORD_MIN_LEN 10
#define PASSWORD_MAX_LEN 256
#define PASSWORD_HASH_MAX 128

/* Kinds of public ids; each kind permutes with its own key so ids of kinds are unrelated. */
enum pubid_kind {
  PUBID_MISSION = 1,
  PUBID_USER,
  PUBID_PERSON,
  PUBID_PRESENCE,
  PUBID_STATUS,
  PUBID_AUDIT,
  PUBID_TOKEN,
  PUBID_CRISIS,
  PUBID_ADVISORY,
  PUBID_ALERT,
  PUBID_SITE,      /* staging sites (store_evac.h) */
  PUBID_TRANSPORT, /* transports (store_evac.h) */
  PUBID_MANIFEST,  /* manifest entries of a transport (store_evac.h) */
  PUBID_CASE,       /* assistance cases (store_case.h) */
  PUBID_CASE_EVENT, /* timeline events of a case (store_case.h) */
  PUBID_LIST,       /* lists from foreign authorities (store_list.h) */
  PUBID_KIND_MAX
};

typedef struct secret {
  unsigned char enc[SECRET_KEY_BYTES];   /* XChaCha20-Poly1305 (secretbox) for identifiers. */
  unsigned char index[SECRET_KEY_BYTES]; /* BLAKE2b key for exact-match lookup hashes. */
  unsigned char pubid[PUBID_KIND_MAX][16]; /* SipHash keys of the id permutation. */
} secret_t;

/* Initialises libsodium once; returns BH_OK or BH_ERR_CRYPTO. Safe to call repeatedly. */
int secret_init(void);
/*
 * Loads the master key from path, creating it (mode 0600, exclusive create) when absent, and
 * derives the subkeys into out. Refuses a key file readable by group or others, or of the wrong
 * size, with BH_ERR_IO and a message on stderr naming the file.
 */
int secret_load(const char *path, secret_t *out /* OUT */);
/* Fills out from a fixed 32-byte master key (tests and fuzzers only). */
void secret_from_master(const unsigned char master[SECRET_KEY_BYTES], secret_t *out /* OUT */);

/* Encrypts len bytes into out, which must hold len + SECRET_SEAL_OVERHEAD bytes. */
void secret_seal(const secret_t *s, const void *plain, size_t len, unsigned char *out /* OUT */);
/*
 * Decrypts sealed (sealed_len >= SECRET_SEAL_OVERHEAD) into out, which must hold
 * sealed_len - SECRET_SEAL_OVERHEAD bytes. Returns BH_ERR_CRYPTO if forged or corrupt.
 */
int secret_open(const secret_t *s, const unsigned char *sealed, size_t sealed_len,
                void *out /* OUT */);
/*
 * Canonicalises an identity number (uppercase ASCII letters and digits only, every other byte
 * dropped) into canon (cap bytes incl. NUL). Returns BH_ERR_INVALID if nothing remains or it
 * does not fit.
 */
int secret_canon_number(const char *in, char *canon /* OUT */, size_t cap);
/* The keyed hash of a canonical identity number, tagged by kind ("passport", "national_id"). */
void secret_index(const secret_t *s, const char *kind, const char *canon,
                  unsigned char out[SECRET_INDEX_BYTES] /* OUT */);

/*
 * Internal ids must stay below 2^48. The 16 spare bits of the permuted value act as a check:
 * an id of another kind, or a typo, decodes to a value above the bound and is refused (all but
 * one in 65,536 such strings).
 */
#define PUBID_MAX_ID ((int64_t)1 << 48)

/* Encodes internal id (0 < id < PUBID_MAX_ID) of the given kind as an opaque public id (PUBID_LEN chars + NUL). */
void pubid_encode(const secret_t *s, enum pubid_kind kind, int64_t id, char out[PUBID_LEN + 1]);
/* Decodes a public id; returns BH_ERR_NOT_FOUND for anything that is not a valid id of kind. */
int pubid_decode(const secret_t *s, enum pubid_kind kind, const char *text, int64_t *id /* OUT */);

/* Makes a new random token (SECRET_TOKEN_LEN base64url chars + NUL). */
void secret_token_new(char out[SECRET_TOKEN_LEN + 1]);
/* The unkeyed BLAKE2b hash of a token, as stored in the database instead of the token. */
void secret_token_hash(const char *token, unsigned char out[SECRET_TOKEN_HASH_BYTES]);

/* Hashes a password with Argon2id into out (NUL-terminated). BH_ERR_NOMEM if memory fails. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX] /* OUT */);
/* Returns 1 if password matches the stored hash, 0 otherwise (also for a malformed hash). */
int password_verify(const char *hash, const char *password);
/* Checks length and UTF-8 policy; returns BH_OK or BH_ERR_INVALID. */
int password_acceptable(const char *password);

#endif
