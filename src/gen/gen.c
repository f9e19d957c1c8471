/*
 * gen.c - the synthetic Vietnamese-citizens-abroad generator: weighted tables of names, provinces
 * and destinations, a counter-based PRNG, the person and noisy-copy builders and the CSV writers.
 *
 * Each person draws from its own splitmix64 stream seeded by mixing (seed, index), so nothing is
 * shared between rows. Unique identifiers come from keyed Feistel permutations of the index.
 */
#include "gen/gen.h"

#include <math.h>
#include <string.h>

#include "util/err.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- PRNG */

typedef struct {
  uint64_t s;
} rng_t;

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed, uint64_t index, uint64_t salt) {
  r->s = mix64(seed ^ mix64(index * 0x9E3779B97F4A7C15ull + salt));
}

static uint64_t rng_next(rng_t *r) {
  r->s += 0x9E3779B97F4A7C15ull;
  return mix64(r->s);
}

/* Uniform in [0, n) for n < 2^32 (multiply-shift; bias below 2^-32). */
static uint32_t rng_below(rng_t *r, uint32_t n) {
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability permille/1000. */
static int rng_chance(rng_t *r, uint32_t permille) { return rng_below(r, 1000) < permille; }

static uint32_t rng_range(rng_t *r, uint32_t lo, uint32_t hi) {
  return lo + rng_below(r, hi - lo + 1);
}

static int pick_cum(const uint32_t *cum, int n, rng_t *r) {
  uint32_t x = rng_below(r, cum[n - 1]);
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (cum[mid] > x)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

/* Picks an index from a small weight array by linear scan. */
static int pick_small(const uint16_t *w, int n, rng_t *r) {
  uint32_t total = 0;
  for (int i = 0; i < n; i++) total += w[i];
  uint32_t x = rng_below(r, total);
  for (int i = 0; i < n; i++) {
    if (x < w[i]) return i;
    x -= w[i];
  }
  return n - 1;
}

/* A keyed 4-round Feistel permutation of [0, 1000000) on two base-1000 halves. */
static uint32_t perm_1e6(uint64_t key, uint32_t x) {
  uint32_t l = x / 1000, rr = x % 1000;
  for (uint32_t i = 0; i < 4; i++) {
    uint32_t f = (uint32_t)(mix64(key + i * 0x632BE59BD9B4E019ull + rr) % 1000);
    uint32_t t = (l + f) % 1000;
    l = rr;
    rr = t;
  }
  return l * 1000 + rr;
}

/* A keyed permutation of [0, 10000000): a 24-bit Feistel network walked until below 10^7. */
static uint32_t perm_1e7(uint64_t key, uint32_t x) {
  do {
    uint32_t l = x >> 12, rr = x & 0xFFF;
    for (uint32_t i = 0; i < 4; i++) {
      uint32_t f = (uint32_t)mix64(key + i * 0x632BE59BD9B4E019ull + rr) & 0xFFF;
      uint32_t t = l ^ f;
      l = rr;
      rr = t;
    }
    x = (l << 12) | rr;
  } while (x >= 10000000u);
  return x;
}

/* ---------------------------------------------------------------- dates */

static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gen_date_t civil_from_days(int32_t z) {
  gen_date_t out;
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  int d = doy - (153 * mp + 2) / 5 + 1;
  int m = mp + (mp < 10 ? 3 : -9);
  out.year = yoe + era * 400 + (m <= 2);
  out.month = m;
  out.day = d;
  out.prec = GEN_DATE_DAY;
  return out;
}

static int age_at(const gen_date_t *birth, const gen_date_t *ref) {
  int a = ref->year - birth->year;
  if (ref->month < birth->month || (ref->month == birth->month && ref->day < birth->day)) a--;
  return a;
}

/* ---------------------------------------------------------------- tiny string builder */

typedef struct {
  char *p;
  size_t len;
  size_t cap;
  int overflow;
} sb_t;

static void sb_init(sb_t *b, char *p, size_t cap) {
  b->p = p;
  b->len = 0;
  b->cap = cap;
  b->overflow = 0;
  if (cap) p[0] = '\0';
}

static void sb_putn(sb_t *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->overflow = 1;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_puts(sb_t *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(sb_t *b, char c) { sb_putn(b, &c, 1); }

/* Appends v in decimal, left-padded with zeros to at least width digits. */
static void sb_putu(sb_t *b, uint64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[sizeof tmp - 1 - n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n < width && n < (int)sizeof tmp) tmp[sizeof tmp - 1 - n++] = '0';
  sb_putn(b, tmp + sizeof tmp - n, (size_t)n);
}

static void sb_digits(sb_t *b, rng_t *r, int n) {
  for (int i = 0; i < n; i++) sb_putc(b, (char)('0' + rng_below(r, 10)));
}

/* ---------------------------------------------------------------- UTF-8 helpers */

static uint32_t utf8_decode(const unsigned char *s, int *len) {
  if (s[0] < 0x80) {
    *len = 1;
    return s[0];
  }
  if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
    *len = 2;
    return ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
  }
  if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
    *len = 3;
    return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  }
  if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
      (s[3] & 0xC0) == 0x80) {
    *len = 4;
    return ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
           ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
  }
  *len = 1;
  return 0xFFFD;
}

static int utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The unaccented ASCII letter for a Vietnamese letter, or 0 when cp is not one we know. */
static char fold_cp(uint32_t cp) {
  static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOO*OUUUUYTs"; /* U+00C0..U+00DF */
  if (cp < 0x80) return (char)cp;
  if (cp >= 0xC0 && cp <= 0xDF) return cp == 0xD7 ? 0 : latin1[cp - 0xC0];
  if (cp >= 0xE0 && cp <= 0xFF) {
    char c = latin1[cp - 0xE0];
    return (cp == 0xF7 || cp == 0xFF) ? (cp == 0xFF ? 'y' : 0) : (char)(c | 0x20);
  }
  switch (cp) {
  case 0x100: case 0x102: case 0x104: return 'A';
  case 0x101: case 0x103: case 0x105: return 'a';
  case 0x110: return 'D';
  case 0x111: return 'd';
  case 0x128: return 'I';
  case 0x129: return 'i';
  case 0x168: return 'U';
  case 0x169: return 'u';
  case 0x1A0: return 'O';
  case 0x1A1: return 'o';
  case 0x1AF: return 'U';
  case 0x1B0: return 'u';
  default: break;
  }
  if (cp >= 0x1EA0 && cp <= 0x1EF9) {
    char base = cp <= 0x1EB7 ? 'A' : cp <= 0x1EC7 ? 'E' : cp <= 0x1ECB ? 'I' : cp <= 0x1EE3 ? 'O'
              : cp <= 0x1EF1 ? 'U' : 'Y';
    return (cp & 1) ? (char)(base | 0x20) : base;
  }
  return 0;
}

size_t gen_fold_ascii(const char *src, char *dst, size_t cap) {
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)src;
  if (cap == 0) return 0;
  while (*s) {
    int len;
    uint32_t cp = utf8_decode(s, &len);
    char c = fold_cp(cp);
    if (c) {
      if (n + 2 > cap) break;
      dst[n++] = c;
    } else {
      if (n + (size_t)len + 1 > cap) break;
      memcpy(dst + n, s, (size_t)len);
      n += (size_t)len;
    }
    s += len;
  }
  dst[n] = '\0';
  return n;
}

/* Upper-case (upper != 0) or lower-case mapping for the letters Vietnamese uses. */
static uint32_t case_cp(uint32_t cp, int upper) {
  if (cp < 0x80) {
    if (upper && cp >= 'a' && cp <= 'z') return cp - 32;
    if (!upper && cp >= 'A' && cp <= 'Z') return cp + 32;
    return cp;
  }
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return upper ? cp : cp + 0x20;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return upper ? cp - 0x20 : cp;
  if ((cp >= 0x100 && cp <= 0x17F) || (cp >= 0x1EA0 && cp <= 0x1EF9) || cp == 0x1A0 ||
      cp == 0x1A1)
    return upper ? (cp & ~1u) : (cp | 1u);
  if (cp == 0x1AF || cp == 0x1B0) return upper ? 0x1AF : 0x1B0;
  return cp;
}

static void recase(char *s, size_t cap, int upper) {
  char tmp[GEN_NAME_MAX * 2];
  size_t n = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n + 5 < sizeof tmp) {
    int len;
    uint32_t cp = utf8_decode(p, &len);
    if (cp == 0xFFFD) {
      tmp[n++] = (char)*p;
    } else {
      n += (size_t)utf8_encode(case_cp(cp, upper), tmp + n);
    }
    p += len;
  }
  if (n >= cap) n = cap - 1;
  memcpy(s, tmp, n);
  s[n] = '\0';
}

/*
 * Rewrites new-style tone placement ("Hoà", "Thuý") into the old style ("Hòa", "Thúy") for a
 * syllable-final "oa", "oe" or "uy" (not "quy") carrying its tone on the last vowel. Returns 1 when
 * anything changed.
 */
static int old_tone(char *s, size_t cap) {
  /* Acute, grave, hook, tilde and dot below on a, e, y and on o, u (lower case). */
  static const uint32_t a_t[5] = {0xE1, 0xE0, 0x1EA3, 0xE3, 0x1EA1};
  static const uint32_t e_t[5] = {0xE9, 0xE8, 0x1EBB, 0x1EBD, 0x1EB9};
  static const uint32_t y_t[5] = {0xFD, 0x1EF3, 0x1EF7, 0x1EF9, 0x1EF5};
  static const uint32_t o_t[5] = {0xF3, 0xF2, 0x1ECF, 0xF5, 0x1ECD};
  static const uint32_t u_t[5] = {0xFA, 0xF9, 0x1EE7, 0x169, 0x1EE5};
  uint32_t cps[GEN_NAME_MAX];
  int n = 0, changed = 0;
  const unsigned char *p = (const unsigned char *)s;
  while (*p && n < (int)N_ELEMS(cps)) {
    int len;
    cps[n++] = utf8_decode(p, &len);
    p += len;
  }
  for (int i = 1; i < n; i++) {
    if (i + 1 < n && cps[i + 1] != ' ' && cps[i + 1] != ',') continue;
    uint32_t lo = case_cp(cps[i], 0), prev = case_cp(cps[i - 1], 0);
    int up_last = lo != cps[i], up_prev = prev != cps[i - 1];
    for (int t = 0; t < 5; t++) {
      uint32_t base = 0;
      const uint32_t *onto = NULL;
      if (prev == 'o' && (lo == a_t[t] || lo == e_t[t])) {
        base = lo == a_t[t] ? 'a' : 'e';
        onto = o_t;
      } else if (prev == 'u' && lo == y_t[t] && (i < 2 || case_cp(cps[i - 2], 0) != 'q')) {
        base = 'y';
        onto = u_t;
      }
      if (onto) {
        cps[i - 1] = case_cp(onto[t], up_prev);
        cps[i] = case_cp(base, up_last);
        changed = 1;
        break;
      }
    }
  }
  if (!changed) return 0;
  size_t out = 0;
  char enc[4];
  for (int i = 0; i < n; i++) {
    int len = utf8_encode(cps[i], enc);
    if (out + (size_t)len + 1 > cap) break;
    memcpy(s + out, enc, (size_t)len);
    out += (size_t)len;
  }
  s[out] = '\0';
  return 1;
}

