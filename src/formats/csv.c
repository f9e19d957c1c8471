/*
 * csv.c - RFC 4180 CSV reader, writer and header mapping; see csv.h.
 *
 * The reader keeps a window of decoded UTF-8 text that always starts at (or before) the first
 * byte of the row being parsed. Refilling slides the window so that the row's text stays in it:
 * that is what lets the reader go back to a failed row's first line and resume after it. The
 * window's size is bounded by max_row plus one read block. Bytes are classified through a
 * 256-entry table, so runs of ordinary bytes are scanned by a tight loop and copied into the row
 * buffer in one append.
 */
#include "formats/csv.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/err.h"

/* Size of one read from the source, and of the UTF-16 raw buffer. */
#define CSV_READ_BLOCK (128 * 1024)

/* Byte classes of the scanning tables. */
enum { CC_PLAIN = 0, CC_DELIM, CC_QUOTE, CC_CR, CC_LF, CC_NUL };

struct csv_reader {
  FILE *f;                  /* source file, or NULL for memory */
  const unsigned char *mem; /* memory source */
  size_t mem_len, mem_pos;
  int src_eof;              /* the source has no more bytes */
  int fatal;                /* sticky fatal error, or 0 */
  int resync;               /* skip to the next line before the next row */
  const char *errmsg;

  csv_encoding_t enc;
  char delim;
  csv_reader_options_t opt;
  unsigned char cls[256];  /* classes outside quotes */
  unsigned char qcls[256]; /* classes inside quotes (the delimiter is plain there) */

  unsigned char *in; /* window of UTF-8 text */
  size_t in_len, in_cap;
  size_t pos;     /* next unparsed byte in the window */
  uint64_t base;  /* text offset of in[0] */
  uint64_t line;  /* physical line number at pos */

  unsigned char *raw; /* UTF-16 bytes not yet transcoded */
  size_t raw_len, raw_pos;

  buf_t row;        /* decoded fields, each followed by a NUL */
  size_t *starts;   /* field offsets into row */
  size_t *lens;     /* field lengths */
  const char **ptrs;
  size_t fields_cap;
};

struct csv_writer {
  FILE *f;
  csv_writer_options_t opt;
  size_t nfields;  /* fields written in the current row */
  int first_empty; /* the current row's first field was empty */
};

void csv_reader_options_init(csv_reader_options_t *o) {
  o->delimiter = ',';
  o->max_field = CSV_MAX_FIELD;
  o->max_fields = CSV_MAX_FIELDS;
  o->max_row = CSV_MAX_ROW;
}

/* Reads up to want bytes of the source into dst. */
static int csv__src_read(csv_reader_t *r, unsigned char *dst, size_t want, size_t *got) {
  *got = 0;
  if (r->src_eof || want == 0) return BH_OK;
  if (r->f != NULL) {
    *got = fread(dst, 1, want, r->f);
    if (*got < want) {
      if (ferror(r->f)) return BH_ERR_IO;
      r->src_eof = 1;
    }
    return BH_OK;
  }
  size_t n = r->mem_len - r->mem_pos;
  if (n > want) n = want;
  if (n > 0) memcpy(dst, r->mem + r->mem_pos, n);
  r->mem_pos += n;
  if (n < want) r->src_eof = 1;
  *got = n;
  return BH_OK;
}

