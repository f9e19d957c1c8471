/*
 * person-form.js - create a person (with where they are: required for officers) or edit one.
 * The API is the judge of what is valid: its 422 answer names the field, and the message is
 * shown next to that field in the reader's language (the field gets aria-invalid and focus).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { fieldKey, splitList, validationMessage } from '../validation.js';
import { CATEGORIES, countryOptions, selectOf } from './people.js';

const SEXES = ['U', 'F', 'M', 'X'];
const FLAGS = ['minor', 'elderly', 'medical', 'pregnant', 'disability'];
/* The languages a person may read messages in (model_languages in src/domain/model.c). */
export const LANGUAGES = ['vi', 'en'];

function idOf(key) {
  return `f-${key.replace(/\./g, '-')}`;
}

/*
 * A form whose fields are registered by key (the API's field path, e.g. "presence.country"),
 * so that an error naming a key lands next to its control.
 */
export class FieldForm {
  constructor() {
    this.controls = new Map();
    this.summary = h('p', { class: 'error', role: 'alert', hidden: true });
  }

  /* A labelled field: control gets its id, hint and error wired for screen readers. */
  field(key, labelKey, control, hintKey) {
    const id = idOf(key);
    control.id = id;
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const hint = hintKey ? h('p', { class: 'hint', id: `${id}-hint` }, t(hintKey)) : null;
    control.setAttribute('aria-describedby', [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
    this.controls.set(key, { control, error });
    return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), control, hint, error);
  }

  /* A group of checkboxes as a fieldset. */
  checkboxes(key, labelKey, values, checked, textKey) {
    const id = idOf(key);
    const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const boxes = values.map((v) =>
      h(
        'label',
        { class: 'check' },
        h('input', { type: 'checkbox', name: key, value: v, checked: checked.includes(v) }),
        ' ',
        t(`${textKey}.${v}`),
      ),
    );
    const fieldset = h('fieldset', { id, 'aria-describedby': `${id}-error` }, h('legend', null, t(labelKey)), boxes, error);
    this.controls.set(key, { control: boxes[0].querySelector('input'), error, group: fieldset });
    return fieldset;
  }

  checked(key) {
    const entry = this.controls.get(key);
    return [...entry.group.querySelectorAll('input:checked')].map((i) => i.value);
  }

  value(key) {
    return this.controls.get(key).control.value.trim();
  }

  clearErrors() {
    this.summary.hidden = true;
    for (const { control, error } of this.controls.values()) {
      error.hidden = true;
      error.textContent = '';
      control.removeAttribute('aria-invalid');
    }
  }

  /* Shows text next to the field key (one the form has), marks it invalid and focuses it. */
  showFieldError(key, text) {
    const entry = this.controls.get(key);
    entry.error.textContent = text;
    entry.error.hidden = false;
    entry.control.setAttribute('aria-invalid', 'true');
    entry.control.focus();
  }

  /* Shows err next to its field when the form has it, else above the buttons. */
  showError(err) {
    const key = fieldKey(err);
    if (err.status === 422 && key && this.controls.has(key)) {
      this.showFieldError(key, validationMessage(err));
      return;
    }
    this.summary.textContent =
      err.status === 422 ? validationMessage(err) : err.status === 403 ? t('error.forbidden_country') : t('error.generic');
    this.summary.hidden = false;
  }
}