/* ---------------------------------------------------------------- tables: names */

typedef struct {
  const char *s;
  uint16_t w;
} wstr_t;

/* Relative weights, close to people per 10,000 (Nguyễn 38%, Trần 11.5%, Lê 10%, ...). */
static const wstr_t SURNAMES[GEN_N_SURNAMES] = {
    {"Nguyễn", 3630}, {"Trần", 1100}, {"Lê", 950},    {"Phạm", 700},  {"Hoàng", 320},
    {"Huỳnh", 180},   {"Phan", 450},  {"Vũ", 200},    {"Võ", 190},    {"Đặng", 210},
    {"Bùi", 200},     {"Đỗ", 140},    {"Hồ", 130},    {"Ngô", 130},   {"Dương", 100},
    {"Lý", 50},       {"Trương", 70}, {"Đinh", 60},   {"Lâm", 45},    {"Mai", 45},
    {"Đoàn", 45},     {"Cao", 40},    {"Lương", 40},  {"Tạ", 35},     {"Hà", 35},
    {"Vương", 25},    {"Tô", 25},     {"Châu", 25},   {"Quách", 15},  {"Kiều", 15},
    {"Trịnh", 50},    {"Đào", 45},    {"Lưu", 25},    {"Tăng", 12},   {"Thái", 18},
    {"La", 10},       {"Triệu", 18},  {"Diệp", 8},    {"Phùng", 22},  {"Hứa", 10},
    {"Văn", 8},       {"Chu", 12},    {"Khúc", 4},    {"Mạc", 6},     {"Lại", 12},
    {"Nông", 10},     {"Lò", 5},      {"Thân", 8},    {"Ông", 5},     {"Từ", 6},
    {"Giang", 8},     {"Âu", 5},      {"Doãn", 6},    {"Kim", 4},     {"Khổng", 3},
    {"Tống", 12},     {"Hàn", 4},     {"Lục", 4},     {"Mẫn", 3},     {"Ninh", 4},
};

static const wstr_t MIDDLE_F[] = {
    {"Thị", 420}, {"Ngọc", 90},  {"Thu", 60},   {"Thanh", 60}, {"Minh", 40},  {"Phương", 30},
    {"Kim", 35},  {"Hồng", 40},  {"Thuý", 30},  {"Mỹ", 30},    {"Bích", 20},  {"Diệu", 15},
    {"Hoài", 15}, {"Khánh", 15}, {"Quỳnh", 15}, {"Tuyết", 12}, {"Hải", 10},   {"Xuân", 20},
    {"Lan", 10},  {"Bảo", 15},   {"Cẩm", 12},   {"Ánh", 10},   {"Hà", 8},     {"Như", 12},
    {"Mai", 10},  {"Thuỳ", 15},  {"Vân", 8},    {"Yến", 8},    {"Hoàng", 10}, {"Tường", 6},
    {"Gia", 8},   {"Uyên", 5},
};

static const wstr_t MIDDLE_M[] = {
    {"Văn", 450},  {"Đức", 80},   {"Minh", 70},  {"Quang", 60}, {"Hữu", 60},   {"Công", 50},
    {"Thanh", 45}, {"Xuân", 35},  {"Ngọc", 30},  {"Tuấn", 20},  {"Hoàng", 30}, {"Đình", 45},
    {"Trọng", 30}, {"Mạnh", 20},  {"Quốc", 40},  {"Anh", 25},   {"Thế", 25},   {"Bá", 20},
    {"Duy", 25},   {"Tiến", 15},  {"Trung", 15}, {"Hải", 15},   {"Việt", 20},  {"Gia", 15},
    {"Nhật", 10},  {"Thành", 15}, {"Khắc", 10},  {"Chí", 15},   {"Phú", 8},    {"Hoài", 8},
    {"Bảo", 15},   {"Kim", 5},
};

/* Given names in rough order of popularity; gen_init weights them by a Zipf law over the rank. */
static const char *const GIVEN_F[] = {
    "Linh", "Anh", "Trang", "Hương", "Ngọc", "Lan", "Hà", "Thảo", "Huyền", "Mai",
    "Hoa", "Hằng", "Nhung", "Phương", "Dung", "Hạnh", "Loan", "Thuỷ", "Hiền", "Nga",
    "Vân", "Yến", "Thu", "Hồng", "Ly", "Oanh", "Quỳnh", "Nhi", "Vy", "Trâm", "Uyên",
    "Thuý", "Tâm", "Duyên", "Giang", "Hậu", "Chi", "Châu", "Diễm", "Diệu", "Đào",
    "Gấm", "Hải", "Hân", "Hoà", "Hoài", "Huệ", "Hường", "Khánh", "Khuê", "Kiều",
    "Lam", "Liên", "Liễu", "Lụa", "Lý", "Mận", "My", "Mỹ", "Nguyệt", "Nhàn",
    "Như", "Nương", "Phượng", "Quyên", "Sen", "Sương", "Tuyết", "Tuyền", "Thanh",
    "Thắm", "Thơ", "Thoa", "Thư", "Thương", "Tiên", "Trinh", "Trúc", "Tú", "Vi",
    "Xuân", "Ánh", "Bích", "Cúc", "Diệp", "Dịu", "Điệp", "Hạ", "Hiên", "Hoàn",
    "Hợp", "Huế", "Kim", "Lệ", "Luyến", "Mến", "Minh", "Mơ", "Na", "Nụ", "Ngân",
    "Nhạn", "Nhiên", "Nhu", "Phụng", "Quế", "Thêu", "Thìn", "Thuận", "Trà", "Trân",
    "Uyển", "Vui", "Yên", "An", "Bảo", "Băng", "Cầm", "Đan", "Hảo", "Khanh", "Lài",
    "Lành", "Lựu", "Mây", "Miên", "Nhã", "Nhài", "Sa", "Tươi", "Xoan", "Xinh", "Ái",
    "Bình", "Chinh", "Đoan", "Hiếu", "Khải", "Nguyên", "Ngà", "Hiệp", "Thục",
    "Thắng", "Thi", "Trầm", "Thơm", "Tình", "Ngoan", "Hoè", "Chúc", "Lựa", "Quyến",
    "Vinh", "Son", "Mùi", "Đông", "Hiển", "Xuyến", "Ân", "Bạch", "Bội", "Cát",
    "Châm", "Chiêu", "Dao", "Di", "Diễn", "Đài", "Điểm", "Giao", "Huyên", "Hy",
    "Khả", "Khuyên", "Kỳ", "Lạc", "Lăng", "Lê", "Lộc", "Mẫn", "Mị", "Mộng",
    "Nghi", "Nhật", "Ninh", "Phấn", "Phi", "Phúc", "Phước", "Quý", "Sâm", "Sang",
    "San", "Tân", "Thái", "Thiên", "Thiều", "Thoại", "Tịnh", "Triều", "Tuệ",
    "Tường", "Ước", "Vịnh", "Vũ", "Ý", "Hiệu", "Khê", "Khiết", "Kha", "Lĩnh",
    "Lộ", "Nữ", "Phẩm", "Thụy", "Tuyến", "Vành", "Viên", "Quân", "Hoàng",
    "Nhiễu", "Bông", "Búp", "Cơ", "Dạ", "Đình", "Giáng", "Hoan", "Hưng", "Khôi",
    "Khang", "Lâm", "Lương", "Nghĩa", "Thịnh", "Thuần", "Tố", "Vượng", "Xuyên",
    "Yêu", "Chung", "Đức", "Tín", "Thuỳ", "Nhân",
};

static const char *const GIVEN_M[] = {
    "Hùng", "Dũng", "Tuấn", "Nam", "Minh", "Đức", "Long", "Sơn", "Hải", "Quân",
    "Phong", "Bình", "Hoà", "Huy", "Hoàng", "Thắng", "Trung", "Cường", "Tùng",
    "Hiếu", "Kiên", "Khánh", "Lâm", "Lộc", "Mạnh", "Nghĩa", "Phúc", "Phát", "Quang",
    "Quý", "Tài", "Tâm", "Thành", "Thịnh", "Tiến", "Toàn", "Trí", "Trọng", "Tú",
    "Việt", "Vinh", "Vũ", "Anh", "An", "Bảo", "Cảnh", "Chiến", "Chính", "Công",
    "Cương", "Danh", "Đạt", "Định", "Đông", "Duy", "Dương", "Giang", "Hà", "Hậu",
    "Hiệp", "Hiển", "Hiền", "Hoan", "Học", "Hưng", "Huân", "Khải", "Khang", "Khoa",
    "Khôi", "Kiệt", "Lực", "Luân", "Lợi", "Nhân", "Nhật", "Ninh", "Phương",
    "Quốc", "Quyết", "Sang", "Sáng", "Sỹ", "Tân", "Thái", "Thanh", "Thạch",
    "Thiện", "Thông", "Thuận", "Thức", "Toản", "Tới", "Triều", "Trường",
    "Tuệ", "Tường", "Uy", "Văn", "Vĩnh", "Vương", "Xuân", "Bách", "Bằng", "Biên",
    "Chung", "Cử", "Đăng", "Đoàn", "Điệp", "Được", "Giáp", "Hào", "Hoạt",
    "Hợi", "Huynh", "Khiêm", "Khương", "Lập", "Lương", "Mẫn", "Ngọc", "Nguyên",
    "Nhuận", "Phi", "Phú", "Phước", "Quảng", "Quyền", "Sinh", "Tấn", "Thao",
    "Tĩnh", "Toại", "Trực", "Tuyên", "Vĩ", "Vượng", "Thuỵ", "Ân", "Châu",
    "Đại", "Điền", "Hanh", "Hợp", "Lãm", "Luận", "Nhạc", "Phụng", "Thạnh",
    "Thục", "Tín", "Trãi", "Tráng", "Vỹ", "Chương", "Đạo", "Hiên", "Khuê",
    "Mừng", "Ngân", "Nhất", "Tiệp", "Thăng", "Toán", "Tuyển", "Ấn", "Bắc",
    "Bản", "Bổn", "Cẩn", "Canh", "Cao", "Chánh", "Chiểu", "Cơ", "Cung", "Cừ",
    "Dân", "Di", "Diệu", "Dinh", "Doanh", "Du", "Dụng", "Duẩn", "Dục", "Dự",
    "Đạm", "Đàn", "Đằng", "Đắc", "Đích", "Độ", "Đôn", "Đồng", "Giác",
    "Giao", "Hạ", "Hãn", "Hành", "Hiến", "Hinh", "Hoán", "Hoành", "Huấn", "Huề",
    "Hữu", "Kha", "Khanh", "Khoát", "Khởi", "Kính", "Kỳ", "Lạc", "Lam", "Lễ",
    "Liêm", "Lĩnh", "Luyện", "Lý", "Miên", "Mưu", "Năng", "Nghị", "Nghiêm",
    "Nguyện", "Nhâm", "Nhẫn", "Nhiệm", "Nho", "Niên", "Oai", "Pháp", "Phẩm",
    "Phiên", "Phổ", "Phục", "Phùng", "Quán", "Quế", "Quỳnh", "Sâm", "Sĩ", "Siêu",
    "Song", "Sửu", "Tá", "Tạo", "Tần", "Tập", "Thạc", "Thân", "Thẩm", "Thiêm",
    "Thiết", "Thiệu", "Thìn", "Thọ", "Thoại", "Thống", "Thụ", "Thuần",
    "Thường", "Tích", "Tiêu", "Tôn", "Trác", "Tri", "Triết", "Triệu", "Trình",
    "Trụ", "Truyền", "Tuân", "Tuyến", "Tự", "Tước", "Ưng", "Vạn", "Vận",
    "Viên", "Viễn", "Võ", "Xuyên", "Yên", "Ý", "Cẩm", "Đài", "Hoa",
};