/* Writes code point cp as UTF-8 at out; returns the number of bytes (at most 4). */
static size_t csv__put_utf8(unsigned char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xC0 | (cp >> 6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (cp >> 18));
  out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Transcodes UTF-16 from the source into the window's free space; *produced says how many bytes
 * were added (0 only at the end of the input). Unpaired surrogates and a dangling odd byte
 * become U+FFFD. */
static int csv__transcode(csv_reader_t *r, size_t *produced) {
  unsigned char *out = r->in + r->in_len;
  size_t room = r->in_cap - r->in_len, o = 0;
  int le = r->enc == CSV_ENC_UTF16LE;
  int rc = BH_OK;

  for (;;) {
    size_t avail = r->raw_len - r->raw_pos;
    if (avail < 4 && !r->src_eof) {
      size_t got;
      memmove(r->raw, r->raw + r->raw_pos, avail);
      r->raw_pos = 0;
      r->raw_len = avail;
      rc = csv__src_read(r, r->raw + avail, CSV_READ_BLOCK - avail, &got);
      if (rc != BH_OK) goto out;
      r->raw_len += got;
      continue;
    }
    if (avail == 0 || room - o < 4) break;
    const unsigned char *q = r->raw + r->raw_pos;
    uint32_t cp = 0xFFFD;
    size_t used = avail < 2 ? avail : 2;
    if (avail >= 2) {
      uint32_t u = le ? (uint32_t)(q[0] | (q[1] << 8)) : (uint32_t)((q[0] << 8) | q[1]);
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (avail >= 4) {
          uint32_t u2 = le ? (uint32_t)(q[2] | (q[3] << 8)) : (uint32_t)((q[2] << 8) | q[3]);
          if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
            cp = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
            used = 4;
          }
        }
      } else if (u < 0xDC00 || u > 0xDFFF) {
        cp = u;
      }
    }
    o += csv__put_utf8(out + o, cp);
    r->raw_pos += used;
  }
out:
  r->in_len += o;
  *produced = o;
  return rc;
}

/* Slides the window so that in[keep] becomes in[0] (*shift = keep), then reads more text.
 * Returns BH_OK if text was added, CSV_EOF if the input is exhausted, or a fatal error. */
static int csv__fill(csv_reader_t *r, size_t keep, size_t *shift) {
  size_t got = 0;
  int rc;

  *shift = keep;
  if (keep > 0) {
    memmove(r->in, r->in + keep, r->in_len - keep);
    r->in_len -= keep;
    r->base += keep;
  }
  /* A memory source needs no more room than it has bytes left (UTF-16 grows when transcoded). */
  size_t want = CSV_READ_BLOCK;
  if (r->f == NULL && r->raw == NULL && r->mem_len - r->mem_pos < want)
    want = r->mem_len - r->mem_pos;
  if (r->in_cap - r->in_len < want) {
    size_t cap = r->in_cap * 2;
    if (cap < r->in_len + want) cap = r->in_len + want;
    unsigned char *p = realloc(r->in, cap + 1);
    if (p == NULL) return BH_ERR_NOMEM;
    r->in = p;
    r->in_cap = cap;
  }
  if (r->enc == CSV_ENC_UTF16LE || r->enc == CSV_ENC_UTF16BE)
    rc = csv__transcode(r, &got);
  else {
    rc = csv__src_read(r, r->in + r->in_len, r->in_cap - r->in_len, &got);
    r->in_len += got;
  }
  if (rc != BH_OK) return rc;
  return got > 0 ? BH_OK : CSV_EOF;
}

/* Makes in[*i] available, sliding the window to keep the row from *rs. Returns BH_OK, CSV_EOF,
 * BH_ERR_TOO_LARGE if the row already exceeds max_row, or a fatal error. */
static int csv__need(csv_reader_t *r, size_t *i, size_t *rs) {
  size_t shift;
  if (*i < r->in_len) return BH_OK;
  if (r->in_len - *rs > r->opt.max_row + 2) return BH_ERR_TOO_LARGE;
  int rc = csv__fill(r, *rs, &shift);
  *i -= shift;
  *rs -= shift;
  return rc;
}

/* Consumes the line end at in[*i] (LF, CR or CRLF) and counts the line. */
static int csv__eat_newline(csv_reader_t *r, size_t *i, size_t *rs) {
  unsigned char c = r->in[*i];
  (*i)++;
  r->line++;
  if (c != '\r') return BH_OK;
  int rc = csv__need(r, i, rs);
  if (rc == CSV_EOF) return BH_OK;
  if (rc != BH_OK) return rc;
  if (r->in[*i] == '\n') (*i)++;
  return BH_OK;
}

