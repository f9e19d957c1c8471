/*
 * embed_assets.c - the build-time generator that turns the web console and public pages (web/)
 * into one C source file, so that `baoho serve` needs no file at run time.
 *
 * Usage: embed_assets OUT.c WEB_DIR VENDOR_DIR
 *
 *   WEB_DIR/assets/...     -> /assets/...                  revalidated with their ETag
 *   WEB_DIR/i18n/LANG.json -> /assets/i18n/LANG.json       flat {"key":"text"} dictionaries
 *   WEB_DIR/pages/NAME.html-> /pages/NAME.html, once per language, every {{key}} replaced by the
 *                             HTML-escaped text of that language's dictionary
 *   VENDOR_DIR/FILE        -> /assets/vendor/STEM.HASH.EXT cached for a year (the name changes
 *                             with the content), and /assets/vendor/index.js, an ES module that
 *                             maps each STEM to its current URL (null when it was not vendored)
 *
 * The dictionaries must all have the same keys and a page may only use known keys: a screen in
 * two languages at once cannot be built. Every entry gets an ETag (FNV-1a 64 of its bytes).
 * Exits 0 on success, 1 with a message on stderr otherwise; OUT.c is replaced atomically.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EMBED_FILE_MAX (16u * 1024 * 1024) /* bytes of one input file */
#define EMBED_MAX_ENTRIES 1024
#define EMBED_MAX_LANGS 8
#define EMBED_PATH_MAX 1024
#define EMBED_KEY_MAX 128

typedef struct entry {
  char *path;       /* URL path, or /pages/NAME.html for a page */
  char *lang;       /* language of a page, else NULL */
  const char *type; /* Content-Type */
  unsigned char *data;
  size_t len;
  int immutable; /* vendored: the URL carries the hash */
} entry_t;

typedef struct dict {
  char lang[16];
  json_t *strings; /* flat object of strings */
} dict_t;

static entry_t entries[EMBED_MAX_ENTRIES];
static size_t nentries;
static dict_t dicts[EMBED_MAX_LANGS];
static size_t ndicts;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("embed_assets: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) die("out of memory");
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = xmalloc(n);
  memcpy(p, s, n);
  return p;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...) {
  char buf[EMBED_PATH_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof(buf)) die("path too long: %s", buf);
  return xstrdup(buf);
}

/* Reads a whole file; dies on failure. The caller owns *out. */
static void read_file(const char *path, unsigned char **out /* OUT */, size_t *len /* OUT */) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) die("%s: %s", path, strerror(errno));
  size_t cap = 64 * 1024, n = 0;
  unsigned char *buf = xmalloc(cap);
  for (;;) {
    if (n == cap) {
      if (cap >= EMBED_FILE_MAX) die("%s: larger than %u bytes", path, EMBED_FILE_MAX);
      cap *= 2;
      unsigned char *grown = realloc(buf, cap);
      if (grown == NULL) die("out of memory");
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  if (ferror(f)) die("%s: read error", path);
  fclose(f);
  *out = buf;
  *len = n;
}

static uint64_t fnv1a64(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* The Content-Type of a file name by its extension; dies on an unknown one. */
static const char *content_type(const char *name) {
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},       {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},   {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"},                        {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},        {".webmanifest", "application/manifest+json"},
  };
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++) {
    if (strcmp(dot, types[i].ext) == 0) return types[i].type;
  }
  die("%s: no content type known for this extension", name);
}