/* Zipf weight of rank r (0-based): GIVEN_ZIPF_SCALE / (r + GIVEN_ZIPF_SHIFT)^GIVEN_ZIPF_S. */
#define GIVEN_ZIPF_SCALE 1000000.0
#define GIVEN_ZIPF_SHIFT 10.0
#define GIVEN_ZIPF_S 0.9

static const char *const ADOPTED_F[] = {"Anna", "Linda", "Jenny", "Lisa", "Vivian", "Helen",
                                        "Tina", "Julie", "Cindy", "Amy", "Kathy", "Nancy"};
static const char *const ADOPTED_M[] = {"Kevin", "Tony", "David", "Peter", "Michael", "Henry",
                                        "Daniel", "Andy", "Jimmy", "John", "Steven", "Tom"};

/* ---------------------------------------------------------------- tables: provinces */

typedef struct {
  const char *name;
  uint16_t code; /* CCCD province code */
  uint16_t w;    /* weight among people abroad */
} province_t;

static const province_t PROVINCES[GEN_N_PROVINCES] = {
    {"Hà Nội", 1, 80},          {"Hà Giang", 2, 3},        {"Cao Bằng", 4, 3},
    {"Bắc Kạn", 6, 2},          {"Tuyên Quang", 8, 4},     {"Lào Cai", 10, 3},
    {"Điện Biên", 11, 2},       {"Lai Châu", 12, 2},       {"Sơn La", 14, 3},
    {"Yên Bái", 15, 4},         {"Hoà Bình", 17, 6},       {"Thái Nguyên", 19, 8},
    {"Lạng Sơn", 20, 5},        {"Quảng Ninh", 22, 15},    {"Bắc Giang", 24, 30},
    {"Phú Thọ", 25, 18},        {"Vĩnh Phúc", 26, 18},     {"Bắc Ninh", 27, 18},
    {"Hải Dương", 30, 40},      {"Hải Phòng", 31, 40},     {"Hưng Yên", 33, 30},
    {"Thái Bình", 34, 40},      {"Hà Nam", 35, 20},        {"Nam Định", 36, 40},
    {"Ninh Bình", 37, 20},      {"Thanh Hoá", 38, 70},     {"Nghệ An", 40, 90},
    {"Hà Tĩnh", 42, 80},        {"Quảng Bình", 44, 30},    {"Quảng Trị", 45, 12},
    {"Thừa Thiên Huế", 46, 15}, {"Đà Nẵng", 48, 15},       {"Quảng Nam", 49, 12},
    {"Quảng Ngãi", 51, 10},     {"Bình Định", 52, 10},     {"Phú Yên", 54, 6},
    {"Khánh Hoà", 56, 8},       {"Ninh Thuận", 58, 4},     {"Bình Thuận", 60, 6},
    {"Kon Tum", 62, 2},         {"Gia Lai", 64, 4},        {"Đắk Lắk", 66, 6},
    {"Đắk Nông", 67, 2},        {"Lâm Đồng", 68, 6},       {"Bình Phước", 70, 4},
    {"Tây Ninh", 72, 6},        {"Bình Dương", 74, 12},    {"Đồng Nai", 75, 15},
    {"Bà Rịa - Vũng Tàu", 77, 8}, {"Hồ Chí Minh", 79, 80}, {"Long An", 80, 8},
    {"Tiền Giang", 82, 8},      {"Bến Tre", 83, 6},        {"Trà Vinh", 84, 5},
    {"Vĩnh Long", 86, 6},       {"Đồng Tháp", 87, 8},      {"An Giang", 89, 12},
    {"Kiên Giang", 91, 8},      {"Cần Thơ", 92, 12},       {"Hậu Giang", 93, 4},
    {"Sóc Trăng", 94, 5},       {"Bạc Liêu", 95, 4},       {"Cà Mau", 96, 5},
};

/* ---------------------------------------------------------------- tables: destinations */

enum { PROF_LABOUR, PROF_SETTLED, PROF_NEIGHBOUR, PROF_GULF, PROF_COUNT };
enum { ADDR_JP, ADDR_KR, ADDR_TW, ADDR_EN, ADDR_DE, ADDR_CZ, ADDR_FR, ADDR_RU, ADDR_GEN };

/* Category weights (resident, student, worker, official, tourist, other) per profile. */
static const uint16_t CATEGORY_W[PROF_COUNT][GEN_CAT_COUNT] = {
    {8, 25, 55, 1, 6, 5},
    {55, 15, 12, 2, 8, 8},
    {25, 5, 45, 2, 15, 8},
    {3, 2, 85, 2, 4, 4},
};

typedef struct {
  const char *name;
  const char *region; /* ISO 3166-2 or "" */
  uint16_t w;
  const char *area; /* a phone area prefix for this city, or NULL */
} city_t;

typedef struct {
  const char *iso;
  uint16_t w;
  uint8_t profile;
  uint8_t addr;
  const char *cc;      /* calling code without '+' */
  const char *mob[4];  /* mobile prefixes after the calling code */
  uint8_t rest;        /* random digits after the prefix */
  const char *company; /* legal-form suffix of a company name */
  const city_t *cities;
  uint8_t n_cities;
} country_t;

#define CITIES(a) (a), (uint8_t)N_ELEMS(a)

