/*
 * lists.js - lists from foreign authorities: the lists one may see, the upload of a new one (the
 * CSV file as it is, POST /api/v1/lists with Content-Type text/csv, described by the query
 * string, with what confirming a person applies: a status, a presence in the list's country; and
 * an Idempotency-Key, so that an upload sent again after a lost answer creates one list), and the
 * review of a list: each row side by side with its candidates (the list's
 * fields against the person's, the probability, the band and the per-field explanation in the
 * reader's language), confirmed or rejected with buttons or with the keyboard (j/k to move
 * between rows, 1-5 to choose a candidate, c to confirm it, r to reject it; the keys are said
 * on the page and on the buttons). Reading rows is audited by the server.
 */
import { ApiError, api, newIdempotencyKey, query } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, formatDateTime, formatNumber, formatPartialDate, locale, t } from '../i18n.js';
import { fetchAll } from './crises.js';
import { listMapping, mappingOf } from './list-mapping.js';
import { CATEGORIES, STATUSES, countryOptions, selectOf } from './people.js';
import { FieldForm } from './person-form.js';

const ROWS_PAGE = 200;
const ROWS_MAX = 5000;

/* The list fields shown, in order, and the person field each is compared with. */
const SIDE_BY_SIDE = [
  ['full_name', 'field.full_name', (p) => [p.full_name, ...(p.other_names || [])].filter(Boolean).join(' · ')],
  ['date_of_birth', 'field.date_of_birth', (p) => formatPartialDate(p.date_of_birth)],
  ['age', 'list.age', () => ''],
  ['sex', 'field.sex', (p) => (p.sex && p.sex !== 'U' ? t(`sex.${p.sex}`) : '')],
  ['id_number', 'list.id_number', (p) => [p.passport, p.national_id].filter(Boolean).join(' · ')],
  ['province', 'field.home_province', (p) => p.home_province || ''],
  ['city', 'field.city', () => ''],
  ['address', 'field.address', () => ''],
];

/* A candidate's name and page: a person, or the unregistered subject of a missing-person case. */
const candName = (c) => (c.person ? c.person.full_name : (c.case && c.case.subject && c.case.subject.full_name) || '');
const candHref = (c) => (c.person ? `/console/people/${c.person.id}` : `/console/cases/${c.case.id}`);

/* The engine's explanation phrases (src/match/match_score.c) and their dictionary keys. */
const PHRASES = [
  [/^no token in common$/, 'explain.name_none'],
  [/^same tokens$/, 'explain.name_same'],
  [/^tokens agree$/, 'explain.name_agree'],
  [/^other order$/, 'explain.order'],
  [/^variant (\S+)\/(\S+)$/, 'explain.variant', ['a', 'b']],
  [/^typo (\S+)\/(\S+)$/, 'explain.typo', ['a', 'b']],
  [/^diacritics differ$/, 'explain.diacritics_differ'],
  [/^same diacritics$/, 'explain.diacritics_same'],
  [/^family name (\S+) missing$/, 'explain.family_missing', ['token']],
  [/^given name (\S+) missing$/, 'explain.given_missing', ['token']],
  [/^middle name (\S+) missing$/, 'explain.middle_missing', ['token']],
  [/^extra (\S+)$/, 'explain.extra', ['token']],
  [/^age (\d+) fits the date$/, 'explain.age_fits', ['age']],
  [/^traditional age (\d+) \(one more than by the date\)$/, 'explain.age_traditional', ['age']],
  [/^age (\d+) is one less than by the date$/, 'explain.age_less', ['age']],
  [/^age (\d+) does not fit \((\d+) by the date\)$/, 'explain.age_no', ['age', 'by']],
  [/^year differs by one$/, 'explain.year_one'],
  [/^different date$/, 'explain.date_differs'],
  [/^same date$/, 'explain.date_same'],
  [/^day\/month swapped$/, 'explain.swapped'],
  [/^same year and month, other day$/, 'explain.other_day'],
  [/^same year, other day and month$/, 'explain.other_day_month'],
  [/^same year and month \(partial date\)$/, 'explain.year_month_partial'],
  [/^same year, other month$/, 'explain.other_month'],
  [/^same year \(01-01 placeholder.*\)$/, 'explain.year_placeholder'],
  [/^same year \(partial date\)$/, 'explain.year_partial'],
  [/^same age$/, 'explain.age_same'],
  [/^ages one apart$/, 'explain.age_one'],
  [/^ages differ$/, 'explain.age_differs'],
  [/^same after OCR correction.*$/, 'explain.id_ocr'],
  [/^one character differs$/, 'explain.id_close'],
  [/^not comparable.*$/, 'explain.id_other'],
  [/^same$/, 'explain.same'],
  [/^differs$/, 'explain.differs'],
  [/^missing$/, 'explain.missing'],
  [/^registered in ([A-Z]{2})$/, 'explain.country_in', ['country']],
  [/^not registered in ([A-Z]{2})$/, 'explain.country_out', ['country']],
];
const EXPLAIN_FIELDS = ['name', 'dob', 'sex', 'id', 'province', 'city', 'postcode', 'country'];

