/*
 * advisories.js - the public travel advisories page: the latest advisory of every country and
 * region (GET /api/v1/public/advisories, no login), most serious first, in the reader's
 * language, each with its level, date and the link to its CAP message. Without JavaScript the
 * page points to the Atom feed, which carries the same advisories.
 */
import './lang.js';
import { h, replace } from '../dom.js';
import { compareText, countryName, currentLang, formatDateTime, loadLang, t } from '../i18n.js';

const status = document.getElementById('a-status');
const list = document.getElementById('a-list');

function capPath(url) {
  try {
    return new URL(url, location.origin).pathname;
  } catch (e) {
    return url;
  }
}

function item(a) {
  const en = currentLang() === 'en';
  const place = a.region ? `${countryName(a.country)} (${a.region})` : countryName(a.country);
  return h(
    'li',
    { class: 'advisory', 'data-country': a.country, 'data-level': a.level },
    h('h2', null, place),
    h('p', { class: 'level-line' }, h('span', { class: `level level-${a.level}` }, t('advisory.level_n', { n: a.level }), ' · ', t(`level.${a.level}`))),
    h('h3', null, en ? a.title_en : a.title_vi),
    h('p', { class: 'pre' }, en ? a.text_en : a.text_vi),
    h(
      'p',
      { class: 'muted' },
      t('advisories.issued', { time: formatDateTime(a.issued_at), n: a.version }),
      ' · ',
      h('a', { href: capPath(a.cap_url) }, t('advisories.cap_link')),
    ),
  );
}

await loadLang(document.documentElement.lang);
try {
  const res = await fetch('/api/v1/public/advisories', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const { items } = await res.json();
  items.sort((a, b) => b.level - a.level || compareText(countryName(a.country), countryName(b.country)));
  if (items.length === 0) {
    status.textContent = t('advisories.none');
  } else {
    replace(list, items.map(item));
    list.hidden = false;
    status.hidden = true;
  }
} catch (e) {
  status.textContent = t('error.network');
}