static const city_t C_JP[] = {
    {"Tokyo", "JP-13", 30, NULL},   {"Osaka", "JP-27", 15, NULL},     {"Nagoya", "JP-23", 10, NULL},
    {"Yokohama", "JP-14", 8, NULL}, {"Saitama", "JP-11", 6, NULL},    {"Chiba", "JP-12", 5, NULL},
    {"Fukuoka", "JP-40", 5, NULL},  {"Kobe", "JP-28", 4, NULL},       {"Hamamatsu", "JP-22", 4, NULL},
    {"Hiroshima", "JP-34", 3, NULL}, {"Kyoto", "JP-26", 3, NULL},     {"Mito", "JP-08", 3, NULL},
    {"Gifu", "JP-21", 3, NULL},     {"Utsunomiya", "JP-09", 2, NULL}, {"Isesaki", "JP-10", 3, NULL},
    {"Sapporo", "JP-01", 2, NULL},  {"Kumamoto", "JP-43", 2, NULL},
};
static const city_t C_KR[] = {
    {"Seoul", "KR-11", 25, NULL},   {"Suwon", "KR-41", 8, NULL},   {"Ansan", "KR-41", 10, NULL},
    {"Hwaseong", "KR-41", 6, NULL}, {"Busan", "KR-26", 8, NULL},   {"Incheon", "KR-28", 8, NULL},
    {"Daegu", "KR-27", 5, NULL},    {"Changwon", "KR-48", 5, NULL}, {"Gimhae", "KR-48", 4, NULL},
    {"Gwangju", "KR-29", 3, NULL},  {"Cheonan", "KR-44", 4, NULL}, {"Daejeon", "KR-30", 3, NULL},
};
static const city_t C_TW[] = {
    {"Taipei", "TW-TPE", 12, NULL},   {"New Taipei", "TW-NWT", 12, NULL},
    {"Taoyuan", "TW-TAO", 20, NULL},  {"Taichung", "TW-TXG", 15, NULL},
    {"Kaohsiung", "TW-KHH", 10, NULL}, {"Tainan", "TW-TNN", 8, NULL},
    {"Changhua", "TW-CHA", 8, NULL},  {"Hsinchu", "TW-HSZ", 6, NULL},
};
static const city_t C_US[] = {
    {"Westminster", "US-CA", 12, "714"}, {"San Jose", "US-CA", 14, "408"},
    {"Garden Grove", "US-CA", 8, "714"}, {"Los Angeles", "US-CA", 8, "213"},
    {"Houston", "US-TX", 14, "713"},     {"Dallas", "US-TX", 6, "214"},
    {"Seattle", "US-WA", 7, "206"},      {"Falls Church", "US-VA", 4, "703"},
    {"Atlanta", "US-GA", 5, "404"},      {"Boston", "US-MA", 4, "617"},
    {"Orlando", "US-FL", 4, "407"},      {"New Orleans", "US-LA", 4, "504"},
    {"New York", "US-NY", 6, "212"},     {"Philadelphia", "US-PA", 4, "215"},
};
static const city_t C_DE[] = {
    {"Berlin", "DE-BE", 30, NULL},  {"Hamburg", "DE-HH", 6, NULL},
    {"Leipzig", "DE-SN", 8, NULL},  {"Dresden", "DE-SN", 5, NULL},
    {"Munich", "DE-BY", 6, NULL},   {"Frankfurt am Main", "DE-HE", 6, NULL},
    {"Cologne", "DE-NW", 4, NULL},  {"Düsseldorf", "DE-NW", 4, NULL},
    {"Hannover", "DE-NI", 4, NULL}, {"Erfurt", "DE-TH", 4, NULL},
    {"Magdeburg", "DE-ST", 3, NULL}, {"Rostock", "DE-MV", 3, NULL},
    {"Chemnitz", "DE-SN", 3, NULL},
};
static const city_t C_AU[] = {
    {"Sydney", "AU-NSW", 35, NULL}, {"Melbourne", "AU-VIC", 35, NULL},
    {"Brisbane", "AU-QLD", 10, NULL}, {"Perth", "AU-WA", 7, NULL},
    {"Adelaide", "AU-SA", 8, NULL}, {"Canberra", "AU-ACT", 3, NULL},
    {"Darwin", "AU-NT", 2, NULL},
};
static const city_t C_CZ[] = {
    {"Prague", "CZ-10", 40, NULL},     {"Brno", "CZ-64", 10, NULL},
    {"Cheb", "CZ-41", 8, NULL},        {"Plzeň", "CZ-32", 8, NULL},
    {"Ostrava", "CZ-80", 8, NULL},     {"Ústí nad Labem", "CZ-42", 6, NULL},
    {"Karlovy Vary", "CZ-41", 5, NULL}, {"Liberec", "CZ-51", 4, NULL},
    {"Hradec Králové", "CZ-52", 3, NULL},
};
static const city_t C_RU[] = {
    {"Moscow", "RU-MOW", 55, NULL},     {"Saint Petersburg", "RU-SPE", 15, NULL},
    {"Vladivostok", "RU-PRI", 8, NULL}, {"Kazan", "RU-TA", 5, NULL},
    {"Yekaterinburg", "RU-SVE", 5, NULL}, {"Novosibirsk", "RU-NVS", 5, NULL},
    {"Irkutsk", "RU-IRK", 3, NULL},
};
static const city_t C_FR[] = {
    {"Paris", "FR-IDF", 45, NULL},   {"Lyon", "FR-ARA", 10, NULL},     {"Marseille", "FR-PAC", 10, NULL},
    {"Toulouse", "FR-OCC", 8, NULL}, {"Montpellier", "FR-OCC", 5, NULL}, {"Lille", "FR-HDF", 5, NULL},
    {"Bordeaux", "FR-NAQ", 5, NULL}, {"Strasbourg", "FR-GES", 4, NULL}, {"Nice", "FR-PAC", 3, NULL},
};
static const city_t C_GB[] = {
    {"London", "GB-ENG", 50, NULL},    {"Birmingham", "GB-ENG", 10, NULL},
    {"Manchester", "GB-ENG", 8, NULL}, {"Leeds", "GB-ENG", 5, NULL},
    {"Liverpool", "GB-ENG", 4, NULL},  {"Glasgow", "GB-SCT", 5, NULL},
    {"Edinburgh", "GB-SCT", 3, NULL},  {"Cardiff", "GB-WLS", 3, NULL},
    {"Belfast", "GB-NIR", 2, NULL},
};
static const city_t C_TH[] = {
    {"Bangkok", "TH-10", 35, NULL},       {"Udon Thani", "TH-41", 12, NULL},
    {"Nakhon Phanom", "TH-48", 10, NULL}, {"Sakon Nakhon", "TH-47", 8, NULL},
    {"Nong Khai", "TH-43", 8, NULL},      {"Chiang Mai", "TH-50", 5, NULL},
    {"Pattaya", "TH-20", 5, NULL},        {"Mukdahan", "TH-49", 4, NULL},
};
static const city_t C_LA[] = {
    {"Vientiane", "LA-VT", 45, NULL},     {"Pakse", "LA-CH", 15, NULL},
    {"Savannakhet", "LA-SV", 15, NULL},   {"Luang Prabang", "LA-LP", 10, NULL},
    {"Thakhek", "LA-KH", 8, NULL},
};
static const city_t C_KH[] = {
    {"Phnom Penh", "KH-12", 50, NULL},   {"Siem Reap", "KH-17", 12, NULL},
    {"Sihanoukville", "KH-18", 10, NULL}, {"Battambang", "KH-2", 8, NULL},
    {"Kampong Cham", "KH-3", 6, NULL},   {"Kampong Chhnang", "KH-4", 6, NULL},
};
static const city_t C_MY[] = {
    {"Kuala Lumpur", "MY-14", 35, NULL}, {"George Town", "MY-07", 10, NULL},
    {"Johor Bahru", "MY-01", 12, NULL},  {"Shah Alam", "MY-10", 15, NULL},
    {"Klang", "MY-10", 10, NULL},        {"Ipoh", "MY-08", 5, NULL},
};
static const city_t C_CN[] = {
    {"Beijing", "CN-BJ", 10, NULL},  {"Shanghai", "CN-SH", 12, NULL}, {"Guangzhou", "CN-GD", 15, NULL},
    {"Shenzhen", "CN-GD", 12, NULL}, {"Nanning", "CN-GX", 15, NULL},  {"Kunming", "CN-YN", 10, NULL},
    {"Dongxing", "CN-GX", 8, NULL},  {"Pingxiang", "CN-GX", 5, NULL},
};
static const city_t C_IL[] = {
    {"Tel Aviv", "IL-TA", 25, NULL}, {"Jerusalem", "IL-JM", 8, NULL},
    {"Haifa", "IL-HA", 8, NULL},     {"Be'er Sheva", "IL-D", 8, NULL},
    {"Eilat", "IL-D", 6, NULL},      {"Ashkelon", "IL-D", 6, NULL},
    {"Kiryat Shmona", "IL-Z", 6, NULL}, {"Netivot", "IL-D", 6, NULL},
};
static const city_t C_MM[] = {{"Yangon", "MM-06", 70, NULL}, {"Mandalay", "MM-04", 30, NULL}};
static const city_t C_AE[] = {
    {"Dubai", "AE-DU", 60, NULL}, {"Abu Dhabi", "AE-AZ", 25, NULL}, {"Sharjah", "AE-SH", 15, NULL}};
static const city_t C_SA[] = {
    {"Riyadh", "SA-01", 50, NULL}, {"Jeddah", "SA-02", 30, NULL}, {"Dammam", "SA-04", 20, NULL}};
static const city_t C_CA[] = {
    {"Toronto", "CA-ON", 35, "416"},  {"Montréal", "CA-QC", 30, "514"},
    {"Vancouver", "CA-BC", 20, "604"}, {"Calgary", "CA-AB", 10, "403"},
    {"Ottawa", "CA-ON", 5, "613"},
};
static const city_t C_PL[] = {{"Warsaw", "", 80, NULL}, {"Kraków", "", 10, NULL},
                              {"Wrocław", "", 10, NULL}};
static const city_t C_SG[] = {{"Singapore", "", 1, NULL}};
static const city_t C_HU[] = {{"Budapest", "", 1, NULL}};
static const city_t C_SK[] = {{"Bratislava", "", 1, NULL}};
static const city_t C_UA[] = {{"Kyiv", "", 50, NULL}, {"Kharkiv", "", 30, NULL},
                              {"Odesa", "", 20, NULL}};
static const city_t C_NL[] = {{"Amsterdam", "", 50, NULL}, {"Rotterdam", "", 30, NULL},
                              {"The Hague", "", 20, NULL}};
static const city_t C_IT[] = {{"Rome", "", 50, NULL}, {"Milan", "", 50, NULL}};
static const city_t C_BE[] = {{"Brussels", "", 1, NULL}};
static const city_t C_QA[] = {{"Doha", "", 1, NULL}};
static const city_t C_KW[] = {{"Kuwait City", "", 1, NULL}};
static const city_t C_RO[] = {{"Bucharest", "", 1, NULL}};
static const city_t C_AO[] = {{"Luanda", "", 1, NULL}};
static const city_t C_DZ[] = {{"Algiers", "", 1, NULL}};
static const city_t C_NZ[] = {{"Auckland", "", 1, NULL}};
static const city_t C_SE[] = {{"Stockholm", "", 1, NULL}};
static const city_t C_PH[] = {{"Manila", "", 1, NULL}};
static const city_t C_ID[] = {{"Jakarta", "", 1, NULL}};
static const city_t C_IN[] = {{"New Delhi", "", 1, NULL}};
static const city_t C_CH[] = {{"Zürich", "", 1, NULL}};
static const city_t C_NO[] = {{"Oslo", "", 1, NULL}};
static const city_t C_DK[] = {{"Copenhagen", "", 1, NULL}};

#define CO(iso, w, prof, addr, cc, m0, m1, m2, m3, rest, co, cities)                              \
  { iso, w, prof, addr, cc, {m0, m1, m2, m3}, rest, co, CITIES(cities) }

