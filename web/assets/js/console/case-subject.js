/*
 * case-subject.js - the person a case is about when they are not a registered citizen (a
 * missing-person report made by a relative): what the caller knows of them (name, sex, date of
 * birth, home province, identity number). On a case page they are shown with the case's facts
 * and edited with PATCH /api/v1/cases/{id} {"subject": {...}} (the subject is replaced as a
 * whole; clearing every field removes it); the new-case form (cases.js) takes the same fields,
 * built here, and sends them in its POST. Lists from foreign authorities are matched against
 * these details (docs/api.md, Lists), so a date of birth here tells namesakes apart. The API
 * judges what is valid; its answer naming a field ("subject.date_of_birth") is shown next to it.
 * A date of birth the API would refuse is said before anything is sent (birthDateProblem).
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { formatPartialDate, t } from '../i18n.js';
import { selectOf } from './people.js';
import { ScopedForm } from './scoped-form.js';

const SEXES = ['U', 'F', 'M', 'X'];
/* The subject's fields, in the order shown, with the label of each and its hint if any. */
const FIELDS = [
  ['full_name', 'field.full_name'],
  ['sex', 'field.sex'],
  ['date_of_birth', 'field.date_of_birth', 'form.date_hint'],
  ['home_province', 'field.home_province'],
  ['id_number', 'case.subject_id_number'],
];
/* The years a date is written in (PDATE_YEAR_MIN..MAX, src/domain/pdate.h), and the first year
 * of birth the API takes (spec_check_birth_date, src/api/spec.c). */
const YEAR_MIN = 1850;
const YEAR_MAX = 2200;
const BIRTH_YEAR_MIN = 1900;

/* The text of one field of subject s as shown. */
function shown(s, key) {
  if (key === 'sex') return s.sex ? t(`sex.${s.sex}`) : '';
  if (key === 'date_of_birth') return formatPartialDate(s.date_of_birth);
  return s[key] || '';
}

/* The subject of case c as a definition list under its heading, or null when it has none. */
export function subjectFacts(c) {
  const s = c.subject;
  if (!s) return null;
  return h(
    'div',
    { class: 'subject', id: 'case-subject' },
    h('h3', null, t('case.subject')),
    h(
      'dl',
      { class: 'details' },
      FIELDS.filter(([key]) => s[key]).map(([key, label]) => [h('dt', null, t(label)), h('dd', { 'data-field': key }, shown(s, key))]),
    ),
  );
}

/*
 * What the API would refuse in date of birth s (already trimmed), as the dictionary key of the
 * message it would earn, or null when s is empty or the API takes it. The rule is the API's
 * (spec_check_birth_date): written YYYY, YYYY-MM or YYYY-MM-DD, a day that exists, not after
 * today (UTC, at the date's own precision: 2031 is not in the future during 2031), not before
 * 1900. today is for tests.
 */
export function birthDateProblem(s, today = new Date()) {
  if (!s) return null;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s);
  if (!m) return 'error.date';
  const [y, mo, d] = [m[1], m[2] || '0', m[3] || '0'].map(Number);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (y < YEAR_MIN || y > YEAR_MAX || (m[2] && (mo < 1 || mo > 12)) || (m[3] && (d < 1 || d > days))) {
    return 'error.date';
  }
  const [ty, tm, td] = [today.getUTCFullYear(), today.getUTCMonth() + 1, today.getUTCDate()];
  const future = y !== ty ? y > ty : !mo || mo !== tm ? mo > tm : d > td;
  if (future) return 'error.future';
  return y < BIRTH_YEAR_MIN ? 'error.too_old' : null;
}

/*
 * The subject's controls, filled from s (a case's subject, {} for none), registered in form f
 * (a FieldForm or a ScopedForm) under the API's paths ("subject.date_of_birth"), so that a
 * refusal naming one lands next to it. Returns {fields, body, problem}: fields, the labelled
 * fields in order; body(), the subject as the API takes it (empty fields left out, "U",
 * unknown sex, as none) or null when every field is empty; problem(), what the API would
 * refuse as {key, text} (the field's path and the message), or null.
 */
export function subjectInputs(f, s) {
  const text = (name, value, attrs) => h('input', { type: 'text', name, value: value || '', autocomplete: 'off', ...attrs });
  const controls = {
    full_name: text('full_name', s.full_name, { maxlength: '300' }),
    sex: selectOf('x', 'sex', SEXES.map((x) => [x, t(`sex.${x}`)]), s.sex || 'U', null),
    date_of_birth: text('date_of_birth', s.date_of_birth, { inputmode: 'numeric', maxlength: '10' }),
    home_province: text('home_province', s.home_province, { maxlength: '200' }),
    id_number: text('id_number', s.id_number, { maxlength: '32' }),
  };
  const fields = FIELDS.map(([key, label, hint]) => f.field(`subject.${key}`, label, controls[key], hint));

  function body() {
    const b = {};
    for (const [key] of FIELDS) {
      const v = controls[key].value.trim();
      if (v && !(key === 'sex' && v === 'U')) b[key] = v;
    }
    return Object.keys(b).length ? b : null;
  }

  function problem() {
    const bad = birthDateProblem(controls.date_of_birth.value.trim());
    return bad ? { key: 'subject.date_of_birth', text: t(bad) } : null;
  }

  return { fields, body, problem };
}

/*
 * The form that records or changes the subject of case c (id caseId); done(text) is called
 * after a change so that the page reloads the case and says what changed.
 */
export function subjectForm(caseId, c, done) {
  const f = new ScopedForm('subject');
  const inputs = subjectInputs(f, c.subject || {});
  const submit = h('button', { type: 'submit' }, t('case.subject_submit'));

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    const bad = inputs.problem();
    if (bad) {
      f.showFieldError(bad.key, bad.text);
      return;
    }
    submit.disabled = true;
    try {
      const subject = inputs.body();
      await api('PATCH', `/api/v1/cases/${caseId}`, { subject });
      await done(subject ? t('case.subject_saved') : t('case.subject_removed'));
    } catch (e) {
      if (e.status !== 401) f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    'form',
    { class: 'stack case-action', id: 'case-subject-form', 'aria-labelledby': 'case-subject-h', novalidate: true, onsubmit: onSubmit },
    h('h3', { id: 'case-subject-h' }, t('case.subject_title')),
    h('p', { class: 'hint' }, t('case.subject_hint')),
    inputs.fields,
    f.summary,
    h('div', { class: 'actions' }, submit),
  );
}