static entry_t *add_entry(char *path, char *lang, const char *type, unsigned char *data,
                          size_t len, int immutable) {
  if (nentries == EMBED_MAX_ENTRIES) die("more than %d assets", EMBED_MAX_ENTRIES);
  entry_t *e = &entries[nentries++];
  *e = (entry_t){path, lang, type, data, len, immutable};
  return e;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Lists the regular files under dir (recursively, names starting with '.' skipped) as paths
 * relative to dir, sorted, into names; returns their number. The caller frees each name.
 */
static size_t list_files(const char *dir, const char *rel, char **names, size_t n, size_t max) {
  char *full = rel[0] ? xprintf("%s/%s", dir, rel) : xstrdup(dir);
  DIR *d = opendir(full);
  if (d == NULL) {
    if (errno == ENOENT && rel[0] == '\0') {
      free(full);
      return n;
    }
    die("%s: %s", full, strerror(errno));
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.') continue;
    char *sub = rel[0] ? xprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
    char *path = xprintf("%s/%s", dir, sub);
    struct stat st;
    if (stat(path, &st) != 0) die("%s: %s", path, strerror(errno));
    free(path);
    if (S_ISDIR(st.st_mode)) {
      n = list_files(dir, sub, names, n, max);
      free(sub);
    } else if (S_ISREG(st.st_mode)) {
      if (n == max) die("too many files under %s", dir);
      names[n++] = sub;
    } else {
      free(sub);
    }
  }
  closedir(d);
  free(full);
  if (rel[0] == '\0') qsort(names, n, sizeof(names[0]), cmp_str);
  return n;
}

/* Loads every WEB_DIR/i18n/LANG.json and checks that they share one set of keys. */
static void load_dicts(const char *web) {
  char *dir = xprintf("%s/i18n", web);
  char *names[EMBED_MAX_LANGS * 2];
  size_t n = list_files(dir, "", names, 0, EMBED_MAX_LANGS * 2);
  for (size_t i = 0; i < n; i++) {
    const char *dot = strrchr(names[i], '.');
    if (dot == NULL || strcmp(dot, ".json") != 0 || strchr(names[i], '/') != NULL) {
      die("%s/%s: only LANG.json files belong here", dir, names[i]);
    }
    if (ndicts == EMBED_MAX_LANGS) die("too many languages");
    dict_t *dc = &dicts[ndicts++];
    snprintf(dc->lang, sizeof(dc->lang), "%.*s", (int)(dot - names[i]), names[i]);
    char *path = xprintf("%s/%s", dir, names[i]);
    json_error_t jerr;
    dc->strings = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (dc->strings == NULL) die("%s:%d: %s", path, jerr.line, jerr.text);
    if (!json_is_object(dc->strings)) die("%s: not a JSON object", path);
    const char *key;
    json_t *v;
    json_object_foreach(dc->strings, key, v) {
      if (!json_is_string(v)) die("%s: \"%s\" is not a string", path, key);
    }
    unsigned char *data;
    size_t len;
    read_file(path, &data, &len);
    add_entry(xprintf("/assets/i18n/%s", names[i]), NULL, content_type(names[i]), data, len, 0);
    free(path);
    free(names[i]);
  }
  if (ndicts == 0) die("%s: no dictionary", dir);
  for (size_t i = 1; i < ndicts; i++) {
    const char *key;
    json_t *v;
    json_object_foreach(dicts[0].strings, key, v) {
      if (json_object_get(dicts[i].strings, key) == NULL) {
        die("i18n: \"%s\" is in %s.json but not in %s.json", key, dicts[0].lang, dicts[i].lang);
      }
    }
    json_object_foreach(dicts[i].strings, key, v) {
      if (json_object_get(dicts[0].strings, key) == NULL) {
        die("i18n: \"%s\" is in %s.json but not in %s.json", key, dicts[i].lang, dicts[0].lang);
      }
    }
  }
  free(dir);
}

/* A growable output buffer for page expansion. */
typedef struct out {
  unsigned char *data;
  size_t len, cap;
} out_t;

static void out_put(out_t *o, const void *p, size_t n) {
  if (o->len + n > o->cap) {
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + n) cap *= 2;
    if (cap > EMBED_FILE_MAX) die("expanded page larger than %u bytes", EMBED_FILE_MAX);
    unsigned char *grown = realloc(o->data, cap);
    if (grown == NULL) die("out of memory");
    o->data = grown;
    o->cap = cap;
  }
  memcpy(o->data + o->len, p, n);
  o->len += n;
}

static void out_escaped(out_t *o, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '&': out_put(o, "&amp;", 5); break;
      case '<': out_put(o, "&lt;", 4); break;
      case '>': out_put(o, "&gt;", 4); break;
      case '"': out_put(o, "&quot;", 6); break;
      case '\'': out_put(o, "&#39;", 5); break;
      default: out_put(o, s, 1);
    }
  }
}

/* Expands the {{key}} references of a page template with dictionary dc. */
static void expand_page(const char *name, const unsigned char *src, size_t len, const dict_t *dc,
                        out_t *o) {
  size_t i = 0;
  while (i < len) {
    if (i + 1 < len && src[i] == '{' && src[i + 1] == '{') {
      size_t j = i + 2;
      char key[EMBED_KEY_MAX];
      size_t k = 0;
      while (j + 1 < len && !(src[j] == '}' && src[j + 1] == '}')) {
        if (k + 1 >= sizeof(key)) die("%s: a {{key}} is too long or not closed", name);
        key[k++] = (char)src[j++];
      }
      if (j + 1 >= len) die("%s: a {{key}} is not closed", name);
      key[k] = '\0';
      const char *text = json_string_value(json_object_get(dc->strings, key));
      if (text == NULL) die("%s: {{%s}} is not in %s.json", name, key, dc->lang);
      out_escaped(o, text);
      i = j + 2;
    } else {
      out_put(o, &src[i], 1);
      i++;
    }
  }
}

static void add_pages(const char *web) {
  char *dir = xprintf("%s/pages", web);
  char *names[64];
  size_t n = list_files(dir, "", names, 0, 64);
  for (size_t i = 0; i < n; i++) {
    char *path = xprintf("%s/%s", dir, names[i]);
    unsigned char *src;
    size_t len;
    read_file(path, &src, &len);
    for (size_t d = 0; d < ndicts; d++) {
      out_t o = {0};
      expand_page(path, src, len, &dicts[d], &o);
      add_entry(xprintf("/pages/%s", names[i]), xstrdup(dicts[d].lang), content_type(names[i]),
                o.data, o.len, 0);
    }
    free(src);
    free(path);
    free(names[i]);
  }
  free(dir);
}