static const country_t COUNTRIES[] = {
    CO("JP", 180, PROF_LABOUR, ADDR_JP, "81", "90", "80", "70", NULL, 8, "Co., Ltd.", C_JP),
    CO("KR", 100, PROF_LABOUR, ADDR_KR, "82", "10", NULL, NULL, NULL, 8, "Co., Ltd.", C_KR),
    CO("TW", 100, PROF_LABOUR, ADDR_TW, "886", "9", NULL, NULL, NULL, 8, "Co., Ltd.", C_TW),
    CO("US", 110, PROF_SETTLED, ADDR_EN, "1", NULL, NULL, NULL, NULL, 7, "Inc.", C_US),
    CO("DE", 45, PROF_SETTLED, ADDR_DE, "49", "151", "160", "170", "176", 8, "GmbH", C_DE),
    CO("AU", 45, PROF_SETTLED, ADDR_EN, "61", "4", NULL, NULL, NULL, 8, "Pty Ltd", C_AU),
    CO("CZ", 30, PROF_SETTLED, ADDR_CZ, "420", "6", "7", NULL, NULL, 8, "s.r.o.", C_CZ),
    CO("RU", 30, PROF_SETTLED, ADDR_RU, "7", "9", NULL, NULL, NULL, 9, "LLC", C_RU),
    CO("FR", 30, PROF_SETTLED, ADDR_FR, "33", "6", "7", NULL, NULL, 8, "SARL", C_FR),
    CO("GB", 25, PROF_SETTLED, ADDR_EN, "44", "7", NULL, NULL, NULL, 9, "Ltd", C_GB),
    CO("TH", 30, PROF_NEIGHBOUR, ADDR_GEN, "66", "6", "8", "9", NULL, 8, "Co., Ltd.", C_TH),
    CO("LA", 25, PROF_NEIGHBOUR, ADDR_GEN, "856", "20", NULL, NULL, NULL, 8, "Co., Ltd.", C_LA),
    CO("KH", 30, PROF_NEIGHBOUR, ADDR_GEN, "855", "12", "17", "77", "97", 6, "Co., Ltd.", C_KH),
    CO("MY", 20, PROF_LABOUR, ADDR_GEN, "60", "12", "16", "17", NULL, 7, "Sdn. Bhd.", C_MY),
    CO("CN", 20, PROF_NEIGHBOUR, ADDR_GEN, "86", "13", "15", "18", NULL, 9, "Co., Ltd.", C_CN),
    CO("IL", 15, PROF_LABOUR, ADDR_GEN, "972", "50", "52", "54", "58", 7, "Ltd.", C_IL),
    CO("MM", 5, PROF_NEIGHBOUR, ADDR_GEN, "95", "9", NULL, NULL, NULL, 9, "Co., Ltd.", C_MM),
    CO("AE", 10, PROF_GULF, ADDR_GEN, "971", "50", "52", "55", "56", 7, "LLC", C_AE),
    CO("SA", 10, PROF_GULF, ADDR_GEN, "966", "50", "53", "55", "56", 7, "Co.", C_SA),
    CO("CA", 30, PROF_SETTLED, ADDR_EN, "1", NULL, NULL, NULL, NULL, 7, "Inc.", C_CA),
    CO("PL", 12, PROF_SETTLED, ADDR_GEN, "48", "50", "51", "60", "69", 7, "Sp. z o.o.", C_PL),
    CO("SG", 8, PROF_LABOUR, ADDR_GEN, "65", "8", "9", NULL, NULL, 7, "Pte. Ltd.", C_SG),
    CO("HU", 4, PROF_SETTLED, ADDR_GEN, "36", "20", "30", "70", NULL, 7, "Kft.", C_HU),
    CO("SK", 4, PROF_SETTLED, ADDR_CZ, "421", "90", "91", "94", NULL, 7, "s.r.o.", C_SK),
    CO("UA", 5, PROF_SETTLED, ADDR_RU, "380", "50", "67", "93", NULL, 7, "LLC", C_UA),
    CO("NL", 4, PROF_SETTLED, ADDR_GEN, "31", "6", NULL, NULL, NULL, 8, "B.V.", C_NL),
    CO("IT", 4, PROF_SETTLED, ADDR_GEN, "39", "3", NULL, NULL, NULL, 9, "S.r.l.", C_IT),
    CO("BE", 3, PROF_SETTLED, ADDR_FR, "32", "47", "48", "49", NULL, 7, "SRL", C_BE),
    CO("QA", 5, PROF_GULF, ADDR_GEN, "974", "3", "5", "6", "7", 7, "W.L.L.", C_QA),
    CO("KW", 3, PROF_GULF, ADDR_GEN, "965", "5", "6", "9", NULL, 7, "W.L.L.", C_KW),
    CO("RO", 4, PROF_LABOUR, ADDR_GEN, "40", "7", NULL, NULL, NULL, 8, "S.R.L.", C_RO),
    CO("AO", 3, PROF_LABOUR, ADDR_GEN, "244", "92", "93", NULL, NULL, 7, "Lda.", C_AO),
    CO("DZ", 2, PROF_LABOUR, ADDR_GEN, "213", "5", "6", "7", NULL, 8, "SARL", C_DZ),
    CO("NZ", 3, PROF_SETTLED, ADDR_EN, "64", "21", "22", "27", NULL, 7, "Ltd", C_NZ),
    CO("SE", 3, PROF_SETTLED, ADDR_GEN, "46", "70", "72", "73", NULL, 7, "AB", C_SE),
    CO("PH", 3, PROF_NEIGHBOUR, ADDR_GEN, "63", "9", NULL, NULL, NULL, 9, "Inc.", C_PH),
    CO("ID", 3, PROF_NEIGHBOUR, ADDR_GEN, "62", "812", "813", "857", NULL, 8, "PT", C_ID),
    CO("IN", 2, PROF_NEIGHBOUR, ADDR_GEN, "91", "9", "8", NULL, NULL, 9, "Pvt. Ltd.", C_IN),
    CO("CH", 2, PROF_SETTLED, ADDR_DE, "41", "76", "78", "79", NULL, 7, "GmbH", C_CH),
    CO("NO", 2, PROF_SETTLED, ADDR_GEN, "47", "4", "9", NULL, NULL, 7, "AS", C_NO),
    CO("DK", 2, PROF_SETTLED, ADDR_GEN, "45", "2", "3", NULL, NULL, 7, "ApS", C_DK),
};

#define N_COUNTRIES ((int)N_ELEMS(COUNTRIES))

_Static_assert(N_ELEMS(COUNTRIES) <= N_ELEMS(((gen_t *)0)->cum_country), "cum_country too small");
_Static_assert(N_ELEMS(GIVEN_F) <= GEN_N_GIVEN_MAX, "GEN_N_GIVEN_MAX too small");
_Static_assert(N_ELEMS(GIVEN_M) <= GEN_N_GIVEN_MAX, "GEN_N_GIVEN_MAX too small");

/* Word pools for synthetic addresses and organisations. */
static const char *const W_JP[] = {"Kita", "Minami", "Higashi", "Nishi", "Naka",
                                   "Sakae", "Midori", "Asahi", "Hon", "Shin"};
static const char *const W_KR[] = {"Jungang", "Sejong", "Haean", "Dongbu",
                                   "Seobu", "Namsan", "Hanbit", "Saemal"};
static const char *const W_TW[] = {"Zhongshan", "Zhongzheng", "Minsheng", "Heping",
                                   "Fuxing", "Jianguo", "Ziyou", "Minzu"};
static const char *const W_EN[] = {"Oak", "Maple", "Cedar", "Pine", "Elm", "Lake",
                                   "Hill", "Park", "River", "Mill", "Station", "Garden",
                                   "Church", "Bridge", "Willow", "Sunset"};
static const char *const W_EN_KIND[] = {"Street", "Road", "Avenue", "Lane", "Drive", "Court"};
static const char *const W_DE[] = {"Linden", "Birken", "Garten", "Bahnhof", "Wiesen", "Schul",
                                   "Mühlen", "Kirch", "Berg", "Feld", "Rosen", "Ahorn"};
static const char *const W_DE_KIND[] = {"straße", "weg", "allee"};
static const char *const W_CZ[] = {"Lipová", "Školní", "Nádražní", "Zahradní", "Polní",
                                   "Krátká", "Luční", "Husova", "Nová", "Dlouhá"};
static const char *const W_FR[] = {"rue des Lilas", "rue de la Gare", "avenue du Parc",
                                   "rue des Écoles", "boulevard de la Liberté", "rue du Moulin",
                                   "rue des Roses", "place de l'Église"};
static const char *const W_RU[] = {"Sadovaya", "Lesnaya", "Shkolnaya", "Tsentralnaya",
                                   "Molodyozhnaya", "Sovetskaya", "Zarechnaya", "Polevaya"};
static const char *const W_BRAND[] = {"Lotus", "Pacific", "Evergreen", "Horizon", "Sunrise",
                                      "Bluewave", "Greenfield", "Silverline", "Northstar",
                                      "Maple Leaf", "Golden Bridge", "Riverside", "Harbor",
                                      "Summit", "Crescent", "Bamboo"};
static const char *const W_SCHOOL[] = {"Language School", "Language Academy",
                                       "College of Technology", "Nursing College",
                                       "International Institute", "University of Applied Sciences"};
static const char *const W_SECTOR[] = {"Precision", "Foods", "Electronics", "Construction",
                                       "Logistics", "Textiles", "Agritech", "Marine",
                                       "Auto Parts", "Care Services", "Nail & Beauty", "Seafood"};
static const char *const W_MISSION[] = {"Embassy of Viet Nam", "Consulate General of Viet Nam",
                                        "Trade Office of Viet Nam"};
static const char *const W_MAIL[] = {"example.com", "example.net", "example.org"};
static const char *const VN_MOBILE[] = {"32", "33", "34", "35", "36", "37", "38", "39",
                                        "70", "76", "77", "78", "79", "81", "82", "83",
                                        "84", "85", "86", "88", "89", "90", "91", "93",
                                        "94", "96", "97", "98"};

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)N_ELEMS(a))])

/* ---------------------------------------------------------------- gen_init */

static void cum_from_wstr(uint32_t *cum, const wstr_t *t, int n) {
  uint32_t acc = 0;
  for (int i = 0; i < n; i++) cum[i] = acc += t[i].w;
}

static void cum_zipf(uint32_t *cum, int n) {
  uint32_t acc = 0;
  for (int i = 0; i < n; i++) {
    acc += (uint32_t)(GIVEN_ZIPF_SCALE / pow((double)i + GIVEN_ZIPF_SHIFT, GIVEN_ZIPF_S)) + 1;
    cum[i] = acc;
  }
}

void gen_init(gen_t *g, uint64_t seed) {
  memset(g, 0, sizeof *g);
  g->seed = seed;
  g->key_id = mix64(seed ^ 0x6E6174696F6E616Cull);
  g->key_pp = mix64(seed ^ 0x7061737370727400ull);
  g->ref_days = days_from_civil(GEN_REF_YEAR, GEN_REF_MONTH, GEN_REF_DAY);
  cum_from_wstr(g->cum_surname, SURNAMES, GEN_N_SURNAMES);
  cum_zipf(g->cum_given_f, (int)N_ELEMS(GIVEN_F));
  cum_zipf(g->cum_given_m, (int)N_ELEMS(GIVEN_M));
  uint32_t acc = 0;
  for (int i = 0; i < GEN_N_PROVINCES; i++) g->cum_province[i] = acc += PROVINCES[i].w;
  acc = 0;
  for (int i = 0; i < N_COUNTRIES; i++) g->cum_country[i] = acc += COUNTRIES[i].w;
}

/* ---------------------------------------------------------------- gen_person */

static const char *pick_wstr(const wstr_t *t, int n, rng_t *r) {
  uint32_t total = 0;
  for (int i = 0; i < n; i++) total += t[i].w;
  uint32_t x = rng_below(r, total);
  for (int i = 0; i < n; i++) {
    if (x < t[i].w) return t[i].s;
    x -= t[i].w;
  }
  return t[n - 1].s;
}

static int draw_age(gen_category_t cat, rng_t *r) {
  switch (cat) {
  case GEN_CAT_RESIDENT:
    if (rng_chance(r, 200)) return (int)rng_below(r, 18);
    return (int)(rng_range(r, 18, 52) + rng_below(r, 36)); /* 18..87, peak around 50 */
  case GEN_CAT_STUDENT:
    return rng_chance(r, 100) ? (int)rng_range(r, 15, 17) : (int)(rng_range(r, 18, 22) + rng_below(r, 8));
  case GEN_CAT_WORKER: return (int)(rng_range(r, 19, 30) + rng_below(r, 20));
  case GEN_CAT_OFFICIAL: return (int)(rng_range(r, 26, 42) + rng_below(r, 20));
  case GEN_CAT_TOURIST:
    if (rng_chance(r, 100)) return (int)rng_range(r, 4, 17);
    return (int)(rng_range(r, 18, 45) + rng_below(r, 30));
  default: return (int)rng_below(r, 81);
  }
}

static void lower_ascii(char *s) {
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z') *s = (char)(*s + 32);
}

