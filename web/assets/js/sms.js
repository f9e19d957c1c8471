/*
 * sms.js - what an SMS costs, measured in the browser exactly as the server does it
 * (src/delivery/sms_text.c; keep the two in step): GSM-7 when every character is in the GSM 03.38
 * basic set or extension table (an extension character costs two septets), else UCS-2 (a
 * character outside the Basic Multilingual Plane costs two units); one SMS holds 160 septets or
 * 70 units, longer texts go in parts of 153 or 67, and a two-unit character never straddles two
 * parts. Also the unaccented transliteration the server uses for an SMS derived from a subject
 * (smstext_unaccented), and the text of an alert's SMS with its link (alert_sms_text).
 */

/* Code point ranges GSM-7 carries, with their cost in septets (sorted; as smstext__gsm). */
const GSM = [
  [0x0a, 0x0a, 1], [0x0c, 0x0c, 2], [0x0d, 0x0d, 1], [0x20, 0x5a, 1], [0x5b, 0x5e, 2], [0x5f, 0x5f, 1],
  [0x61, 0x7a, 1], [0x7b, 0x7e, 2], [0xa1, 0xa1, 1], [0xa3, 0xa5, 1], [0xa7, 0xa7, 1], [0xbf, 0xbf, 1],
  [0xc4, 0xc7, 1], [0xc9, 0xc9, 1], [0xd1, 0xd1, 1], [0xd6, 0xd6, 1], [0xd8, 0xd8, 1], [0xdc, 0xdc, 1],
  [0xdf, 0xe0, 1], [0xe4, 0xe6, 1], [0xe8, 0xe9, 1], [0xec, 0xec, 1], [0xf1, 0xf2, 1], [0xf6, 0xf6, 1],
  [0xf8, 0xf9, 1], [0xfc, 0xfc, 1], [0x393, 0x394, 1], [0x398, 0x398, 1], [0x39b, 0x39b, 1],
  [0x39e, 0x39e, 1], [0x3a0, 0x3a0, 1], [0x3a3, 0x3a3, 1], [0x3a6, 0x3a6, 1], [0x3a8, 0x3a9, 1],
  [0x20ac, 0x20ac, 2],
];

export const GSM7_SINGLE = 160;
export const GSM7_PART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67;

function gsmSeptets(cp) {
  const r = GSM.find(([lo, hi]) => cp >= lo && cp <= hi);
  return r ? r[2] : 0;
}

function packer(perPart) {
  return { units: 0, parts: 0, used: 0, perPart };
}

function pack(p, units) {
  p.units += units;
  if (p.parts === 0 || p.used + units > p.perPart) {
    p.parts += 1;
    p.used = units;
  } else {
    p.used += units;
  }
}

/*
 * Measures text (NFC, as the server stores it): {encoding: 'gsm7'|'ucs2', parts, units, left},
 * left being the units that still fit in the last part.
 */
export function measure(text) {
  const s = (text || '').normalize('NFC');
  const gsm = packer(GSM7_PART);
  const ucs = packer(UCS2_PART);
  let gsmOk = true;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    pack(ucs, cp >= 0x10000 ? 2 : 1);
    if (gsmOk) {
      const septets = gsmSeptets(cp);
      if (septets === 0) gsmOk = false;
      else pack(gsm, septets);
    }
  }
  const p = gsmOk ? gsm : ucs;
  const single = gsmOk ? GSM7_SINGLE : UCS2_SINGLE;
  if (p.units <= single) {
    return { encoding: gsmOk ? 'gsm7' : 'ucs2', parts: p.units > 0 ? 1 : 0, units: p.units, left: single - p.units };
  }
  return { encoding: gsmOk ? 'gsm7' : 'ucs2', parts: p.parts, units: p.units, left: p.perPart - p.used };
}

/* Characters Unicode does not decompose to ASCII (as smstext__translit_table). */
const TRANSLIT = new Map([
  [0xa2, 'c'], [0xab, '"'], [0xb7, '.'], [0xbb, '"'], [0xc6, 'AE'], [0xd0, 'D'], [0xd7, 'x'], [0xd8, 'O'],
  [0xde, 'TH'], [0xdf, 'ss'], [0xe6, 'ae'], [0xf0, 'd'], [0xf7, '/'], [0xf8, 'o'], [0x110, 'D'], [0x111, 'd'],
  [0x126, 'H'], [0x127, 'h'], [0x131, 'i'], [0x141, 'L'], [0x142, 'l'], [0x152, 'OE'], [0x153, 'oe'],
  [0x166, 'T'], [0x167, 't'], [0x180, 'b'], [0x189, 'D'], [0x197, 'I'], [0x1b5, 'Z'], [0x1b6, 'z'],
  [0x268, 'i'], [0x2b9, "'"], [0x2ba, '"'], [0x2bb, "'"], [0x2bc, "'"], [0x2c6, '^'], [0x2dc, '~'],
  [0x2010, '-'], [0x2011, '-'], [0x2012, '-'], [0x2013, '-'], [0x2014, '-'], [0x2015, '-'], [0x2018, "'"],
  [0x2019, "'"], [0x201a, "'"], [0x201b, "'"], [0x201c, '"'], [0x201d, '"'], [0x201e, '"'], [0x201f, '"'],
  [0x2022, '*'], [0x2026, '...'], [0x2032, "'"], [0x2033, '"'], [0x2039, "'"], [0x203a, "'"], [0x2044, '/'],
  [0x20ab, 'd'], [0x20ac, 'EUR'], [0x2212, '-'], [0x2215, '/'], [0x2217, '*'], [0x2236, ':'],
]);

function asciiOf(cp) {
  if (cp === 0x0a || cp === 0x0d || (cp >= 0x20 && cp < 0x7f && cp !== 0x60)) return String.fromCodePoint(cp);
  if (cp === 0x60) return "'";
  if (cp === 0x09) return ' ';
  return '';
}

/*
 * The plain-ASCII form of text, as smstext_unaccented writes it: Vietnamese letters lose their
 * marks and keep their case (Đại sứ quán -> Dai su quan), typographic punctuation becomes ASCII,
 * invisible characters are dropped, anything else becomes '?'. The result is always GSM-7.
 */
export function unaccented(text) {
  let out = '';
  for (const ch of (text || '').normalize('NFC')) {
    const cp = ch.codePointAt(0);
    if (cp < 0x80) {
      out += asciiOf(cp);
    } else if (TRANSLIT.has(cp)) {
      out += TRANSLIT.get(cp);
    } else if (cp === 0x2028 || cp === 0x2029) {
      out += '\n';
    } else if (/\p{Cf}|\p{Cc}/u.test(ch)) {
      /* Invisible format and control characters are dropped. */
    } else if (/\p{Zs}/u.test(ch)) {
      out += ' ';
    } else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base && /^[\x20-\x7e]+$/.test(base) ? base.replace(/`/g, "'") : '?';
    }
  }
  return out;
}

/* The length of a check-in link: {origin}/c/ and a 43-character token. */
export function linkPlaceholder(origin) {
  return `${origin}/c/${'x'.repeat(43)}`;
}

/*
 * The SMS of an alert in one language as the server builds it: the text given, else the
 * unaccented subject; a space and the link; and the reply instruction when a check-in is asked.
 */
export function alertSmsText({ sms, subject, askCheckin, lang, link }) {
  const head = sms && sms.trim() ? sms : unaccented(subject || '');
  const tail = askCheckin ? (lang === 'en' ? ' Reply SAFE or HELP.' : ' Tra loi AN TOAN hoac CAN GIUP.') : '';
  return `${head} ${link}${tail}`;
}
