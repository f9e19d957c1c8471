/*
 * advisories.js - the public travel advisories page: the latest advisory of every country and
 * region (GET /api/v1/public/advisories, no login), most serious first, in the reader's
 * language, each with its level, date and the link to its CAP message. Without JavaScript the
 * page points to the Atom feed, which carries the same advisories.
 *
 * An advisory with earlier versions has a "history" disclosure: opened, it loads the published
 * versions (GET /api/v1/public/advisories/{id}/history, no login), newest first, a few at a
 * time with a button for earlier ones, so that a slow phone only fetches what the reader asks.
 */
import './lang.js';
import { h, replace } from '../dom.js';
import { compareText, countryName, currentLang, formatDateTime, formatPartialDate, loadLang, t } from '../i18n.js';

/* Versions fetched per page of a history. */
const HISTORY_PAGE = 10;

const status = document.getElementById('a-status');
const list = document.getElementById('a-list');

function capPath(url) {
  try {
    return new URL(url, location.origin).pathname;
  } catch (e) {
    return url;
  }
}

function placeOf(a) {
  return a.region ? `${countryName(a.country)} (${a.region})` : countryName(a.country);
}

function levelLine(level) {
  return h('span', { class: `level level-${level}` }, t('advisory.level_n', { n: level }), ' · ', t(`level.${level}`));
}

/* One published version in a history list. */
function historyEntry(v, current) {
  const en = currentLang() === 'en';
  return h(
    'li',
    { class: 'history-entry', 'data-version': v.version, 'data-level': v.level },
    h(
      'p',
      { class: 'history-when' },
      h('time', { datetime: v.issued_at }, formatDateTime(v.issued_at)),
      ' · ',
      t('advisories.version_n', { n: v.version }),
      current ? h('span', { class: 'history-current' }, ' · ', t('advisories.history_current')) : null,
    ),
    h('p', { class: 'level-line' }, levelLine(v.level)),
    h('p', { class: 'history-title' }, en ? v.title_en : v.title_vi),
    v.reason ? h('p', { class: 'pre' }, t('advisories.reason', { reason: v.reason })) : null,
    v.review_due ? h('p', { class: 'muted' }, t('advisories.review_due', { date: formatPartialDate(v.review_due) })) : null,
    h('details', { class: 'history-text' }, h('summary', null, t('advisories.history_text')), h('p', { class: 'pre' }, en ? v.text_en : v.text_vi)),
    h('p', null, h('a', { href: capPath(v.cap_url) }, t('advisories.cap_link'))),
  );
}

/*
 * The history disclosure of advisory a: loads its first page when first opened, and an
 * earlier page each time the reader asks. Errors are said in place; opening again retries.
 */
function historyOf(a) {
  const listId = `h-${a.id}`;
  const entries = h('ol', { class: 'history', id: listId, 'aria-label': t('advisories.history_label', { place: placeOf(a) }) });
  const note = h('p', { class: 'muted', role: 'status' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, 'aria-controls': listId }, t('advisories.history_more'));
  const details = h('details', { class: 'advisory-history' }, h('summary', null, t('advisories.history_show', { n: a.version })), entries, note, more);
  let next = null;
  let loaded = false;
  let busy = false;

  async function load() {
    if (busy) return;
    busy = true;
    more.disabled = true;
    note.textContent = t('common.loading');
    const q = new URLSearchParams({ limit: String(HISTORY_PAGE) });
    if (next) q.set('after', next);
    try {
      const res = await fetch(`/api/v1/public/advisories/${encodeURIComponent(a.id)}/history?${q}`, {
        headers: { Accept: 'application/json' },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const page = await res.json();
      const first = entries.children.length;
      page.items.forEach((v, i) => entries.append(historyEntry(v, first + i === 0)));
      next = page.next;
      loaded = true;
      note.textContent = '';
      more.hidden = !next;
      /* After "earlier versions", the first new entry takes the focus so reading goes on. */
      if (first > 0 && entries.children[first]) {
        entries.children[first].setAttribute('tabindex', '-1');
        entries.children[first].focus();
      }
    } catch (e) {
      note.textContent = t('error.network');
    } finally {
      busy = false;
      more.disabled = false;
    }
  }

  details.addEventListener('toggle', () => {
    if (details.open && !loaded) load();
  });
  more.addEventListener('click', load);
  return details;
}

function item(a) {
  const en = currentLang() === 'en';
  return h(
    'li',
    { class: 'advisory', 'data-country': a.country, 'data-level': a.level },
    h('h2', null, placeOf(a)),
    h('p', { class: 'level-line' }, levelLine(a.level)),
    h('h3', null, en ? a.title_en : a.title_vi),
    h('p', { class: 'pre' }, en ? a.text_en : a.text_vi),
    h(
      'p',
      { class: 'muted' },
      t('advisories.issued', { time: formatDateTime(a.issued_at), n: a.version }),
      ' · ',
      h('a', { href: capPath(a.cap_url) }, t('advisories.cap_link')),
    ),
    a.version > 1 ? historyOf(a) : null,
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
