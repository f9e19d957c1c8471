/*
 * i18n.js - the language of the console and the public pages: one dictionary per language
 * (web/i18n/LANG.json, flat "key": "text"), Vietnamese by default, English on a switch that is
 * remembered in localStorage (and mirrored in a cookie so that the server sends the pages
 * themselves in that language). Dates, numbers and country names come from Intl in the
 * reader's locale.
 */
export const LANGS = ['vi', 'en'];
const STORAGE_KEY = 'baoho.lang';
const COOKIE = 'baoho_lang';

let dict = {};
let lang = 'vi';

/* The language the reader chose last, else the page's own, else Vietnamese. */
export function preferredLang() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch (e) {
    stored = null; /* storage disabled: fall back to the page's language */
  }
  if (LANGS.includes(stored)) return stored;
  const page = document.documentElement.lang;
  return LANGS.includes(page) ? page : 'vi';
}

/* Remembers the reader's choice for the next visit. */
export function rememberLang(l) {
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch (e) {
    /* Without storage the cookie alone remembers the choice. */
  }
  document.cookie = `${COOKIE}=${l}; Path=/; Max-Age=31536000; SameSite=Strict`;
}

/* Loads the dictionary of language l and makes it current. */
export async function loadLang(l) {
  const res = await fetch(`/assets/i18n/${l}.json`, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`dictionary ${l}: HTTP ${res.status}`);
  dict = await res.json();
  lang = l;
  document.documentElement.lang = l;
}

export function currentLang() {
  return lang;
}

/* The other language, for the switch. */
export function otherLang() {
  return lang === 'vi' ? 'en' : 'vi';
}

/*
 * The text of key in the current language, with {name} replaced by vars.name. A missing key
 * shows as the key itself (the build checks that both dictionaries have the same keys).
 */
export function t(key, vars) {
  let s = dict[key];
  if (s === undefined) {
    console.warn(`i18n: no text for ${key}`);
    return key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

/* Whether the dictionary has key (for optional texts such as per-field hints). */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(dict, key);
}

/* The BCP 47 locale used for Intl: the reader's own English variant when reading English. */
export function locale() {
  if (lang === 'en') return (navigator.languages || []).find((l) => l.startsWith('en')) || 'en';
  return 'vi-VN';
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

/* An RFC 3339 timestamp as date and time in the reader's locale and time zone. */
export function formatDateTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/* A partial ISO date (1990, 1990-05, 1990-05-17) written with only the parts it has. */
export function formatPartialDate(s) {
  if (!s) return '';
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(s);
  if (!m) return s;
  const [, y, mo, d] = m;
  const date = new Date(Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1));
  const opts = { timeZone: 'UTC', year: 'numeric' };
  if (mo) opts.month = d ? 'short' : 'long';
  if (d) opts.day = 'numeric';
  return new Intl.DateTimeFormat(locale(), opts).format(date);
}

/* The name of an ISO 3166-1 alpha-2 country in the reader's language. */
export function countryName(code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(code) || code;
  } catch (e) {
    return code;
  }
}

/* Compares two strings in the reader's collation (for sorting country names). */
export function compareText(a, b) {
  return a.localeCompare(b, locale());
}