/* Writes a local mobile number of country c (or of Viet Nam when c is NULL) as E.164. */
static void put_phone(char *dst, const country_t *c, const city_t *city, rng_t *r) {
  sb_t b;
  sb_init(&b, dst, GEN_PHONE_MAX);
  sb_putc(&b, '+');
  if (!c) {
    sb_puts(&b, "84");
    sb_puts(&b, PICK(r, VN_MOBILE));
    sb_digits(&b, r, 7);
    return;
  }
  sb_puts(&b, c->cc);
  if (c->cc[0] == '1' && c->cc[1] == '\0') {
    sb_puts(&b, city->area ? city->area : "212");
    sb_putc(&b, (char)('2' + rng_below(r, 8))); /* a NANP exchange never starts with 0 or 1 */
    sb_digits(&b, r, c->rest - 1);
    return;
  }
  int n_mob = 0;
  while (n_mob < 4 && c->mob[n_mob]) n_mob++;
  sb_puts(&b, c->mob[rng_below(r, (uint32_t)n_mob)]);
  sb_digits(&b, r, c->rest);
}

static void put_email(char *dst, const gen_person_t *p, rng_t *r) {
  char fam[32], giv[32], mid[32];
  sb_t b;
  gen_fold_ascii(p->family, fam, sizeof fam);
  gen_fold_ascii(p->given, giv, sizeof giv);
  gen_fold_ascii(p->n_middle ? p->middle[0] : "", mid, sizeof mid);
  lower_ascii(fam);
  lower_ascii(giv);
  lower_ascii(mid);
  /* Drop the space inside a compound given name. */
  for (char *s = giv; *s; s++)
    if (*s == ' ') *s = '.';
  sb_init(&b, dst, GEN_EMAIL_MAX);
  switch (rng_below(r, 5)) {
  case 0:
    sb_puts(&b, giv);
    sb_putc(&b, '.');
    sb_puts(&b, fam);
    sb_putu(&b, (uint64_t)(p->birth.year % 100), 2);
    break;
  case 1:
    sb_puts(&b, fam);
    sb_puts(&b, giv);
    sb_putu(&b, (uint64_t)p->birth.year, 4);
    break;
  case 2:
    sb_puts(&b, giv);
    sb_putc(&b, fam[0]);
    if (mid[0]) sb_putc(&b, mid[0]);
    sb_putu(&b, rng_below(r, 1000), 0);
    break;
  case 3:
    sb_puts(&b, fam);
    sb_putc(&b, '.');
    sb_puts(&b, giv);
    break;
  default:
    sb_puts(&b, giv);
    sb_puts(&b, fam);
    sb_putu(&b, rng_range(r, 1, 99), 0);
    break;
  }
  sb_putc(&b, '@');
  sb_puts(&b, PICK(r, W_MAIL));
}

static void put_address(char *dst, const country_t *c, rng_t *r) {
  sb_t b;
  sb_init(&b, dst, GEN_ADDRESS_MAX);
  switch (c->addr) {
  case ADDR_JP:
    sb_putu(&b, rng_range(r, 1, 5), 0);
    sb_putc(&b, '-');
    sb_putu(&b, rng_range(r, 1, 30), 0);
    sb_putc(&b, '-');
    sb_putu(&b, rng_range(r, 1, 20), 0);
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_JP));
    sb_puts(&b, rng_chance(r, 500) ? "-machi" : "-cho");
    if (rng_chance(r, 700)) {
      sb_puts(&b, ", Room ");
      sb_putu(&b, rng_range(r, 1, 9) * 100 + rng_range(r, 1, 12), 0);
    }
    break;
  case ADDR_KR:
    sb_puts(&b, PICK(r, W_KR));
    sb_puts(&b, "-ro ");
    sb_putu(&b, rng_range(r, 1, 300), 0);
    if (rng_chance(r, 600)) {
      sb_puts(&b, ", Apt ");
      sb_putu(&b, rng_range(r, 1, 15) * 100 + rng_range(r, 1, 8), 0);
    }
    break;
  case ADDR_TW:
    sb_puts(&b, "No. ");
    sb_putu(&b, rng_range(r, 1, 300), 0);
    sb_puts(&b, ", Ln. ");
    sb_putu(&b, rng_range(r, 1, 200), 0);
    sb_puts(&b, ", ");
    sb_puts(&b, PICK(r, W_TW));
    sb_puts(&b, " Rd.");
    break;
  case ADDR_EN:
    sb_putu(&b, rng_range(r, 1, 9999), 0);
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_EN));
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_EN_KIND));
    if (rng_chance(r, 300)) {
      sb_puts(&b, ", Apt ");
      sb_putu(&b, rng_range(r, 1, 40), 0);
    }
    break;
  case ADDR_DE:
    sb_puts(&b, PICK(r, W_DE));
    sb_puts(&b, PICK(r, W_DE_KIND));
    sb_putc(&b, ' ');
    sb_putu(&b, rng_range(r, 1, 150), 0);
    break;
  case ADDR_CZ:
    sb_puts(&b, PICK(r, W_CZ));
    sb_putc(&b, ' ');
    sb_putu(&b, rng_range(r, 100, 3000), 0);
    sb_putc(&b, '/');
    sb_putu(&b, rng_range(r, 1, 60), 0);
    break;
  case ADDR_FR:
    sb_putu(&b, rng_range(r, 1, 200), 0);
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_FR));
    break;
  case ADDR_RU:
    sb_puts(&b, "ul. ");
    sb_puts(&b, PICK(r, W_RU));
    sb_puts(&b, ", d. ");
    sb_putu(&b, rng_range(r, 1, 120), 0);
    sb_puts(&b, ", kv. ");
    sb_putu(&b, rng_range(r, 1, 300), 0);
    break;
  default:
    sb_putu(&b, rng_range(r, 1, 999), 0);
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_EN));
    sb_puts(&b, " Road");
    break;
  }
}

static void put_organisation(char *dst, const country_t *c, gen_category_t cat, rng_t *r) {
  static const uint16_t filled[GEN_CAT_COUNT] = {100, 600, 600, 950, 50, 150};
  sb_t b;
  sb_init(&b, dst, GEN_ORG_MAX);
  if (!rng_chance(r, filled[cat])) return;
  switch (cat) {
  case GEN_CAT_STUDENT:
    sb_puts(&b, PICK(r, W_BRAND));
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_SCHOOL));
    break;
  case GEN_CAT_OFFICIAL: sb_puts(&b, PICK(r, W_MISSION)); break;
  case GEN_CAT_TOURIST:
    sb_puts(&b, PICK(r, W_BRAND));
    sb_puts(&b, " Travel");
    break;
  case GEN_CAT_OTHER:
    sb_puts(&b, PICK(r, W_BRAND));
    sb_puts(&b, " Vietnamese Association");
    break;
  default:
    sb_puts(&b, PICK(r, W_BRAND));
    sb_putc(&b, ' ');
    sb_puts(&b, PICK(r, W_SECTOR));
    sb_putc(&b, ' ');
    sb_puts(&b, c->company);
    break;
  }
}