/* Moves pos past the next line end (or to the end of the input). */
static int csv__skip_line(csv_reader_t *r) {
  size_t i = r->pos, rs;
  int rc;
  for (;;) {
    while (i < r->in_len && r->in[i] != '\n' && r->in[i] != '\r') i++;
    if (i < r->in_len) break;
    rs = i;
    rc = csv__need(r, &i, &rs);
    if (rc == CSV_EOF) {
      r->pos = i;
      return BH_OK;
    }
    if (rc != BH_OK) return rc;
  }
  rs = i;
  rc = csv__eat_newline(r, &i, &rs);
  r->pos = i;
  return rc;
}

/* Chooses the delimiter among ',', ';' and tab by counting them, outside quotes, in the first
 * non-blank line (or its first max_row bytes). Ties go to ',', then ';'. Does not move pos. */
static int csv__detect_delim(csv_reader_t *r) {
  static const char cand[3] = {',', ';', '\t'};
  size_t count[3] = {0, 0, 0};
  size_t i = r->pos, rs = r->pos;
  int inq = 0, seen = 0, rc = BH_OK;

  for (;;) {
    if (i == r->in_len) {
      if (i - rs > r->opt.max_row) break;
      rc = csv__need(r, &i, &rs);
      if (rc == CSV_EOF || rc == BH_ERR_TOO_LARGE) {
        rc = BH_OK;
        break;
      }
      if (rc != BH_OK) goto out;
    }
    unsigned char c = r->in[i++];
    if (c == '"') inq = !inq;
    if (inq) {
      seen = 1;
      continue;
    }
    if (c == '\n' || c == '\r') {
      if (seen) break;
      continue;
    }
    seen = 1;
    for (int k = 0; k < 3; k++)
      if (c == (unsigned char)cand[k]) count[k]++;
  }
  r->pos = rs;
  r->delim = ',';
  if (count[1] > count[0] && count[1] >= count[2])
    r->delim = ';';
  else if (count[2] > count[0] && count[2] > count[1])
    r->delim = '\t';
out:
  return rc;
}

/* Examines the byte-order mark and primes the window. */
static int csv__start(csv_reader_t *r) {
  unsigned char head[3];
  size_t got = 0, skip = 0;
  int rc = csv__src_read(r, head, sizeof head, &got);
  if (rc != BH_OK) return rc;
  r->enc = CSV_ENC_UTF8;
  if (got == 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
    r->enc = CSV_ENC_UTF8_BOM;
    skip = 3;
  } else if (got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) ||
                          (head[0] == 0xFE && head[1] == 0xFF))) {
    r->enc = head[0] == 0xFF ? CSV_ENC_UTF16LE : CSV_ENC_UTF16BE;
    r->raw = malloc(CSV_READ_BLOCK);
    if (r->raw == NULL) return BH_ERR_NOMEM;
    r->raw_len = got - 2;
    if (got == 3) r->raw[0] = head[2];
    got = 0;
  }
  memcpy(r->in, head + skip, got - skip);
  r->in_len = got - skip;
  r->base = skip;
  if (r->opt.delimiter == CSV_DELIM_AUTO) return csv__detect_delim(r);
  r->delim = r->opt.delimiter;
  return BH_OK;
}

static int csv__delim_ok(char d) {
  unsigned char c = (unsigned char)d;
  return c != 0 && c < 0x80 && c != '"' && c != '\r' && c != '\n';
}