function phrase(text) {
  for (const [re, key, names] of PHRASES) {
    const m = re.exec(text);
    if (m) {
      const vars = {};
      (names || []).forEach((n, i) => (vars[n] = n === 'country' ? countryName(m[i + 1]) : m[i + 1]));
      return t(key, vars);
    }
  }
  return text;
}

/* The explanation "name: same tokens (other order); dob: same date; ..." as translated parts. */
export function explain(text) {
  return (text || '')
    .split(/;\s*/)
    .filter(Boolean)
    .map((part) => {
      const cut = part.indexOf(': ');
      if (cut < 0) return { field: '', text: phrase(part) };
      const field = part.slice(0, cut);
      let value = part.slice(cut + 2);
      const label = EXPLAIN_FIELDS.includes(field) ? t(`explain.field_${field}`) : field;
      if (field === 'name') {
        const m = /^(.*?) \((.*)\)$/.exec(value);
        value = m ? `${phrase(m[1])} (${m[2].split(', ').map(phrase).join(', ')})` : phrase(value);
      } else {
        value = phrase(value);
      }
      return { field: label, text: value };
    });
}

function bandBadge(band) {
  return h('span', { class: `band band-${band}` }, t(`list_band.${band}`));
}

function percent(p) {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(p);
}

export async function listsView({ main, setTitle }) {
  setTitle(t('lists.title'));
  const lists = await fetchAll('/api/v1/lists');
  lists.reverse(); /* newest first */
  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('lists.title')),
      h('a', { class: 'button', href: '/console/lists/new' }, t('lists.upload')),
    ),
    lists.length
      ? h(
          'div',
          { class: 'table-wrap', role: 'region', 'aria-labelledby': 'lists-caption', tabindex: '0' },
          h(
            'table',
            null,
            h('caption', { id: 'lists-caption', class: 'visually-hidden' }, t('lists.title')),
            h(
              'thead',
              null,
              h('tr', null, ['list.title', 'list.source', 'field.country', 'list.rows', 'list.pending', 'list.created_at'].map((k) => h('th', { scope: 'col' }, t(k)))),
            ),
            h(
              'tbody',
              null,
              lists.map((l) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, h('a', { href: `/console/lists/${l.id}` }, l.title)),
                  h('td', null, l.source),
                  h('td', null, countryName(l.country)),
                  h('td', { class: 'num' }, formatNumber(l.rows)),
                  h('td', { class: 'num' }, formatNumber(l.by_decision.pending)),
                  h('td', null, formatDateTime(l.created_at)),
                ),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('lists.none')),
  );
}

/* The wait before sending an upload again whose answer the network lost, and the longest
 * Retry-After honoured (as api.js does for JSON writes). */