static void add_tree(const char *dir, const char *prefix) {
  char *names[EMBED_MAX_ENTRIES];
  size_t n = list_files(dir, "", names, 0, EMBED_MAX_ENTRIES);
  for (size_t i = 0; i < n; i++) {
    char *path = xprintf("%s/%s", dir, names[i]);
    unsigned char *data;
    size_t len;
    read_file(path, &data, &len);
    add_entry(xprintf("%s/%s", prefix, names[i]), NULL, content_type(names[i]), data, len, 0);
    free(path);
    free(names[i]);
  }
}

/* Vendored files get their hash in the URL; index.js tells the console those URLs. */
static void add_vendor(const char *dir) {
  static const char *const expected[] = {"world"}; /* what the console imports */
  char *names[64];
  size_t n = list_files(dir, "", names, 0, 64);
  out_t index = {0};
  const char *head = "/* Generated by tools/embed_assets.c: URLs of the vendored files. */\n"
                     "export default {\n";
  out_put(&index, head, strlen(head));
  int found[sizeof(expected) / sizeof(expected[0])] = {0};
  for (size_t i = 0; i < n; i++) {
    char *path = xprintf("%s/%s", dir, names[i]);
    unsigned char *data;
    size_t len;
    read_file(path, &data, &len);
    const char *dot = strrchr(names[i], '.');
    if (dot == NULL || strchr(names[i], '/') != NULL) die("%s: vendor files are STEM.EXT", path);
    int stem = (int)(dot - names[i]);
    char *url = xprintf("/assets/vendor/%.*s.%010llx%s", stem, names[i],
                        (unsigned long long)(fnv1a64(data, len) >> 24), dot);
    char *line = xprintf("  \"%.*s\": \"%s\",\n", stem, names[i], url);
    out_put(&index, line, strlen(line));
    free(line);
    for (size_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
      if ((int)strlen(expected[k]) == stem && strncmp(expected[k], names[i], (size_t)stem) == 0) {
        found[k] = 1;
      }
    }
    add_entry(url, NULL, content_type(names[i]), data, len, 1);
    free(path);
    free(names[i]);
  }
  for (size_t k = 0; k < sizeof(expected) / sizeof(expected[0]); k++) {
    if (found[k]) continue;
    char *line = xprintf("  \"%s\": null,\n", expected[k]);
    out_put(&index, line, strlen(line));
    free(line);
  }
  out_put(&index, "};\n", 3);
  add_entry(xstrdup("/assets/vendor/index.js"), NULL, content_type("index.js"), index.data,
            index.len, 0);
}

static void write_c_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static void write_output(const char *out, size_t nvendored) {
  char *tmp = xprintf("%s.tmp", out);
  FILE *f = fopen(tmp, "w");
  if (f == NULL) die("%s: %s", tmp, strerror(errno));
  fputs("/* Generated by tools/embed_assets.c from web/: do not edit. */\n"
        "#include \"http/assets.h\"\n\n",
        f);
  for (size_t i = 0; i < nentries; i++) {
    fprintf(f, "static const unsigned char asset_%zu[] = {", i);
    for (size_t j = 0; j < entries[i].len; j++) {
      fprintf(f, "%s%u,", j % 24 == 0 ? "\n  " : "", entries[i].data[j]);
    }
    fputs(entries[i].len == 0 ? "0};\n" : "\n};\n", f);
  }
  fputs("\nconst asset_t assets_table[] = {\n", f);
  for (size_t i = 0; i < nentries; i++) {
    const entry_t *e = &entries[i];
    fputs("    {", f);
    write_c_string(f, e->path);
    fputs(", ", f);
    if (e->lang) {
      write_c_string(f, e->lang);
    } else {
      fputs("NULL", f);
    }
    fputs(", ", f);
    write_c_string(f, e->type);
    fprintf(f, ", asset_%zu, %zu, \"\\\"%016llx\\\"\", %d},\n", i, e->len,
            (unsigned long long)fnv1a64(e->data, e->len), e->immutable);
  }
  fprintf(f, "};\n\nconst size_t assets_count = %zu;\nconst size_t assets_vendored = %zu;\n",
          nentries, nvendored);
  if (fclose(f) != 0) die("%s: write error", tmp);
  if (rename(tmp, out) != 0) die("%s: %s", out, strerror(errno));
  free(tmp);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fputs("usage: embed_assets OUT.c WEB_DIR VENDOR_DIR\n", stderr);
    return 2;
  }
  const char *web = argv[2];
  load_dicts(web);
  add_pages(web);
  char *assets = xprintf("%s/assets", web);
  add_tree(assets, "/assets");
  free(assets);
  size_t before = nentries;
  add_vendor(argv[3]);
  size_t nvendored = nentries - before - 1;
  write_output(argv[1], nvendored);
  for (size_t i = 0; i < nentries; i++) {
    free(entries[i].path);
    free(entries[i].lang);
    free(entries[i].data);
  }
  for (size_t i = 0; i < ndicts; i++) json_decref(dicts[i].strings);
  printf("embed_assets: %zu assets (%zu vendored) in %s\n", nentries, nvendored, argv[1]);
  return 0;
}