static int csv__open(FILE *f, const void *data, size_t len, const csv_reader_options_t *opt,
                     csv_reader_t **out) {
  csv_reader_t *r = NULL;
  int rc;

  *out = NULL;
  csv_reader_options_t o;
  if (opt != NULL)
    o = *opt;
  else
    csv_reader_options_init(&o);
  if ((o.delimiter != CSV_DELIM_AUTO && !csv__delim_ok(o.delimiter)) || o.max_field == 0 ||
      o.max_fields == 0 || o.max_row == 0 || o.max_row > SIZE_MAX / 4 ||
      o.max_fields > SIZE_MAX / 4 / sizeof(size_t)) {
    rc = BH_ERR_INVALID;
    goto out;
  }
  r = calloc(1, sizeof *r);
  if (r == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  r->f = f;
  r->mem = data;
  r->mem_len = len;
  r->opt = o;
  r->line = 1;
  r->errmsg = "";
  buf_init(&r->row, o.max_row + o.max_fields + 1);
  r->in_cap = 2 * CSV_READ_BLOCK;
  if (f == NULL && len < r->in_cap) r->in_cap = len < 64 ? 64 : len;
  r->in = malloc(r->in_cap + 1);
  if (r->in == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  rc = csv__start(r);
  if (rc != BH_OK) goto out;
  r->cls[(unsigned char)r->delim] = CC_DELIM;
  r->cls['"'] = r->qcls['"'] = CC_QUOTE;
  r->cls['\r'] = r->qcls['\r'] = CC_CR;
  r->cls['\n'] = r->qcls['\n'] = CC_LF;
  r->cls[0] = r->qcls[0] = CC_NUL;
  *out = r;
  r = NULL;
out:
  csv_reader_free(r);
  return rc;
}

int csv_reader_open_file(FILE *f, const csv_reader_options_t *opt, csv_reader_t **out) {
  if (f == NULL) {
    *out = NULL;
    return BH_ERR_INVALID;
  }
  return csv__open(f, NULL, 0, opt, out);
}

int csv_reader_open_mem(const void *data, size_t len, const csv_reader_options_t *opt,
                        csv_reader_t **out) {
  if (data == NULL && len > 0) {
    *out = NULL;
    return BH_ERR_INVALID;
  }
  return csv__open(NULL, data, len, opt, out);
}

void csv_reader_free(csv_reader_t *r) {
  if (r == NULL) return;
  free(r->in);
  free(r->raw);
  buf_free(&r->row);
  free(r->starts);
  free(r->lens);
  free(r->ptrs);
  free(r);
}

char csv_reader_delimiter(const csv_reader_t *r) { return r->delim; }

csv_encoding_t csv_reader_encoding(const csv_reader_t *r) { return r->enc; }

const char *csv_reader_error(const csv_reader_t *r) { return r->errmsg; }

/* Makes room for one more field in the field arrays. */
static int csv__grow_fields(csv_reader_t *r) {
  size_t cap = r->fields_cap ? r->fields_cap * 2 : 32;
  if (cap > r->opt.max_fields) cap = r->opt.max_fields;
  size_t *s = realloc(r->starts, cap * sizeof *s);
  if (s == NULL) return BH_ERR_NOMEM;
  r->starts = s;
  size_t *l = realloc(r->lens, cap * sizeof *l);
  if (l == NULL) return BH_ERR_NOMEM;
  r->lens = l;
  const char **p = realloc(r->ptrs, cap * sizeof *p);
  if (p == NULL) return BH_ERR_NOMEM;
  r->ptrs = p;
  r->fields_cap = cap;
  return BH_OK;
}

/* Appends n decoded bytes to the field that began at row offset fstart. */
static int csv__append(csv_reader_t *r, const unsigned char *s, size_t n, size_t fstart) {
  if (r->row.len - fstart + n > r->opt.max_field) {
    r->errmsg = "field longer than the limit";
    return BH_ERR_TOO_LARGE;
  }
  int rc = buf_append(&r->row, s, n);
  if (rc == BH_ERR_TOO_LARGE) r->errmsg = "row longer than the limit";
  return rc;
}

/* Ends the field that began at row offset fstart. */
static int csv__end_field(csv_reader_t *r, size_t fstart, size_t *nf) {
  r->starts[*nf] = fstart;
  r->lens[*nf] = r->row.len - fstart;
  (*nf)++;
  return buf_putc(&r->row, '\0');
}

int csv_read_row(csv_reader_t *r, csv_row_t *row) {
  size_t i, rs, n, nf = 0, fstart = 0;
  const unsigned char *p;
  uint64_t row_line;
  int rc;

  memset(row, 0, sizeof *row);
  if (r->fatal) return r->fatal;
  if (r->resync) {
    rc = csv__skip_line(r);
    if (rc != BH_OK) {
      r->fatal = rc;
      return rc;
    }
    r->resync = 0;
  }
  r->errmsg = "";
  buf_reset(&r->row);

  /* Skip blank lines to find the row's first byte. */
  i = rs = r->pos;
  row_line = r->line;
  for (;;) {
    if (i == r->in_len) {
      rc = csv__need(r, &i, &rs);
      if (rc == CSV_EOF) {
        r->pos = i;
        return CSV_EOF;
      }
      if (rc != BH_OK) goto fail;
    }
    if (r->in[i] != '\n' && r->in[i] != '\r') break;
    rc = csv__eat_newline(r, &i, &rs);
    if (rc != BH_OK) goto fail;
    rs = i;
    row_line = r->line;
  }
  row->line = row_line;
  row->offset = r->base + rs;
  p = r->in;
  n = r->in_len;

  /* One field per iteration. */
  for (;;) {
    if (nf == r->opt.max_fields) {
      r->errmsg = "more fields than the limit";
      rc = BH_ERR_TOO_LARGE;
      goto fail;
    }
    if (nf == r->fields_cap) {
      rc = csv__grow_fields(r);
      if (rc != BH_OK) goto fail;
    }
    fstart = r->row.len;
    if (i == n) {
      rc = csv__need(r, &i, &rs);
      p = r->in;
      n = r->in_len;
      if (rc == CSV_EOF) goto last_field;
      if (rc != BH_OK) goto fail;
    }
    if (p[i] == '"') {
      i++;
      for (;;) {
        size_t run = i;
        while (i < n && r->qcls[p[i]] == CC_PLAIN) i++;
        if (i > run) {
          rc = csv__append(r, p + run, i - run, fstart);
          if (rc != BH_OK) goto fail;
        }
        if (i == n) {
          rc = csv__need(r, &i, &rs);
          p = r->in;
          n = r->in_len;
          if (rc == CSV_EOF) {
            r->errmsg = "quoted field not closed before the end of the input";
            rc = BH_ERR_INVALID;
          }
          if (rc != BH_OK) goto fail;
          continue;
        }
        unsigned char c = p[i];
        if (c == '"') {
          i++;
          rc = csv__need(r, &i, &rs);
          p = r->in;
          n = r->in_len;
          if (rc == CSV_EOF) goto last_field;
          if (rc != BH_OK) goto fail;
          if (p[i] != '"') break;
          rc = csv__append(r, p + i, 1, fstart);
          if (rc != BH_OK) goto fail;
          i++;
        } else if (c == '\r' || c == '\n') {
          rc = csv__append(r, p + i, 1, fstart);
          if (rc != BH_OK) goto fail;
          i++;
          r->line++;
          if (c == '\r') {
            rc = csv__need(r, &i, &rs);
            p = r->in;
            n = r->in_len;
            if (rc == CSV_EOF) {
              r->errmsg = "quoted field not closed before the end of the input";
              rc = BH_ERR_INVALID;
            }
            if (rc != BH_OK) goto fail;
            if (p[i] == '\n') {
              rc = csv__append(r, p + i, 1, fstart);
              if (rc != BH_OK) goto fail;
              i++;
            }
          }
        } else {
          r->errmsg = "NUL byte in the input (is it UTF-16 without a byte-order mark?)";
          rc = BH_ERR_INVALID;
          goto fail;
        }
      }
      /* After the closing quote, p[i] is available. */
      switch (r->cls[p[i]]) {
        case CC_DELIM:
          break;
        case CC_CR:
        case CC_LF:
          goto end_of_line;
        default:
          r->errmsg = "text after the closing quote of a field";
          rc = BH_ERR_INVALID;
          goto fail;
      }
    } else {
      for (;;) {
        size_t run = i;
        while (i < n && r->cls[p[i]] == CC_PLAIN) i++;
        if (i > run) {
          rc = csv__append(r, p + run, i - run, fstart);
          if (rc != BH_OK) goto fail;
        }
        if (i < n) break;
        rc = csv__need(r, &i, &rs);
        p = r->in;
        n = r->in_len;
        if (rc == CSV_EOF) goto last_field;
        if (rc != BH_OK) goto fail;
      }
      switch (r->cls[p[i]]) {
        case CC_DELIM:
          break;
        case CC_CR:
        case CC_LF:
          goto end_of_line;
        case CC_QUOTE:
          r->errmsg = "quote inside an unquoted field";
          rc = BH_ERR_INVALID;
          goto fail;
        default:
          r->errmsg = "NUL byte in the input (is it UTF-16 without a byte-order mark?)";
          rc = BH_ERR_INVALID;
          goto fail;
      }
    }
    /* A delimiter: end this field and start the next. */
    rc = csv__end_field(r, fstart, &nf);
    if (rc != BH_OK) goto fail;
    i++;
  }

end_of_line:
  if (i - rs > r->opt.max_row) goto row_too_large;
  rc = csv__end_field(r, fstart, &nf);
  if (rc != BH_OK) goto fail;
  rc = csv__eat_newline(r, &i, &rs);
  if (rc != BH_OK) goto fail;
  goto done;

last_field:
  if (i - rs > r->opt.max_row) goto row_too_large;
  rc = csv__end_field(r, fstart, &nf);
  if (rc != BH_OK) goto fail;

done:
  for (size_t k = 0; k < nf; k++) r->ptrs[k] = r->row.data + r->starts[k];
  r->pos = i;
  row->count = nf;
  row->field = r->ptrs;
  row->len = r->lens;
  return BH_OK;

row_too_large:
  r->errmsg = "row longer than the limit";
  rc = BH_ERR_TOO_LARGE;
fail:
  row->line = row_line;
  row->offset = r->base + rs;
  if (rc == BH_ERR_INVALID || rc == BH_ERR_TOO_LARGE) {
    if (r->errmsg[0] == '\0') r->errmsg = "row longer than the limit";
    r->pos = rs;
    r->line = row_line;
    r->resync = 1;
    return rc;
  }
  r->errmsg = "read error";
  r->fatal = rc;
  return rc;
}

int csv_field_valid_utf8(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      need = 2;
      if (c == 0xE0) lo = 0xA0;      /* no overlong forms */
      if (c == 0xED) hi = 0x9F;      /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      need = 3;
      if (c == 0xF0) lo = 0x90;      /* no overlong forms */
      if (c == 0xF4) hi = 0x8F;      /* nothing past U+10FFFF */
    } else
      return 0;
    if (len - i - 1 < need) return 0;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k <= need; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
    i += need + 1;
  }
  return 1;
}

