/*
 * case-subject.js - on a case page, the person the case is about when they are not a
 * registered citizen (a missing-person report made by a relative): what the caller knows of
 * them (name, sex, date of birth, home province, identity number), shown with the case's facts
 * and edited with PATCH /api/v1/cases/{id} {"subject": {...}} (the subject is replaced as a
 * whole; clearing every field removes it). Lists from foreign authorities are matched against
 * these details (docs/api.md, Lists), so a date of birth here tells namesakes apart. The API
 * judges what is valid; its answer naming a field ("subject.date_of_birth") is shown next to it.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { formatPartialDate, t } from '../i18n.js';
import { selectOf } from './people.js';
import { ScopedForm } from './scoped-form.js';

const SEXES = ['U', 'F', 'M', 'X'];
/* The subject's fields, in the order shown, with the label of each. */
const FIELDS = [
  ['full_name', 'field.full_name'],
  ['sex', 'field.sex'],
  ['date_of_birth', 'field.date_of_birth'],
  ['home_province', 'field.home_province'],
  ['id_number', 'case.subject_id_number'],
];

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
 * The form that records or changes the subject of case c (id caseId); done(text) is called
 * after a change so that the page reloads the case and says what changed.
 */
export function subjectForm(caseId, c, done) {
  const s = c.subject || {};
  const f = new ScopedForm('subject');
  const text = (name, value, attrs) => h('input', { type: 'text', name, value: value || '', autocomplete: 'off', ...attrs });
  const controls = {
    full_name: text('full_name', s.full_name, { maxlength: '300' }),
    sex: selectOf('x', 'sex', SEXES.map((x) => [x, t(`sex.${x}`)]), s.sex || 'U', null),
    date_of_birth: text('date_of_birth', s.date_of_birth, { inputmode: 'numeric' }),
    home_province: text('home_province', s.home_province, { maxlength: '200' }),
    id_number: text('id_number', s.id_number, { maxlength: '32' }),
  };
  const submit = h('button', { type: 'submit' }, t('case.subject_submit'));

  /* The subject as the API takes it: empty fields left out, "U" (unknown sex) as none. */
  function body() {
    const b = {};
    for (const [key] of FIELDS) {
      const v = controls[key].value.trim();
      if (v && !(key === 'sex' && v === 'U')) b[key] = v;
    }
    return Object.keys(b).length ? b : null;
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    submit.disabled = true;
    try {
      const subject = body();
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
    f.field('subject.full_name', 'field.full_name', controls.full_name),
    f.field('subject.sex', 'field.sex', controls.sex),
    f.field('subject.date_of_birth', 'field.date_of_birth', controls.date_of_birth, 'form.date_hint'),
    f.field('subject.home_province', 'field.home_province', controls.home_province),
    f.field('subject.id_number', 'case.subject_id_number', controls.id_number),
    f.summary,
    h('div', { class: 'actions' }, submit),
  );
}
