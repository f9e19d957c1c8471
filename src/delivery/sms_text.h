/*
 * sms_text.h - how an SMS body is encoded and how many parts it costs, and its unaccented form.
 *
 * A text is sent in the GSM 03.38 default alphabet (7-bit, "gsm7") when every character is in the
 * basic set or the extension table, and in UCS-2 ("ucs2") otherwise; Vietnamese with its tone marks
 * is almost always UCS-2. The units counted are septets for gsm7 (an extension-table character such
 * as € [ ] { } ^ ~ | \ and form feed takes two, the escape and the character) and UTF-16 code units
 * for ucs2 (a character outside the Basic Multilingual Plane, such as an emoji, takes two). One SMS
 * holds 160 septets or 70 units; a longer text is split into parts of 153 septets or 67 units (the
 * rest of each part carries the concatenation header), and a two-unit character is never split
 * across parts, so a part may end one unit short.
 *
 * The text is counted as given: callers should store and send text in NFC, since a decomposed
 * "é" is two characters and not in GSM-7. Every function is pure, keeps no state and is safe to
 * call from any thread.
 */
#ifndef BAOHO_SMS_TEXT_H
#define BAOHO_SMS_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* The limits of one SMS and of each part of a concatenated one, per encoding. */
#define SMSTEXT_GSM7_SINGLE 160
#define SMSTEXT_GSM7_PART 153
#define SMSTEXT_UCS2_SINGLE 70
#define SMSTEXT_UCS2_PART 67

typedef enum { SMSTEXT_GSM7 = 0, SMSTEXT_UCS2 = 1 } smstext_encoding;

/* What the console's live counter shows for a text. */
typedef struct {
  smstext_encoding encoding;
  size_t parts;              /* SMS parts the text costs; 0 for the empty text */
  size_t units;              /* septets (gsm7) or UTF-16 code units (ucs2) of the whole text */
  size_t units_left_in_part; /* units that still fit in the last part before another is needed */
} smstext_info;

/* Measures the len bytes of UTF-8 at text (no NUL needed): the encoding, the number of parts, the
 * units used and the units left in the last part. The empty text is gsm7, 0 parts, 0 units and
 * 160 left. Returns BH_OK; BH_ERR_INVALID if text is not valid UTF-8 (overlong forms, surrogates,
 * truncated sequences) or info is NULL, in which case *info is not changed. */
int smstext_measure(const char *text, size_t len, smstext_info *info /* OUT */);

/* The name of an encoding as the SMS gateway protocol spells it: "gsm7" or "ucs2". */
const char *smstext_encoding_name(smstext_encoding enc);

/* Appends to out a plain-ASCII transliteration of the len bytes of UTF-8 at in, for an officer who
 * prefers one unaccented GSM-7 part to three Vietnamese UCS-2 ones: Vietnamese letters lose their
 * tone and vowel marks and keep their case ("Đại sứ quán" gives "Dai su quan"), other Latin letters
 * likewise (ß→ss, æ→ae, ø→o, ł→l), typographic quotes, dashes, ellipses and spaces become their
 * ASCII forms, ₫ becomes d and € EUR, U+2028/U+2029 become line feeds, tab becomes a space, and
 * invisible format characters and control characters other than CR and LF are dropped; any other
 * character (another script, an emoji) becomes one '?'. Digits, punctuation, URLs and line breaks
 * are kept byte for byte, except the backtick, which is not in GSM-7 and becomes an apostrophe. The
 * result therefore always measures as gsm7. Returns BH_OK; BH_ERR_INVALID for invalid UTF-8 or a
 * NULL argument; BH_ERR_TOO_LARGE past out's maximum; BH_ERR_NOMEM. On error out is truncated back
 * to the length it had on entry. */
int smstext_unaccented(const char *in, size_t len, buf_t *out /* OUT, appended to */);

#endif