export async function personFormView({ main, params, user, navigate, setTitle }) {
  const id = params[0] || null;
  const p = id ? await api('GET', `/api/v1/persons/${id}`) : {};
  const title = id ? t('form.edit_title', { name: p.full_name }) : t('form.new_title');
  setTitle(title);
  const f = new FieldForm();
  const text = (name, value, attrs) => h('input', { type: 'text', name, value: value || '', ...attrs });
  const sex = selectOf('x', 'sex', SEXES.map((s) => [s, t(`sex.${s}`)]), p.sex || 'U', null);
  const language = selectOf(
    'x',
    'preferred_language',
    LANGUAGES.map((l) => [l, t(`language.${l}`)]),
    p.preferred_language || 'vi',
    null,
  );

  const personFields = h(
    'fieldset',
    { class: 'group' },
    h('legend', null, t('form.person')),
    f.field('full_name', 'field.full_name', text('full_name', p.full_name, { required: true, autocomplete: 'off' })),
    f.field('other_names', 'field.other_names', text('other_names', (p.other_names || []).join(', ')), 'form.list_hint'),
    f.field('sex', 'field.sex', sex),
    f.field('date_of_birth', 'field.date_of_birth', text('date_of_birth', p.date_of_birth, { inputmode: 'numeric' }), 'form.date_hint'),
    f.field('national_id', 'field.national_id', text('national_id', p.national_id, { autocomplete: 'off' })),
    f.field('passport', 'field.passport', text('passport', p.passport, { autocomplete: 'off' })),
    f.field('phones', 'field.phones', text('phones', (p.phones || []).join(', '), { inputmode: 'tel' }), 'form.list_hint'),
    f.field('emails', 'field.emails', text('emails', (p.emails || []).join(', ')), 'form.list_hint'),
    f.field('home_province', 'field.home_province', text('home_province', p.home_province)),
    f.checkboxes('flags', 'field.flags', FLAGS, p.flags || [], 'flag'),
    f.field('preferred_language', 'field.preferred_language', language, 'form.language_hint'),
  );

  let presenceFields = null;
  if (!id) {
    presenceFields = h(
      'fieldset',
      { class: 'group' },
      h('legend', null, t('form.presence')),
      h('p', { class: 'hint' }, user.role === 'officer' ? t('form.presence_required') : t('form.presence_optional')),
      f.field('presence.country', 'field.country', selectOf('x', 'country', countryOptions(), '', t('form.choose'))),
      f.field('presence.region', 'field.region', text('region', '')),
      f.field('presence.city', 'field.city', text('city', '')),
      f.field('presence.address', 'field.address', text('address', '')),
      f.field(
        'presence.category',
        'field.category',
        selectOf('x', 'category', CATEGORIES.map((c) => [c, t(`category.${c}`)]), '', t('form.choose')),
      ),
      f.field('presence.organisation', 'field.organisation', text('organisation', '')),
      f.field('presence.from', 'field.from', text('from', ''), 'form.date_hint'),
      f.field('presence.until', 'field.until', text('until', ''), 'form.date_hint'),
    );
  }

  const submit = h('button', { type: 'submit' }, id ? t('form.save') : t('form.create'));

  function body() {
    const b = {
      full_name: f.value('full_name'),
      other_names: splitList(f.value('other_names')),
      sex: f.value('sex'),
      phones: splitList(f.value('phones')),
      emails: splitList(f.value('emails')),
      flags: f.checked('flags'),
      preferred_language: f.value('preferred_language'),
    };
    for (const k of ['date_of_birth', 'national_id', 'passport', 'home_province']) {
      const v = f.value(k);
      if (v) b[k] = v;
      else if (id) b[k] = null;
    }
    if (!id) {
      const pr = {};
      for (const k of ['country', 'region', 'city', 'address', 'category', 'organisation', 'from', 'until']) {
        const v = f.value(`presence.${k}`);
        if (v) pr[k] = v;
      }
      if (Object.keys(pr).length) b.presence = pr;
    }
    return b;
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    submit.disabled = true;
    try {
      const res = id ? await api('PATCH', `/api/v1/persons/${id}`, body()) : await api('POST', '/api/v1/persons', body());
      navigate(`/console/people/${id || res.id}`);
    } catch (e) {
      if (e.status !== 401) f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: id ? `/console/people/${id}` : '/console/people' }, id ? p.full_name : t('people.title'))),
    h('h1', { tabindex: '-1' }, title),
    h(
      'form',
      { class: 'stack person-form', onsubmit: onSubmit, novalidate: true },
      personFields,
      presenceFields,
      f.summary,
      h(
        'div',
        { class: 'actions' },
        submit,
        h('a', { class: 'button secondary', href: id ? `/console/people/${id}` : '/console/people' }, t('form.cancel')),
      ),
    ),
  );
}
