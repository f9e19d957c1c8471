/*
 * person.js - one person's page: identity and contacts, presences abroad, welfare status with
 * its history (GET /api/v1/persons/{id}/status) and a form to record a new status.
 * Opening the page is a read of a personal record: the server audits it.
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, formatDateTime, formatPartialDate, t } from '../i18n.js';
import { STATUSES, selectOf, statusBadge } from './people.js';

function list(values) {
  return values && values.length ? values.join(', ') : '';
}

function details(pairs) {
  return h(
    'dl',
    { class: 'details' },
    pairs
      .filter(([, v]) => v !== '' && v !== null && v !== undefined)
      .map(([k, v]) => [h('dt', null, t(k)), h('dd', null, v)]),
  );
}

function presencesTable(presences) {
  if (!presences.length) return h('p', { class: 'muted' }, t('person.no_presence'));
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': 'presences-h', tabindex: '0' },
    h(
      'table',
      null,
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['field.country', 'field.region', 'field.city', 'field.address', 'field.category', 'field.organisation', 'field.from', 'field.until'].map(
            (k) => h('th', { scope: 'col' }, t(k)),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        presences.map((p) =>
          h(
            'tr',
            null,
            h('td', null, countryName(p.country)),
            h('td', null, p.region || ''),
            h('td', null, p.city || ''),
            h('td', null, p.address || ''),
            h('td', null, t(`category.${p.category}`)),
            h('td', null, p.organisation || ''),
            h('td', null, formatPartialDate(p.from)),
            h('td', null, p.until ? formatPartialDate(p.until) : t('person.open_ended')),
          ),
        ),
      ),
    ),
  );
}

/* The status history, newest first (the API lists it oldest first). */
function historyList(history) {
  return h(
    'ol',
    { class: 'timeline', reversed: true },
    [...history].reverse().map((e) =>
      h(
        'li',
        null,
        h('time', { datetime: e.at }, formatDateTime(e.at)),
        ' ',
        statusBadge(e.status),
        e.source ? h('span', { class: 'muted' }, ` · ${t(`source.${e.source}`)}`) : null,
        e.note ? h('p', { class: 'note' }, e.note) : null,
      ),
    ),
  );
}

export async function personView({ main, params, setTitle }) {
  const id = params[0];
  const [p, st] = await Promise.all([
    api('GET', `/api/v1/persons/${id}`),
    api('GET', `/api/v1/persons/${id}/status`),
  ]);
  setTitle(p.full_name);

  const current = h('p', { class: 'current-status' }, t('person.current_status'), ' ', statusBadge(st.status));
  const history = h('div', null, historyList(st.history));
  const message = h('p', { role: 'status', class: 'success', hidden: true });
  const error = h('p', { role: 'alert', class: 'error', hidden: true });
  const statusSelect = selectOf('status-new', 'status', STATUSES.map((s) => [s, t(`status.${s}`)]), st.status, null);
  const note = h('textarea', { id: 'status-note', name: 'note', rows: '3', maxlength: '2000' });
  const submit = h('button', { type: 'submit' }, t('person.status_submit'));

  async function onStatus(ev) {
    ev.preventDefault();
    message.hidden = true;
    error.hidden = true;
    submit.disabled = true;
    try {
      await api('POST', `/api/v1/persons/${id}/status`, {
        status: statusSelect.value,
        note: note.value.trim() || null,
        source: 'officer',
      });
      const fresh = await api('GET', `/api/v1/persons/${id}/status`);
      replace(current, t('person.current_status'), ' ', statusBadge(fresh.status));
      replace(history, historyList(fresh.history));
      note.value = '';
      message.textContent = t('person.status_saved', { status: t(`status.${fresh.status}`) });
      message.hidden = false;
    } catch (e) {
      if (e.status === 401) return;
      error.textContent = e.status === 422 ? t('error.invalid') : t('error.generic');
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  const contacts = (p.emergency_contacts || []).map((c) =>
    h(
      'li',
      null,
      c.name,
      c.relation ? ` (${c.relation})` : '',
      c.phone ? ` · ${c.phone}` : '',
      c.email ? ` · ${c.email}` : '',
      c.consent_to_disclose ? ` · ${t('person.consent')}` : '',
    ),
  );

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/people' }, t('people.title'))),
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, p.full_name),
      h('a', { class: 'button secondary', href: `/console/people/${id}/edit` }, t('person.edit')),
    ),
    current,
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { 'aria-labelledby': 'identity-h' },
        h('h2', { id: 'identity-h' }, t('person.identity')),
        details([
          ['field.other_names', list(p.other_names)],
          ['field.sex', t(`sex.${p.sex}`)],
          ['field.date_of_birth', formatPartialDate(p.date_of_birth)],
          ['field.national_id', p.national_id || ''],
          ['field.passport', p.passport || ''],
          ['field.phones', list(p.phones)],
          ['field.emails', list(p.emails)],
          ['field.home_province', p.home_province || ''],
          ['field.flags', list((p.flags || []).map((f) => t(`flag.${f}`)))],
          ['field.preferred_language', t(`language.${p.preferred_language || 'vi'}`)],
          ['field.source', p.source ? t(`source.${p.source}`) : ''],
          ['person.created', formatDateTime(p.created_at)],
          ['person.updated', formatDateTime(p.updated_at)],
        ]),
        contacts.length ? [h('h3', null, t('field.emergency_contacts')), h('ul', null, contacts)] : null,
      ),
      h(
        'section',
        { 'aria-labelledby': 'status-h' },
        h('h2', { id: 'status-h' }, t('person.status_change')),
        h(
          'form',
          { class: 'stack', onsubmit: onStatus },
          h('div', { class: 'field' }, h('label', { for: 'status-new' }, t('field.status')), statusSelect),
          h('div', { class: 'field' }, h('label', { for: 'status-note' }, t('field.note')), note),
          submit,
          message,
          error,
        ),
        h('h3', null, t('person.history')),
        history,
      ),
    ),
    h('section', { 'aria-labelledby': 'presences-h' }, h('h2', { id: 'presences-h' }, t('person.presences')), presencesTable(p.presences || [])),
  );
}