void gen_person(const gen_t *g, uint64_t index, gen_person_t *out) {
  rng_t r;
  sb_t b;
  rng_seed(&r, g->seed, index, 0x706572736F6E0001ull);
  memset(out, 0, sizeof *out);
  out->index = index;

  sb_init(&b, out->external_id, sizeof out->external_id);
  sb_putc(&b, 'G');
  sb_putu(&b, g->seed, 0);
  sb_putc(&b, '-');
  sb_putu(&b, index, 0);

  /* Destination and category first: they shape the age. */
  const country_t *c = &COUNTRIES[pick_cum(g->cum_country, N_COUNTRIES, &r)];
  const city_t *city = &c->cities[0];
  {
    uint32_t total = 0;
    for (int i = 0; i < c->n_cities; i++) total += c->cities[i].w;
    uint32_t x = rng_below(&r, total);
    for (int i = 0; i < c->n_cities; i++) {
      if (x < c->cities[i].w) {
        city = &c->cities[i];
        break;
      }
      x -= c->cities[i].w;
    }
  }
  memcpy(out->country, c->iso, 3);
  out->region = city->region;
  out->city = city->name;
  out->category = (gen_category_t)pick_small(CATEGORY_W[c->profile], GEN_CAT_COUNT, &r);

  /* Sex, age and birth date. */
  int female = out->category == GEN_CAT_WORKER ? rng_chance(&r, 450) : rng_chance(&r, 520);
  out->sex = female ? 'F' : 'M';
  gen_date_t ref = civil_from_days(g->ref_days);
  int age = draw_age(out->category, &r);
  int32_t bdays = g->ref_days - (age * 365 + age / 4) - (int32_t)rng_below(&r, 365);
  out->birth = civil_from_days(bdays);
  out->age = age_at(&out->birth, &ref);
  out->dob = out->birth;
  {
    uint32_t x = rng_below(&r, 1000);
    uint32_t year_only = out->age >= 60 ? 250 : 60, year_month = out->age >= 60 ? 50 : 40;
    if (x < year_only) {
      out->dob.prec = GEN_DATE_YEAR;
      out->dob.month = out->dob.day = 0;
    } else if (x < year_only + year_month) {
      out->dob.prec = GEN_DATE_MONTH;
      out->dob.day = 0;
    }
  }

  /* Name. */
  out->family = SURNAMES[pick_cum(g->cum_surname, GEN_N_SURNAMES, &r)].s;
  const wstr_t *mt = female ? MIDDLE_F : MIDDLE_M;
  int mn = female ? (int)N_ELEMS(MIDDLE_F) : (int)N_ELEMS(MIDDLE_M);
  uint32_t nm = rng_below(&r, 1000);
  out->n_middle = nm < 70 ? 0 : nm < 800 ? 1 : 2;
  if (out->n_middle >= 1) out->middle[0] = pick_wstr(mt, mn, &r);
  if (out->n_middle == 2) {
    const char *m2 = mt[1 + rng_below(&r, (uint32_t)mn - 1)].s; /* never a second Thị/Văn */
    if (m2 == out->middle[0])
      out->n_middle = 1;
    else
      out->middle[1] = m2;
  }
  if (female)
    out->given = GIVEN_F[pick_cum(g->cum_given_f, (int)N_ELEMS(GIVEN_F), &r)];
  else
    out->given = GIVEN_M[pick_cum(g->cum_given_m, (int)N_ELEMS(GIVEN_M), &r)];
  sb_init(&b, out->full_name, sizeof out->full_name);
  sb_puts(&b, out->family);
  for (int i = 0; i < out->n_middle; i++) {
    sb_putc(&b, ' ');
    sb_puts(&b, out->middle[i]);
  }
  sb_putc(&b, ' ');
  sb_puts(&b, out->given);

  sb_init(&b, out->other_names, sizeof out->other_names);
  if (out->n_middle > 0 && rng_chance(&r, 40)) {
    sb_puts(&b, out->family);
    sb_putc(&b, ' ');
    sb_puts(&b, out->given);
  }
  if (rng_chance(&r, c->profile == PROF_SETTLED ? 150 : 30)) {
    char fam[32];
    gen_fold_ascii(out->family, fam, sizeof fam);
    if (b.len) sb_putc(&b, ';');
    sb_puts(&b, female ? PICK(&r, ADOPTED_F) : PICK(&r, ADOPTED_M));
    sb_putc(&b, ' ');
    sb_puts(&b, fam);
  }

  /* Home province and the CCCD number built on it. */
  const province_t *pv = &PROVINCES[pick_cum(g->cum_province, GEN_N_PROVINCES, &r)];
  out->home_province = pv->name;
  out->province_code = pv->code;
  sb_init(&b, out->national_id, sizeof out->national_id);
  sb_putu(&b, pv->code, 3);
  sb_putc(&b, (char)('0' + (out->birth.year >= 2000 ? 2 : 0) + female));
  sb_putu(&b, (uint64_t)(out->birth.year % 100), 2);
  sb_putu(&b, perm_1e6(g->key_id, (uint32_t)(index % 1000000u)), 6);

  if (!rng_chance(&r, out->age < 14 ? 250 : 80)) {
    static const uint16_t lw[] = {650, 150, 100, 100};
    static const char letters[] = "CBNK";
    sb_init(&b, out->passport, sizeof out->passport);
    sb_putc(&b, letters[pick_small(lw, 4, &r)]);
    sb_putu(&b, perm_1e7(g->key_pp, (uint32_t)(index % 10000000u)), 7);
  }

  /* Contacts. */
  {
    uint32_t x = rng_below(&r, 1000);
    int n = out->age < 12 ? (x < 700 ? 0 : 1) : (x < 50 ? 0 : x < 700 ? 1 : 2);
    int vn_first = c->profile == PROF_NEIGHBOUR || out->category == GEN_CAT_TOURIST
                       ? rng_chance(&r, 800)
                       : rng_chance(&r, 350);
    for (int i = 0; i < n; i++)
      put_phone(out->phones[i], (vn_first ^ i) ? NULL : c, city, &r);
    out->n_phones = n;
    if (out->age >= 13) {
      x = rng_below(&r, 1000);
      out->n_emails = x < 350 ? 0 : x < 900 ? 1 : 2;
      for (int i = 0; i < out->n_emails; i++) put_email(out->emails[i], out, &r);
      if (out->n_emails == 2 && strcmp(out->emails[0], out->emails[1]) == 0) out->n_emails = 1;
    }
  }

  /* Flags consistent with age and sex. */
  if (out->age < 18) out->flags |= GEN_FLAG_MINOR;
  if (out->age >= GEN_ELDERLY_AGE) out->flags |= GEN_FLAG_ELDERLY;
  if (rng_chance(&r, out->age >= GEN_ELDERLY_AGE ? 150 : 30)) out->flags |= GEN_FLAG_MEDICAL;
  if (female && out->age >= 18 && out->age <= 45 && rng_chance(&r, 35))
    out->flags |= GEN_FLAG_PREGNANT;
  if (rng_chance(&r, out->age >= GEN_ELDERLY_AGE ? 50 : 15)) out->flags |= GEN_FLAG_DISABILITY;

  /* The presence. */
  put_address(out->address, c, &r);
  put_organisation(out->organisation, c, out->category, &r);
  {
    static const uint16_t max_years[GEN_CAT_COUNT] = {30, 4, 5, 3, 0, 10};
    int32_t back = out->category == GEN_CAT_TOURIST
                       ? (int32_t)rng_below(&r, 30)
                       : (int32_t)rng_below(&r, (uint32_t)max_years[out->category] * 365u + 1u);
    int32_t from = g->ref_days - back;
    if (from < bdays) from = bdays;
    out->from = civil_from_days(from);
    int32_t until = 0;
    switch (out->category) {
    case GEN_CAT_TOURIST: until = g->ref_days + (int32_t)rng_range(&r, 1, 30); break;
    case GEN_CAT_STUDENT:
      if (rng_chance(&r, 500)) until = from + 365 * (int32_t)rng_range(&r, 2, 5);
      break;
    case GEN_CAT_WORKER:
      if (rng_chance(&r, 400)) until = from + 365 * (int32_t)rng_range(&r, 3, 5);
      break;
    case GEN_CAT_OFFICIAL:
      if (rng_chance(&r, 900)) until = from + 365 * 3;
      break;
    default: break;
    }
    if (until && until < g->ref_days) until = g->ref_days + (int32_t)rng_range(&r, 30, 700);
    if (until) out->until = civil_from_days(until);
  }
  out->status = rng_chance(&r, 150) ? "safe" : "unknown";
}

/* ---------------------------------------------------------------- noisy copies */

static void typo(char *s, rng_t *r) {
  static const char near[] = "qwertyuiopasdfghjklzxcvbnm";
  size_t n = strlen(s);
  size_t letters[GEN_NAME_MAX];
  size_t nl = 0;
  for (size_t i = 0; i < n && nl < N_ELEMS(letters); i++) {
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letters[nl++] = i;
  }
  if (nl < 2) return;
  size_t at = letters[rng_below(r, (uint32_t)nl)];
  switch (rng_below(r, 3)) {
  case 0: {
    char c = near[rng_below(r, 26)];
    if (s[at] >= 'A' && s[at] <= 'Z') c = (char)(c - 32);
    if (c == s[at]) c = (char)(c == 'a' || c == 'A' ? c + 1 : c - 1);
    s[at] = c;
    break;
  }
  case 1: {
    char nx = s[at + 1];
    if ((nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z')) {
      if (nx != s[at]) {
        s[at + 1] = s[at];
        s[at] = nx;
        break;
      }
    }
    /* No transposable neighbour: fall back to a deletion. */
  }
  /* fall through */
  default: memmove(s + at, s + at + 1, n - at); break;
  }
}

static void ocr(char *s, rng_t *r) {
  size_t n = strlen(s), cand[16], nc = 0;
  for (size_t i = 0; i < n && nc < N_ELEMS(cand); i++)
    if (s[i] == '0' || s[i] == '1' || s[i] == '5' || s[i] == '8') cand[nc++] = i;
  if (!nc) return;
  int times = rng_chance(r, 700) ? 1 : 2;
  for (int t = 0; t < times; t++) {
    size_t at = cand[rng_below(r, (uint32_t)nc)];
    switch (s[at]) {
    case '0': s[at] = 'O'; break;
    case '1': s[at] = 'I'; break;
    case '5': s[at] = 'S'; break;
    case '8': s[at] = 'B'; break;
    default: break;
    }
  }
}

void gen_noisy_copy(const gen_t *g, const gen_person_t *p, uint64_t variant, gen_noisy_t *out) {
  rng_t r;
  sb_t b;
  rng_seed(&r, g->seed ^ mix64(variant + 0x6E6F697379ull), p->index, 0x6E6F697379000002ull);
  memset(out, 0, sizeof *out);
  out->age = -1;

  /* Name: order, middle names, script, tone style, typo, case. */
  int keep_middle = p->n_middle > 0 && !rng_chance(&r, 200);
  if (p->n_middle > 0 && !keep_middle) out->noise |= GEN_NOISE_NO_MIDDLE;
  uint32_t order = rng_below(&r, 1000);
  sb_init(&b, out->full_name, sizeof out->full_name);
  if (order < 550) {
    sb_puts(&b, p->family);
    for (int i = 0; keep_middle && i < p->n_middle; i++) {
      sb_putc(&b, ' ');
      sb_puts(&b, p->middle[i]);
    }
    sb_putc(&b, ' ');
    sb_puts(&b, p->given);
  } else if (order < 750) {
    out->noise |= GEN_NOISE_GIVEN_FIRST;
    sb_puts(&b, p->given);
    for (int i = 0; keep_middle && i < p->n_middle; i++) {
      sb_putc(&b, ' ');
      sb_puts(&b, p->middle[i]);
    }
    sb_putc(&b, ' ');
    sb_puts(&b, p->family);
  } else if (order < 920) {
    out->noise |= GEN_NOISE_FAMILY_LAST;
    for (int i = 0; keep_middle && i < p->n_middle; i++) {
      sb_puts(&b, p->middle[i]);
      sb_putc(&b, ' ');
    }
    sb_puts(&b, p->given);
    sb_putc(&b, ' ');
    sb_puts(&b, p->family);
  } else {
    out->noise |= GEN_NOISE_FAMILY_COMMA;
    sb_puts(&b, p->family);
    sb_putc(&b, ',');
    for (int i = 0; keep_middle && i < p->n_middle; i++) {
      sb_putc(&b, ' ');
      sb_puts(&b, p->middle[i]);
    }
    sb_putc(&b, ' ');
    sb_puts(&b, p->given);
  }
  int ascii = rng_chance(&r, 800);
  if (ascii) {
    char tmp[GEN_NAME_MAX];
    gen_fold_ascii(out->full_name, tmp, sizeof tmp);
    memcpy(out->full_name, tmp, sizeof tmp);
    out->noise |= GEN_NOISE_ASCII;
  } else if (rng_chance(&r, 300) && old_tone(out->full_name, sizeof out->full_name)) {
    out->noise |= GEN_NOISE_OLD_TONE;
  }
  if (rng_chance(&r, 150)) {
    typo(out->full_name, &r);
    out->noise |= GEN_NOISE_TYPO;
  }
  uint32_t cs = rng_below(&r, 1000);
  if (cs < 450) {
    recase(out->full_name, sizeof out->full_name, 1);
    out->noise |= GEN_NOISE_UPPER;
  } else if (cs < 530) {
    recase(out->full_name, sizeof out->full_name, 0);
    out->noise |= GEN_NOISE_LOWER;
  } else if (order >= 920 && rng_chance(&r, 700)) {
    /* "NGUYEN, Van Hung": the family name alone in capitals. */
    char *comma = strchr(out->full_name, ',');
    if (comma) {
      *comma = '\0';
      recase(out->full_name, sizeof out->full_name, 1);
      /* Case mapping keeps every letter's UTF-8 length, so the rest of the name is intact. */
      out->full_name[strlen(out->full_name)] = ',';
    }
  }

  /* Birth date or age. */
  uint32_t dm = rng_below(&r, 1000);
  gen_date_t ref = civil_from_days(g->ref_days);
  if (dm < 520) {
    out->dob = rng_chance(&r, 850) ? p->birth : p->dob;
    if (out->dob.prec == GEN_DATE_DAY && out->dob.day <= 12 && out->dob.day != out->dob.month &&
        rng_chance(&r, 80)) {
      int t = out->dob.day;
      out->dob.day = out->dob.month;
      out->dob.month = t;
      out->noise |= GEN_NOISE_DM_SWAP;
    } else if (out->dob.prec < GEN_DATE_DAY ? rng_chance(&r, 500) : rng_chance(&r, 30)) {
      out->dob.month = 1;
      out->dob.day = 1;
      out->dob.prec = GEN_DATE_DAY;
      out->noise |= GEN_NOISE_JAN1;
    }
  } else if (dm < 900) {
    out->age = age_at(&p->birth, &ref);
    out->noise |= GEN_NOISE_AGE;
    if (rng_chance(&r, 200)) {
      out->age++;
      out->noise |= GEN_NOISE_TRAD_AGE;
    }
  } else {
    out->noise |= GEN_NOISE_NO_DOB;
  }

  /* Identity number. */
  uint32_t idc = rng_below(&r, 1000);
  if (idc < 450 || (idc < 650 && !p->passport[0])) {
    memcpy(out->id_number, p->national_id, sizeof p->national_id);
  } else if (idc < 650) {
    memcpy(out->id_number, p->passport, sizeof p->passport);
    out->noise |= GEN_NOISE_PASSPORT_ID;
  } else {
    out->noise |= GEN_NOISE_NO_ID;
  }
  if (out->id_number[0] && rng_chance(&r, 120)) {
    char before[16];
    memcpy(before, out->id_number, sizeof before);
    ocr(out->id_number, &r);
    if (memcmp(before, out->id_number, sizeof before) != 0) out->noise |= GEN_NOISE_OCR;
  }

  if (rng_chance(&r, 100))
    out->noise |= GEN_NOISE_NO_SEX;
  else
    out->sex = p->sex;

  if (rng_chance(&r, 300)) {
    if (ascii)
      gen_fold_ascii(p->home_province, out->province, sizeof out->province);
    else {
      sb_init(&b, out->province, sizeof out->province);
      sb_puts(&b, p->home_province);
    }
  }
}

/* The COUNTRIES entry of person index's presence: the first draw of gen_person. */
static int person_country(const gen_t *g, uint64_t index) {
  rng_t r;
  rng_seed(&r, g->seed, index, 0x706572736F6E0001ull);
  return pick_cum(g->cum_country, N_COUNTRIES, &r);
}

void gen_person_country(const gen_t *g, uint64_t index, char iso[3]) {
  memcpy(iso, COUNTRIES[person_country(g, index)].iso, 3);
}

void gen_list_country(const gen_t *g, uint64_t list, char iso[3]) {
  rng_t r;
  rng_seed(&r, g->seed, list, 0x6C69737400000005ull);
  memcpy(iso, COUNTRIES[pick_cum(g->cum_country, N_COUNTRIES, &r)].iso, 3);
}

void gen_list_query(const gen_t *g, uint64_t query, uint64_t registry_n, gen_person_t *src,
                    int *in_registry, gen_noisy_t *out) {
  gen_list_query_in(g, query, registry_n, NULL, 0.0, src, in_registry, out);
}

void gen_list_query_in(const gen_t *g, uint64_t query, uint64_t registry_n, const char *country,
                       double p_in, gen_person_t *src, int *in_registry, gen_noisy_t *out) {
  rng_t r;
  rng_seed(&r, g->seed, query, 0x6C69737400000003ull);
  int in = registry_n > 0 && rng_chance(&r, 800);
  uint64_t index = in ? rng_next(&r) % registry_n : registry_n + query;
  int ci = -1;
  for (int k = 0; country != NULL && k < N_COUNTRIES; k++)
    if (strcmp(COUNTRIES[k].iso, country) == 0) ci = k;
  if (ci >= 0 && p_in > 0) {
    /* Draws of their own, so that p_in = 0 gives the lists gen_list_query always gave. */
    rng_t rc;
    rng_seed(&rc, g->seed, query, 0x6C69737400000004ull);
    if ((double)(rng_next(&rc) >> 11) * 0x1p-53 < p_in) {
      /* Uniform among the persons present in country, by rejection: inside the registry, or
       * (a row with no true match) among persons outside it, numbered apart from the others. */
      for (uint64_t t = 0; t < GEN_IN_COUNTRY_TRIES; t++) {
        uint64_t cand = in ? rng_next(&rc) % registry_n
                           : registry_n + ((uint64_t)1 << 32) + query * GEN_IN_COUNTRY_TRIES + t;
        if (person_country(g, cand) == ci) {
          index = cand;
          break;
        }
      }
    }
  }
  gen_person(g, index, src);
  *in_registry = in;
  gen_noisy_copy(g, src, query, out);
}

/* ---------------------------------------------------------------- CSV */

/* Appends s as one CSV field, quoted per RFC 4180 when it holds a comma, quote or line break. */
static void sb_field(sb_t *b, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    sb_puts(b, s);
    return;
  }
  sb_putc(b, '"');
  for (; *s; s++) {
    if (*s == '"') sb_putc(b, '"');
    sb_putc(b, *s);
  }
  sb_putc(b, '"');
}

