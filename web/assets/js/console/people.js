/*
 * people.js - the registry search: results follow the search box as one types (names match
 * with or without diacritics, in any order; a number finds a passport or national ID), with
 * filters by country, status and category, and pages fetched with the API's "next" cursor.
 * The search and filters live in the address, so a reload or a return after login keeps them.
 */
import { api, query } from '../api.js';
import { debounce, h, replace } from '../dom.js';
import { compareText, countryName, formatNumber, formatPartialDate, t } from '../i18n.js';
import { COUNTRY_CODES } from '../countries.js';

export const STATUSES = [
  'unknown', 'safe', 'needs_assistance', 'injured', 'missing',
  'detained', 'deceased', 'left_area', 'evacuated', 'repatriated',
];
export const CATEGORIES = ['resident', 'student', 'worker', 'official', 'tourist', 'other'];
const PAGE = 50;

/* A <select> of codes with their texts, the first option meaning "any". */
export function selectOf(id, name, options, selected, anyText) {
  const select = h(
    'select',
    { id, name },
    anyText !== null ? h('option', { value: '' }, anyText) : null,
    options.map(([value, text]) => h('option', { value }, text)),
  );
  if (selected) select.value = selected;
  return select;
}

/* Countries as [code, name] sorted by name in the reader's language. */
export function countryOptions() {
  return COUNTRY_CODES.map((c) => [c, countryName(c)]).sort((a, b) => compareText(a[1], b[1]));
}

export function statusBadge(status) {
  return h('span', { class: `status status-${status}` }, t(`status.${status}`));
}

export async function peopleView({ main, query: q, setTitle }) {
  setTitle(t('people.title'));
  const search = h('input', {
    id: 'people-q',
    name: 'q',
    type: 'search',
    value: q.get('q') || '',
    autocomplete: 'off',
    'aria-describedby': 'people-q-hint',
  });
  const country = selectOf('people-country', 'country', countryOptions(), q.get('country') || '', t('filter.any_country'));
  const status = selectOf(
    'people-status', 'status', STATUSES.map((s) => [s, t(`status.${s}`)]), q.get('status') || '', t('filter.any_status'),
  );
  const category = selectOf(
    'people-category', 'category', CATEGORIES.map((c) => [c, t(`category.${c}`)]), q.get('category') || '', t('filter.any_category'),
  );
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': 'people-caption', tabindex: '0' },
    h(
      'table',
      { class: 'results' },
      h('caption', { id: 'people-caption', class: 'visually-hidden' }, t('people.results')),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('field.full_name')),
          h('th', { scope: 'col' }, t('field.date_of_birth')),
          h('th', { scope: 'col' }, t('field.home_province')),
          h('th', { scope: 'col' }, t('field.status')),
        ),
      ),
      tbody,
    ),
  );
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('people.more'));
  let seq = 0;
  let next = null;
  let shown = 0;

  function params() {
    return {
      q: search.value.trim(),
      country: country.value,
      status: status.value,
      category: category.value,
    };
  }

  function row(p) {
    return h(
      'tr',
      null,
      h('th', { scope: 'row' }, h('a', { href: `/console/people/${p.id}` }, p.full_name)),
      h('td', null, formatPartialDate(p.date_of_birth)),
      h('td', null, p.home_province || ''),
      h('td', null, statusBadge(p.status)),
    );
  }

  /* Fetches the first page (append = false) or the next one; older answers are dropped. */
  async function load(append) {
    const mine = ++seq;
    const p = params();
    if (!append) {
      const url = `/console/people${query(p)}`;
      if (url !== location.pathname + location.search) history.replaceState(null, '', url);
    }
    summary.textContent = t('common.loading');
    const res = await api('GET', `/api/v1/persons${query({ ...p, limit: PAGE, after: append ? next : '' })}`);
    if (mine !== seq) return;
    if (!append) {
      tbody.replaceChildren();
      shown = 0;
    }
    res.items.forEach((item) => tbody.append(row(item)));
    shown += res.items.length;
    next = res.next;
    more.hidden = !next;
    table.hidden = shown === 0;
    summary.textContent = shown === 0 ? t('people.none') : next ? t('people.shown_more', { n: formatNumber(shown) }) : t('people.shown', { n: formatNumber(shown) });
  }

  function reload() {
    load(false).catch((e) => {
      if (e.status === 422 && e.field === 'q') summary.textContent = t('people.bad_query');
      else if (e.status !== 401) summary.textContent = t('error.generic');
    });
  }

  search.addEventListener('input', debounce(reload, 250));
  [country, status, category].forEach((s) => s.addEventListener('change', reload));
  more.addEventListener('click', () => load(true).catch(() => (summary.textContent = t('error.generic'))));

  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('people.title')),
      h('a', { class: 'button', href: '/console/people/new' }, t('people.new')),
    ),
    h(
      'form',
      { class: 'filters', role: 'search', onsubmit: (ev) => { ev.preventDefault(); reload(); } },
      h(
        'div',
        { class: 'field grow' },
        h('label', { for: 'people-q' }, t('people.search')),
        search,
        h('p', { class: 'hint', id: 'people-q-hint' }, t('people.search_hint')),
      ),
      h('div', { class: 'field' }, h('label', { for: 'people-country' }, t('field.country')), country),
      h('div', { class: 'field' }, h('label', { for: 'people-status' }, t('field.status')), status),
      h('div', { class: 'field' }, h('label', { for: 'people-category' }, t('field.category')), category),
    ),
    summary,
    table,
    more,
  );
  await load(false);
}