const UPLOAD_RETRY_MS = 1000;
const UPLOAD_RETRY_AFTER_MAX_S = 10;
/* The welfare statuses a list may apply on confirmation: any but "unknown" (docs/api.md). */
const ON_CONFIRM_STATUSES = STATUSES.filter((s) => s !== 'unknown');

/*
 * Sends the file as the body of POST /api/v1/lists (the API takes the CSV as it is) with the
 * Idempotency-Key key. An upload whose answer the network lost, or that the server asks to
 * retry (503, or 409 idempotency_in_progress, with a short Retry-After), is sent once more
 * with the same key: the server then answers the list the first attempt created, or creates it
 * now, never twice.
 */
async function uploadFile(params, file, key) {
  const init = {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', Accept: 'application/json', 'Idempotency-Key': key },
    body: file,
    credentials: 'same-origin',
    cache: 'no-store',
  };
  let res;
  let data = null;
  for (let attempt = 0; ; attempt++) {
    const last = attempt > 0;
    try {
      res = await fetch(`/api/v1/lists${query(params)}`, init);
    } catch (e) {
      if (last) throw new ApiError(0, { code: 'network', message: String(e) });
      await new Promise((ok) => setTimeout(ok, UPLOAD_RETRY_MS));
      continue;
    }
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    const busy =
      res.status === 503 ||
      (res.status === 409 && data && data.error && data.error.code === 'idempotency_in_progress');
    const wait = busy ? Number(res.headers.get('Retry-After')) : NaN;
    if (last || !Number.isInteger(wait) || wait < 0 || wait > UPLOAD_RETRY_AFTER_MAX_S) break;
    await new Promise((ok) => setTimeout(ok, wait * 1000));
  }
  if (!res.ok) throw new ApiError(res.status, data && data.error);
  return data;
}