void gen_date_str(const gen_date_t *d, char *buf, size_t cap) {
  sb_t b;
  sb_init(&b, buf, cap);
  if (d->prec == GEN_DATE_NONE) return;
  sb_putu(&b, (uint64_t)d->year, 4);
  if (d->prec >= GEN_DATE_MONTH) {
    sb_putc(&b, '-');
    sb_putu(&b, (uint64_t)d->month, 2);
  }
  if (d->prec >= GEN_DATE_DAY) {
    sb_putc(&b, '-');
    sb_putu(&b, (uint64_t)d->day, 2);
  }
}

static void sb_date(sb_t *b, const gen_date_t *d) {
  char tmp[16];
  gen_date_str(d, tmp, sizeof tmp);
  sb_puts(b, tmp);
}

static const char *const CATEGORY_NAMES[GEN_CAT_COUNT] = {"resident", "student", "worker",
                                                          "official", "tourist", "other"};
static const char *const FLAG_NAMES[] = {"minor", "elderly", "medical", "pregnant", "disability"};

int gen_person_csv_row(const gen_person_t *p, char *buf, size_t cap, size_t *len) {
  sb_t b;
  sb_init(&b, buf, cap);
  sb_field(&b, p->external_id);
  sb_putc(&b, ',');
  sb_field(&b, p->full_name);
  sb_putc(&b, ',');
  sb_field(&b, p->other_names);
  sb_putc(&b, ',');
  sb_putc(&b, p->sex);
  sb_putc(&b, ',');
  sb_date(&b, &p->dob);
  sb_putc(&b, ',');
  sb_puts(&b, p->national_id);
  sb_putc(&b, ',');
  sb_puts(&b, p->passport);
  sb_putc(&b, ',');
  for (int i = 0; i < p->n_phones; i++) {
    if (i) sb_putc(&b, ';');
    sb_puts(&b, p->phones[i]);
  }
  sb_putc(&b, ',');
  for (int i = 0; i < p->n_emails; i++) {
    if (i) sb_putc(&b, ';');
    sb_puts(&b, p->emails[i]);
  }
  sb_putc(&b, ',');
  sb_field(&b, p->home_province);
  sb_putc(&b, ',');
  int nf = 0;
  for (int i = 0; i < (int)N_ELEMS(FLAG_NAMES); i++) {
    if (!(p->flags & (1u << i))) continue;
    if (nf++) sb_putc(&b, ';');
    sb_puts(&b, FLAG_NAMES[i]);
  }
  sb_putc(&b, ',');
  sb_puts(&b, p->country);
  sb_putc(&b, ',');
  sb_puts(&b, p->region);
  sb_putc(&b, ',');
  sb_field(&b, p->city);
  sb_putc(&b, ',');
  sb_field(&b, p->address);
  sb_putc(&b, ',');
  sb_puts(&b, CATEGORY_NAMES[p->category]);
  sb_putc(&b, ',');
  sb_field(&b, p->organisation);
  sb_putc(&b, ',');
  sb_date(&b, &p->from);
  sb_putc(&b, ',');
  sb_date(&b, &p->until);
  sb_putc(&b, ',');
  sb_puts(&b, p->status);
  sb_puts(&b, "\r\n");
  *len = b.len;
  return b.overflow ? BH_ERR_TOO_LARGE : BH_OK;
}

int gen_write_persons_csv(FILE *out, uint64_t n, uint64_t seed, int with_header) {
  gen_t g;
  gen_person_t p;
  char row[2048];
  size_t len;
  gen_init(&g, seed);
  if (with_header && fputs(GEN_PERSONS_CSV_HEADER "\r\n", out) == EOF) return BH_ERR_IO;
  for (uint64_t i = 0; i < n; i++) {
    gen_person(&g, i, &p);
    int rc = gen_person_csv_row(&p, row, sizeof row, &len);
    if (rc != BH_OK) return rc;
    if (fwrite(row, 1, len, out) != len) return BH_ERR_IO;
  }
  return fflush(out) == 0 ? BH_OK : BH_ERR_IO;
}

int gen_write_list_csv(FILE *out, uint64_t n_queries, uint64_t registry_n, uint64_t seed,
                       FILE *truth) {
  gen_t g;
  gen_person_t src;
  gen_noisy_t q;
  char row[512], qid[48];
  sb_t b;
  if (registry_n == 0) return BH_ERR_INVALID;
  gen_init(&g, seed);
  if (fputs(GEN_LIST_CSV_HEADER "\r\n", out) == EOF) return BH_ERR_IO;
  if (truth && fputs(GEN_TRUTH_CSV_HEADER "\r\n", truth) == EOF) return BH_ERR_IO;
  for (uint64_t i = 0; i < n_queries; i++) {
    int in;
    gen_list_query(&g, i, registry_n, &src, &in, &q);
    sb_init(&b, qid, sizeof qid);
    sb_putc(&b, 'Q');
    sb_putu(&b, seed, 0);
    sb_putc(&b, '-');
    sb_putu(&b, i, 0);

    sb_init(&b, row, sizeof row);
    sb_puts(&b, qid);
    sb_putc(&b, ',');
    sb_field(&b, q.full_name);
    sb_putc(&b, ',');
    sb_date(&b, &q.dob);
    sb_putc(&b, ',');
    if (q.age >= 0) sb_putu(&b, (uint64_t)q.age, 0);
    sb_putc(&b, ',');
    if (q.sex) sb_putc(&b, q.sex);
    sb_putc(&b, ',');
    sb_field(&b, q.id_number);
    sb_putc(&b, ',');
    sb_field(&b, q.province);
    sb_puts(&b, "\r\n");
    if (b.overflow) return BH_ERR_INTERNAL;
    if (fwrite(row, 1, b.len, out) != b.len) return BH_ERR_IO;

    if (truth) {
      sb_init(&b, row, sizeof row);
      sb_puts(&b, qid);
      sb_putc(&b, ',');
      if (in) sb_puts(&b, src.external_id);
      sb_puts(&b, "\r\n");
      if (fwrite(row, 1, b.len, truth) != b.len) return BH_ERR_IO;
    }
  }
  if (fflush(out) != 0) return BH_ERR_IO;
  if (truth && fflush(truth) != 0) return BH_ERR_IO;
  return BH_OK;
}
