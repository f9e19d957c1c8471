/*
 * name.h - normalisation of personal names, Vietnamese first.
 *
 * Two forms of a name exist. The display form (name_nfc) is what a person typed, made safe to
 * store and compare byte for byte: valid UTF-8 in NFC, no control characters, single spaces. The
 * folded form (name_fold) is a search key: lowercase, without tone marks or other diacritics,
 * with đ/Đ and similar letters reduced to plain Latin, and punctuation turned into word
 * breaks, so that "PHẠM THU HẰNG", "Phạm Thu Hằng" and "pham-thu hang" all give
 * "pham thu hang". Tokens of a folded key can be split out, sorted into an order-independent key
 * ("hang pham thu"), and compared with the helpers for identity matching at the end of this
 * header. Every function is pure, keeps no state, and is safe to call from any thread.
 */
#ifndef BAOHO_NAME_H
#define BAOHO_NAME_H

#include <stddef.h>

/* The longest name accepted, in bytes of its display or folded form (NUL not counted). */
#define NAME_MAX_BYTES 300
/* The longest raw input name_nfc and name_fold read, in bytes; longer input is refused before
 * any work so that runs of spaces cannot make a huge input pass. */
#define NAME_MAX_INPUT_BYTES (4 * NAME_MAX_BYTES)
/* The size of one token slot for name_tokens, NUL included. */
#define NAME_TOKEN_MAX 32
/* The number of token slots a caller of name_tokens normally provides. */
#define NAME_MAX_TOKENS 12

/* Normalises the len bytes at in (no NUL needed) into the display form: checks that they are
 * valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) without control
 * characters (C0 including tab and newline, DEL, C1) or line/paragraph separators; converts to
 * NFC; removes leading and trailing whitespace and replaces every run of Unicode space
 * characters with one ASCII space. Writes the result and a NUL to out (cap bytes) and its length
 * to *out_len if out_len is not NULL. An input of only spaces gives the empty string.
 * Returns BH_OK; BH_ERR_INVALID for bad input or NULL in/out; BH_ERR_TOO_LARGE if len exceeds
 * NAME_MAX_INPUT_BYTES, the result exceeds NAME_MAX_BYTES or it does not fit in cap with its NUL;
 * BH_ERR_NOMEM. On error out holds the empty string if cap > 0. */
int name_nfc(const char *in, size_t len, char *out /* OUT */, size_t cap,
             size_t *out_len /* OUT, may be NULL */);

/* Builds the folded search key of the len bytes at in: full case folding and compatibility
 * decomposition (NFKD, so fullwidth letters and ligatures become plain ones), all combining
 * marks removed, Latin letters without a decomposition mapped to ASCII (đ→d, ø→o, ł→l, ß→ss,
 * æ→ae, œ→oe, þ→th, ...), every character that is neither a letter nor a digit (spaces,
 * controls, punctuation, hyphens, apostrophes) treated as a word break, breaks collapsed to one
 * ASCII space and trimmed. Latin input gives ASCII; letters of other scripts are kept, lowercased,
 * as UTF-8. Output, length and errors as for name_nfc, except that control characters are word
 * breaks here rather than errors (invalid UTF-8 is still BH_ERR_INVALID). */
int name_fold(const char *in, size_t len, char *out /* OUT */, size_t cap,
              size_t *out_len /* OUT, may be NULL */);

/* Splits the folded key at its spaces into tokens[0..n-1], each NUL-terminated, and returns n.
 * At most max_tokens tokens are stored and any further ones are ignored; a token longer than
 * NAME_TOKEN_MAX - 1 bytes is cut at the last whole UTF-8 character that fits. folded should come
 * from name_fold; runs of spaces are skipped. Returns 0 if folded is NULL. */
size_t name_tokens(const char *folded, char tokens[][NAME_TOKEN_MAX] /* OUT */,
                   size_t max_tokens);

/* Writes the tokens of the folded key sorted in byte order and joined by single spaces, with a
 * NUL, to out (cap bytes): every word order of a name gives the same key ("hang pham thu").
 * Returns BH_OK; BH_ERR_INVALID if an argument is NULL; BH_ERR_TOO_LARGE if the key does not fit
 * in cap or folded is longer than NAME_MAX_BYTES (out then holds the empty string if cap > 0). */
int name_sorted_key(const char *folded, char *out /* OUT */, size_t cap);

/* Returns 1 if the folded token is one of the common Vietnamese middle names (tên đệm: thi, van,
 * huu, duc, dinh, cong, ngoc, quang, xuan, kim, ba) that are often dropped or added
 * across documents and should weigh little when matching identities, else 0. NULL gives 0. */
int name_is_common_middle(const char *token);

/* Returns 1 if the folded tokens a and b are equal or form a known variant pair, else 0. The
 * pairs, listed in name.c, are Vietnamese names that one family may write differently by region
 * or because of an old naming taboo (hoang/huynh, vu/vo, phuc/phuoc). NULL gives 0. */
int name_variant_close(const char *a, const char *b);

/* Returns the canonical spelling of the folded token of len bytes at token (no NUL needed) when
 * it is the other spelling of a known variant pair ("huynh" gives "hoang", "vo" gives "vu"), else
 * NULL (for the canonical spellings themselves too). The pairs are those of
 * name_variant_close. NULL token gives NULL. */
const char *name_variant_canon(const char *token, size_t len);

#endif