export async function listUploadView({ main, navigate, setTitle }) {
  setTitle(t('lists.upload'));
  const crises = await fetchAll('/api/v1/crises', { status: 'open' });
  const f = new FieldForm();
  const file = h('input', { type: 'file', name: 'body', accept: '.csv,.txt,text/csv', required: true });
  const title = h('input', { type: 'text', name: 'title', maxlength: '200', required: true, autocomplete: 'off' });
  const source = h('input', { type: 'text', name: 'source', maxlength: '200', required: true, autocomplete: 'off' });
  const country = selectOf('x', 'country', countryOptions(), '', t('list.choose_country'));
  const crisis = selectOf('x', 'crisis', crises.map((k) => [k.id, k.name]), '', t('case.no_crisis'));
  const refDate = h('input', { type: 'date', name: 'ref_date' });
  /* What confirming a person of the list does (docs/api.md, Lists: Decisions). */
  const onStatus = selectOf('x', 'status', ON_CONFIRM_STATUSES.map((k) => [k, t(`status.${k}`)]), '', t('list.on_confirm_no_status'));
  const withPresence = h('input', { type: 'checkbox', name: 'presence' });
  const region = h('input', { type: 'text', name: 'region', maxlength: '200', autocomplete: 'off' });
  const category = selectOf('x', 'category', CATEGORIES.map((k) => [k, t(`category.${k}`)]), 'other', null);
  /* The category is the presence's: offered only when a presence is asked for. */
  const syncPresence = () => {
    category.disabled = !withPresence.checked;
  };
  withPresence.addEventListener('change', syncPresence);
  syncPresence();
  const submit = h('button', { type: 'submit' }, t('lists.upload_submit'));
  /* One key per upload the officer means: kept when the same form is sent again (a retry after
   * a lost answer creates no second list), renewed once anything in the form changes. */
  let idemKey = newIdempotencyKey();

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    if (!file.files || file.files.length === 0) {
      const entry = f.controls.get('body');
      entry.error.textContent = t('error.required');
      entry.error.hidden = false;
      entry.control.setAttribute('aria-invalid', 'true');
      file.focus();
      return;
    }
    submit.disabled = true;
    try {
      const presence = withPresence.checked;
      const l = await uploadFile(
        {
          title: title.value.trim(),
          source: source.value.trim(),
          country: country.value,
          crisis: crisis.value,
          ref_date: refDate.value,
          map: mappingOf(file),
          status: onStatus.value,
          presence: presence ? 'true' : '',
          region: region.value.trim(),
          category: presence ? category.value : '',
        },
        file.files[0],
        idemKey,
      );
      navigate(`/console/lists/${l.id}`);
    } catch (e) {
      if (e.status === 401) {
        navigate(`/console/login?expired=1`);
        return;
      }
      /* A file the API cannot use (no name column: "map"; empty, unreadable, too long: "body")
       * is said next to the file field. */
      if (e.status === 415 || e.status === 413 || e.field === 'map' || e.field === 'body') {
        const entry = f.controls.get('body');
        entry.error.textContent = e.status === 413 ? t('list.too_big') : t('list.bad_file');
        entry.error.hidden = false;
        entry.control.setAttribute('aria-invalid', 'true');
        entry.control.focus();
        return;
      }
      f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/lists' }, t('lists.title'))),
    h('h1', { tabindex: '-1' }, t('lists.upload')),
    h(
      'form',
      {
        class: 'stack list-form',
        novalidate: true,
        onsubmit: onSubmit,
        oninput: () => { idemKey = newIdempotencyKey(); },
        onchange: () => { idemKey = newIdempotencyKey(); },
      },
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('lists.upload_legend')),
        f.field('body', 'list.file', file, 'list.file_hint'),
        f.field('title', 'list.title', title, 'list.title_hint'),
        f.field('source', 'list.source', source, 'list.source_hint'),
        f.field('country', 'list.country', country),
        f.field('region', 'list.region', region, 'list.region_hint'),
        f.field('crisis', 'case.crisis', crisis),
        f.field('ref_date', 'list.ref_date', refDate, 'list.ref_date_hint'),
      ),
      h(
        'fieldset',
        { class: 'group', id: 'list-on-confirm' },
        h('legend', null, t('list.on_confirm_legend')),
        h('p', { class: 'hint' }, t('list.on_confirm_hint')),
        f.field('status', 'list.on_confirm_status', onStatus),
        h('p', { class: 'check' }, h('label', null, withPresence, ' ', t('list.on_confirm_presence'))),
        f.field('category', 'field.category', category),
      ),
      listMapping(file),
      f.summary,
      h('div', { class: 'actions' }, submit),
    ),
  );
}

async function allRows(id) {
  const rows = [];
  let after = '';
  do {
    const page = await api('GET', `/api/v1/lists/${id}/rows${query({ limit: ROWS_PAGE, after })}`);
    rows.push(...page.items);
    after = page.next || '';
  } while (after && rows.length < ROWS_MAX);
  return rows;
}

function countsText(l) {
  return t('list.counts', {
    rows: formatNumber(l.rows),
    pending: formatNumber(l.by_decision.pending),
    confirmed: formatNumber(l.by_decision.confirmed),
    rejected: formatNumber(l.by_decision.rejected),
    new_person: formatNumber(l.by_decision.new_person),
  });
}