/* Header mapping. */

/* Trims spaces and tabs off both ends of [*s, *s + *n). */
static void csv__trim(const char **s, size_t *n) {
  while (*n > 0 && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

static unsigned char csv__lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Compares two names after trimming, ASCII letters without regard to case. */
static int csv__name_eq(const char *a, size_t an, const char *b, size_t bn) {
  csv__trim(&a, &an);
  csv__trim(&b, &bn);
  if (an != bn) return 0;
  for (size_t k = 0; k < an; k++)
    if (csv__lower((unsigned char)a[k]) != csv__lower((unsigned char)b[k])) return 0;
  return 1;
}

/* Names longer than this are cut in messages. */
#define CSV_MSG_NAME 80

static int csv__name_len(size_t n) { return n > CSV_MSG_NAME ? CSV_MSG_NAME : (int)n; }

int csv_map_columns(const csv_row_t *header, const char *const *targets, size_t ntargets,
                    const char *mapping, int *index, char *msg, size_t msg_size) {
  int rc = BH_OK;
  size_t ncols = header->count;

  if (msg != NULL && msg_size > 0) msg[0] = '\0';
  for (size_t t = 0; t < ntargets; t++) index[t] = -1;
  if (ncols > (size_t)INT32_MAX) {
    if (msg != NULL) snprintf(msg, msg_size, "too many columns in the header");
    rc = BH_ERR_INVALID;
    goto out;
  }

  /* Explicit "source=target" entries first. */
  for (const char *e = mapping; e != NULL && *e != '\0';) {
    const char *comma = strchr(e, ',');
    size_t elen = comma != NULL ? (size_t)(comma - e) : strlen(e);
    const char *src = e, *dst;
    size_t slen, dlen;
    const char *eq = memchr(e, '=', elen);
    e = comma != NULL ? comma + 1 : NULL;

    csv__trim(&src, &elen);
    if (elen == 0) continue;
    if (eq == NULL) {
      if (msg != NULL)
        snprintf(msg, msg_size, "mapping entry '%.*s' has no '='", csv__name_len(elen), src);
      rc = BH_ERR_INVALID;
      goto out;
    }
    slen = (size_t)(eq - src);
    dst = eq + 1;
    dlen = elen - slen - 1;
    csv__trim(&src, &slen);
    csv__trim(&dst, &dlen);
    if (slen == 0 || dlen == 0) {
      if (msg != NULL)
        snprintf(msg, msg_size, "mapping entry '%.*s' needs a column name on both sides of '='",
                 csv__name_len(elen), src);
      rc = BH_ERR_INVALID;
      goto out;
    }
    size_t t = 0;
    while (t < ntargets && !csv__name_eq(targets[t], strlen(targets[t]), dst, dlen)) t++;
    if (t == ntargets) {
      if (msg != NULL)
        snprintf(msg, msg_size, "unknown mapping target '%.*s'", csv__name_len(dlen), dst);
      rc = BH_ERR_INVALID;
      goto out;
    }
    int col = -1;
    for (size_t c = 0; c < ncols; c++) {
      if (!csv__name_eq(header->field[c], header->len[c], src, slen)) continue;
      if (col >= 0) {
        if (msg != NULL)
          snprintf(msg, msg_size, "duplicate column '%.*s' (columns %d and %zu)",
                   csv__name_len(slen), src, col + 1, c + 1);
        rc = BH_ERR_INVALID;
        goto out;
      }
      col = (int)c;
    }
    if (col < 0) {
      if (msg != NULL)
        snprintf(msg, msg_size, "mapped column '%.*s' is not in the header", csv__name_len(slen),
                 src);
      rc = BH_ERR_INVALID;
      goto out;
    }
    if (index[t] >= 0 && index[t] != col) {
      if (msg != NULL)
        snprintf(msg, msg_size, "duplicate column for '%s' (columns %d and %d)", targets[t],
                 index[t] + 1, col + 1);
      rc = BH_ERR_INVALID;
      goto out;
    }
    index[t] = col;
  }

  /* Then header names equal to a target name, skipping columns the mapping took. */
  for (size_t c = 0; c < ncols; c++) {
    size_t t, u;
    for (u = 0; u < ntargets && index[u] != (int)c; u++) {
    }
    if (u < ntargets) continue;
    for (t = 0; t < ntargets; t++)
      if (csv__name_eq(header->field[c], header->len[c], targets[t], strlen(targets[t]))) break;
    if (t == ntargets) continue;
    if (index[t] >= 0) {
      if (msg != NULL)
        snprintf(msg, msg_size, "duplicate column '%.*s' (columns %d and %zu)",
                 csv__name_len(header->len[c]), header->field[c], index[t] + 1, c + 1);
      rc = BH_ERR_INVALID;
      goto out;
    }
    index[t] = (int)c;
  }
out:
  if (rc != BH_OK)
    for (size_t t = 0; t < ntargets; t++) index[t] = -1;
  return rc;
}

/* Writer. */

void csv_writer_options_init(csv_writer_options_t *o) {
  o->delimiter = ',';
  o->bom = 0;
  o->crlf = 1;
  o->formula_guard = 1;
}

static int csv__put(csv_writer_t *w, const void *s, size_t n) {
  if (n > 0 && fwrite(s, 1, n, w->f) != n) return BH_ERR_IO;
  return BH_OK;
}

int csv_writer_open(FILE *f, const csv_writer_options_t *opt, csv_writer_t **out) {
  csv_writer_t *w = NULL;
  int rc = BH_OK;

  *out = NULL;
  if (f == NULL) {
    rc = BH_ERR_INVALID;
    goto out;
  }
  w = calloc(1, sizeof *w);
  if (w == NULL) {
    rc = BH_ERR_NOMEM;
    goto out;
  }
  w->f = f;
  if (opt != NULL)
    w->opt = *opt;
  else
    csv_writer_options_init(&w->opt);
  if (!csv__delim_ok(w->opt.delimiter)) {
    rc = BH_ERR_INVALID;
    goto out;
  }
  if (w->opt.bom) {
    rc = csv__put(w, "\xEF\xBB\xBF", 3);
    if (rc != BH_OK) goto out;
  }
  *out = w;
  w = NULL;
out:
  csv_writer_free(w);
  return rc;
}

void csv_writer_free(csv_writer_t *w) { free(w); }

/* Whether a spreadsheet could take the field for a formula; see csv_write_field. */
static int csv__is_formula(const unsigned char *s, size_t len) {
  if (len == 0) return 0;
  if (s[0] == '=' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') return 1;
  if (s[0] != '+' && s[0] != '-') return 0;
  for (size_t k = 1; k < len; k++) {
    unsigned char c = s[k];
    if (!((c >= '0' && c <= '9') || c == ' ' || c == '.' || c == ',' || c == '(' || c == ')' ||
          c == '/' || c == '-'))
      return 1;
  }
  return 0;
}

int csv_write_field(csv_writer_t *w, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned char d = (unsigned char)w->opt.delimiter;
  int quote = 0, guard, rc = BH_OK;

  if (len > 0 && memchr(s, '\0', len) != NULL) return BH_ERR_INVALID;
  guard = w->opt.formula_guard && csv__is_formula(s, len);
  if (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t' ||
                  s[0] == 0xEF || s[0] == 0xFE || s[0] == 0xFF))
    quote = 1;
  for (size_t k = 0; k < len && !quote; k++)
    if (s[k] == d || s[k] == '"' || s[k] == '\r' || s[k] == '\n') quote = 1;

  if (w->nfields > 0) {
    rc = csv__put(w, &d, 1);
    if (rc != BH_OK) goto out;
  } else {
    w->first_empty = len == 0;
  }
  w->nfields++;
  if (quote) {
    rc = csv__put(w, "\"", 1);
    if (rc != BH_OK) goto out;
  }
  if (guard) {
    rc = csv__put(w, "'", 1);
    if (rc != BH_OK) goto out;
  }
  if (!quote) {
    rc = csv__put(w, s, len);
    goto out;
  }
  for (size_t k = 0; k < len;) {
    const unsigned char *q = memchr(s + k, '"', len - k);
    size_t run = q != NULL ? (size_t)(q - (s + k)) + 1 : len - k;
    rc = csv__put(w, s + k, run);
    if (rc != BH_OK) goto out;
    if (q != NULL) {
      rc = csv__put(w, "\"", 1);
      if (rc != BH_OK) goto out;
    }
    k += run;
  }
  rc = csv__put(w, "\"", 1);
out:
  return rc;
}

int csv_end_row(csv_writer_t *w) {
  int rc = BH_OK;
  if (w->nfields == 1 && w->first_empty) {
    rc = csv__put(w, "\"\"", 2);
    if (rc != BH_OK) goto out;
  }
  rc = w->opt.crlf ? csv__put(w, "\r\n", 2) : csv__put(w, "\n", 1);
out:
  w->nfields = 0;
  w->first_empty = 0;
  return rc;
}
