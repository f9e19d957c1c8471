/*
 * case-persons.js - on a case page, the two ways a person joins an open case after its intake:
 * linking a registered citizen found by a search as one types (GET /api/v1/persons?q=, then
 * POST /api/v1/cases/{id}/persons), and making the unregistered caller a registered person (POST
 * /api/v1/cases/{id}/promote-caller: the caller's name and phone unless changed, and optionally
 * where they are). The API judges what is valid; its answer naming a field is shown next to that
 * field in the reader's language. Each form calls done(text) after a change so that the page
 * reloads the case and says what changed.
 */
import { api, query } from '../api.js';
import { debounce, h, replace } from '../dom.js';
import { formatPartialDate, t } from '../i18n.js';
import { fieldKey, splitList } from '../validation.js';
import { CATEGORIES, countryOptions, selectOf } from './people.js';
import { ScopedForm } from './scoped-form.js';

const RESULTS = 8;
const PERSONS_MAX = 20;
const SEXES = ['U', 'F', 'M', 'X'];

/* The reader's text of a refused link: already linked, too many, not visible, or other. */
function linkError(e) {
  if (e.status === 409) return t('case.link_already');
  if (e.status === 422 && /at most/.test(e.message || '')) return t('case.link_too_many');
  if (e.status === 422 || e.status === 404) return t('case.link_not_visible');
  return t('error.generic');
}

/*
 * The "link a registered citizen" part of case c (id caseId): a search field, the results as
 * buttons (a person linked already is shown as such), and an error line.
 */
export function linkPersonSection(caseId, c, done) {
  const linked = new Set((c.persons || []).map((p) => p.id));
  const full = linked.size >= PERSONS_MAX;
  const search = h('input', {
    type: 'search',
    id: 'case-link-q',
    name: 'q',
    autocomplete: 'off',
    disabled: full,
    'aria-describedby': 'case-link-hint case-link-error',
    'aria-controls': 'case-link-results',
  });
  const results = h('ul', { class: 'person-results', id: 'case-link-results', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert', id: 'case-link-error', hidden: true });
  let seq = 0;

  async function link(p, button) {
    error.hidden = true;
    button.disabled = true;
    try {
      await api('POST', `/api/v1/cases/${caseId}/persons`, { person: p.id });
      replace(results);
      search.value = '';
      await done(t('case.linked', { name: p.full_name }));
    } catch (e) {
      if (e.status === 401) return;
      error.textContent = linkError(e);
      error.hidden = false;
      button.disabled = false;
    }
  }

  const lookup = debounce(async () => {
    const mine = ++seq;
    const q = search.value.trim();
    if (q.length < 2) {
      replace(results);
      return;
    }
    try {
      const res = await api('GET', `/api/v1/persons${query({ q, limit: RESULTS })}`);
      if (mine !== seq) return;
      replace(
        results,
        res.items.length === 0
          ? h('li', { class: 'muted' }, t('people.none'))
          : res.items.map((p) => {
              const already = linked.has(p.id);
              const button = h(
                'button',
                { type: 'button', class: 'secondary', disabled: already, 'aria-describedby': 'case-link-error' },
                already ? t('case.link_done', { name: p.full_name }) : t('case.link_person', { name: p.full_name }),
              );
              button.addEventListener('click', () => link(p, button));
              return h(
                'li',
                null,
                button,
                p.date_of_birth ? h('span', { class: 'muted' }, ` ${formatPartialDate(p.date_of_birth)}`) : null,
              );
            }),
      );
    } catch (e) {
      if (e.status !== 401 && mine === seq) replace(results, h('li', { class: 'error' }, t('error.generic')));
    }
  }, 250);
  search.addEventListener('input', lookup);

  return h(
    'section',
    { class: 'stack case-action', id: 'case-link', 'aria-labelledby': 'case-link-h' },
    h('h3', { id: 'case-link-h' }, t('case.link_title')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'case-link-q' }, t('case.find_person')),
      search,
      h('p', { class: 'hint', id: 'case-link-hint' }, full ? t('case.link_too_many') : t('case.find_person_hint')),
    ),
    results,
    error,
  );
}

/*
 * The "make the caller a registered person" form of case c, or null when the case has no
 * unregistered caller (or the caller was made a person already).
 */
export function promoteCallerForm(caseId, c, done) {
  if (!c.caller || c.caller.person) return null;
  const f = new ScopedForm('promote');
  const text = (name, value, attrs) => h('input', { type: 'text', name, value: value || '', autocomplete: 'off', ...attrs });
  const fullName = text('full_name', c.caller.name, { required: true });
  const phones = text('phones', c.caller.phone, { inputmode: 'tel' });
  const dob = text('date_of_birth', '', { inputmode: 'numeric' });
  const sex = selectOf('x', 'sex', SEXES.map((s) => [s, t(`sex.${s}`)]), 'U', null);
  const country = selectOf('x', 'country', countryOptions(), '', t('case.promote_no_presence'));
  const category = selectOf('x', 'category', CATEGORIES.map((k) => [k, t(`category.${k}`)]), '', t('form.choose'));
  const city = text('city', '');
  const submit = h('button', { type: 'submit' }, t('case.promote_submit'));

  function body() {
    const b = { full_name: fullName.value.trim(), sex: sex.value, phones: splitList(phones.value) };
    if (dob.value.trim()) b.date_of_birth = dob.value.trim();
    if (country.value || category.value || city.value.trim()) {
      b.presence = { country: country.value || undefined, category: category.value || undefined };
      if (city.value.trim()) b.presence.city = city.value.trim();
    }
    return b;
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    submit.disabled = true;
    try {
      await api('POST', `/api/v1/cases/${caseId}/promote-caller`, body());
      await done(t('case.promoted', { name: fullName.value.trim() }));
    } catch (e) {
      if (e.status === 401) return;
      const entry = e.field && f.controls.get(fieldKey(e));
      if (e.status === 403 && entry) {
        /* A presence outside the officer's jurisdiction: said next to the country. */
        entry.error.textContent = t('error.forbidden_country');
        entry.error.hidden = false;
        entry.control.setAttribute('aria-invalid', 'true');
        entry.control.focus();
      } else if (e.status === 409) {
        f.summary.textContent = t('case.conflict');
        f.summary.hidden = false;
      } else {
        f.showError(e);
      }
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    'form',
    { class: 'stack case-action', id: 'case-promote-form', 'aria-labelledby': 'case-promote-h', novalidate: true, onsubmit: onSubmit },
    h('h3', { id: 'case-promote-h' }, t('case.promote_title')),
    h('p', { class: 'hint' }, t('case.promote_hint')),
    f.field('full_name', 'field.full_name', fullName),
    f.field('phones', 'field.phones', phones, 'form.list_hint'),
    f.field('date_of_birth', 'field.date_of_birth', dob, 'form.date_hint'),
    f.field('sex', 'field.sex', sex),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', null, t('case.promote_where')),
      h('p', { class: 'hint' }, t('case.promote_where_hint')),
      f.field('presence.country', 'field.country', country),
      f.field('presence.category', 'field.category', category),
      f.field('presence.city', 'field.city', city),
    ),
    f.summary,
    h('div', { class: 'actions' }, submit),
  );
}