export async function listView({ main, params, setTitle }) {
  const id = params[0];
  const [list, rows] = await Promise.all([api('GET', `/api/v1/lists/${id}`), allRows(id)]);
  setTitle(list.title);
  const counts = h('p', { id: 'list-counts' }, countsText(list));
  const live = h('p', { role: 'status', 'aria-live': 'polite', class: 'success', id: 'list-live' });
  const cards = rows.map(() => h('article', { class: 'list-row', tabindex: '-1' }));
  /* A row the officer tabs into becomes the current one, so the keys act where the focus is. */
  cards.forEach((card, i) =>
    card.addEventListener('focusin', () => {
      if (i === current) return;
      cards[current].classList.remove('current');
      current = i;
      card.classList.add('current');
    }),
  );
  const chosen = rows.map((r) => Math.max(0, r.candidates.findIndex((c) => c.decision !== 'rejected')));
  let current = 0;

  function drawRow(i) {
    const r = rows[i];
    const card = cards[i];
    card.dataset.row = String(r.row);
    card.classList.toggle('current', i === current);
    card.setAttribute('aria-labelledby', `row-${r.row}-h`);
    const fieldsShown = SIDE_BY_SIDE.filter(([key]) => r.fields && r.fields[key] !== undefined && r.fields[key] !== null && r.fields[key] !== '');
    const cand = r.candidates;
    const head = h(
      'tr',
      null,
      h('th', { scope: 'col' }, t('list.field')),
      h('th', { scope: 'col' }, t('list.row_value')),
      cand.map((c, k) =>
        h(
          'th',
          { scope: 'col', class: k === chosen[i] ? 'chosen-candidate' : null },
          /* The server's rank: candidates of equal probability share it (1, 1, 3). */
          h('span', { class: 'rank' }, `${c.rank || k + 1}. `),
          h('a', { href: candHref(c) }, candName(c)),
          /* A missing-person case: the candidate itself, or one open for the person. */
          c.case ? [' ', h('span', { class: 'status missing-case' }, t('case_type.missing_person_report'))] : null,
          h('br'),
          t('list.probability', { p: percent(c.probability) }),
          ' ',
          bandBadge(c.band),
          c.decision !== 'none' ? [' ', h('span', { class: `status decision-${c.decision}` }, t(`list_decision.${c.decision}`))] : null,
          c.repeat ? [' ', h('span', { class: 'status repeat' }, t('list.repeat'))] : null,
        ),
      ),
    );
    const body = fieldsShown.map(([key, label, of]) =>
      h(
        'tr',
        null,
        h('th', { scope: 'row' }, t(label)),
        h('td', null, key === 'sex' && /^[FM]$/.test(r.fields.sex) ? t(`sex.${r.fields.sex}`) : String(r.fields[key])),
        cand.map((c) => h('td', null, c.person ? of(c.person) : key === 'full_name' ? candName(c) : '')),
      ),
    );
    const why = h(
      'tr',
      { class: 'explanation' },
      h('th', { scope: 'row' }, t('list.why')),
      h('td'),
      cand.map((c) =>
        h(
          'td',
          null,
          h(
            'ul',
            { class: 'explain' },
            explain(c.explanation).map((e) => h('li', null, e.field ? h('strong', null, `${e.field}: `) : null, e.text)),
          ),
        ),
      ),
    );
    const buttons = h(
      'tr',
      null,
      h('th', { scope: 'row' }, t('list.decide')),
      h('td'),
      cand.map((c, k) =>
        h(
          'td',
          { class: 'decide' },
          h(
            'button',
            { type: 'button', 'aria-keyshortcuts': 'c', onclick: () => decide(i, k, 'confirm') },
            t('list.confirm'),
            h('span', { class: 'visually-hidden' }, ` ${candName(c)}`),
          ),
          ' ',
          h(
            'button',
            { type: 'button', class: 'secondary', 'aria-keyshortcuts': 'r', onclick: () => decide(i, k, 'reject') },
            t('list.reject'),
            h('span', { class: 'visually-hidden' }, ` ${candName(c)}`),
          ),
        ),
      ),
    );
    replace(
      card,
      h(
        'h2',
        { id: `row-${r.row}-h` },
        t('list.row_title', { n: formatNumber(r.row), name: r.fields.full_name || '' }),
        ' ',
        bandBadge(r.band),
        ' ',
        h('span', { class: `status decision-${r.decision}` }, t(`list_row_decision.${r.decision}`)),
      ),
      cand.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h('table', { class: 'side-by-side' }, h('caption', { class: 'visually-hidden' }, t('list.side_by_side', { n: formatNumber(r.row) })), h('thead', null, head), h('tbody', null, body, why, buttons)),
          )
        : h('p', { class: 'muted' }, t('list.no_candidates')),
    );
  }

  function move(to) {
    if (to < 0 || to >= rows.length) return;
    const before = current;
    current = to;
    drawRow(before);
    drawRow(current);
    cards[current].focus();
    cards[current].scrollIntoView({ block: 'nearest' });
  }

  async function decide(i, k, decision) {
    const r = rows[i];
    const c = r.candidates[k];
    if (!c) return;
    try {
      const res = await api('POST', `/api/v1/lists/${id}/rows/${r.row}/decision`, c.person ? { decision, candidate_id: c.person.id } : { decision, case_id: c.case.id });
      if (decision === 'confirm') {
        r.candidates.forEach((x) => {
          if (x.decision === 'confirmed') x.decision = 'none';
        });
        c.decision = 'confirmed';
      } else {
        c.decision = 'rejected';
        const nextOpen = r.candidates.findIndex((x) => x.decision !== 'rejected');
        if (nextOpen >= 0) chosen[i] = nextOpen;
      }
      r.decision = res.decision;
      replace(counts, countsText(res.list));
      live.textContent = t(decision === 'confirm' ? 'list.confirmed' : 'list.rejected', { n: formatNumber(r.row), name: candName(c) });
      drawRow(i);
      if (decision === 'confirm' && i + 1 < rows.length) move(i + 1);
      else if (i === current) cards[i].focus();
    } catch (e) {
      if (e.status !== 401) live.textContent = t('error.generic');
    }
  }

  function onKey(ev) {
    if (!main.isConnected) {
      document.removeEventListener('keydown', onKey);
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey || rows.length === 0) return;
    const tag = ev.target && ev.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    const key = ev.key;
    if (key === 'j') move(current + 1);
    else if (key === 'k') move(current - 1);
    else if (/^[1-5]$/.test(key) && Number(key) <= rows[current].candidates.length) {
      chosen[current] = Number(key) - 1;
      drawRow(current);
      live.textContent = t('list.chosen', { k: key, name: candName(rows[current].candidates[chosen[current]]) });
    } else if (key === 'c') decide(current, chosen[current], 'confirm');
    else if (key === 'r') decide(current, chosen[current], 'reject');
    else return;
    ev.preventDefault();
  }
  document.addEventListener('keydown', onKey);

  rows.forEach((r, i) => drawRow(i));
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/lists' }, t('lists.title'))),
    h('h1', { tabindex: '-1' }, list.title),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, t('list.source')),
      h('dd', null, list.source),
      h('dt', null, t('field.country')),
      h('dd', null, countryName(list.country)),
      list.region ? [h('dt', null, t('field.region')), h('dd', null, list.region)] : null,
      h('dt', null, t('list.ref_date')),
      h('dd', null, formatPartialDate(list.ref_date)),
      /* What confirming a person does, as chosen at upload. */
      list.on_confirm && list.on_confirm.status ? [h('dt', null, t('field.status')), h('dd', null, t(`status.${list.on_confirm.status}`))] : null,
      list.on_confirm && list.on_confirm.presence ? [h('dt', null, t('field.category')), h('dd', null, `${t(`category.${list.on_confirm.presence.category}`)} (${countryName(list.on_confirm.presence.country)})`)] : null,
      list.bad_rows ? [h('dt', null, t('list.bad_rows')), h('dd', null, formatNumber(list.bad_rows))] : null,
    ),
    counts,
    h('p', { class: 'hint', id: 'list-keys' }, t('list.keys')),
    live,
    rows.length ? h('div', { class: 'list-rows', 'aria-describedby': 'list-keys' }, cards) : h('p', { class: 'muted' }, t('list.no_rows')),
  );
}
