/*
 * register.js - sends the self-registration form as JSON (POST /api/v1/public/registrations)
 * and shows the private manage link it answers with. Nothing typed is kept in the browser.
 * Without JavaScript the same form is posted to /register and the server answers the page
 * (src/api/api_register_form.c), which also writes the list of countries into it.
 */
import './lang.js';
import { api } from '../api.js';
import { loadLang, t } from '../i18n.js';
import { clearErrors, showError, valueOf } from './forms.js';

const form = document.getElementById('register-form');
const summary = document.getElementById('r-summary');
const submit = document.getElementById('r-submit');

function body() {
  const person = { full_name: valueOf(form, 'person.full_name'), sex: valueOf(form, 'person.sex') };
  for (const k of ['date_of_birth', 'passport', 'home_province', 'preferred_language']) {
    const v = valueOf(form, `person.${k}`);
    if (v) person[k] = v;
  }
  for (const k of ['phones', 'emails']) {
    const v = valueOf(form, `person.${k}`);
    if (v.length) person[k] = v;
  }
  const presence = {};
  for (const k of ['country', 'city', 'address', 'category', 'from', 'until']) {
    const v = valueOf(form, `presence.${k}`);
    if (v) presence[k] = v;
  }
  return { person, presence };
}

async function onSubmit(ev) {
  ev.preventDefault();
  clearErrors(form, summary);
  submit.disabled = true;
  submit.textContent = t('register.sending');
  try {
    const res = await api('POST', '/api/v1/public/registrations', body());
    const link = document.getElementById('manage-link');
    link.href = res.manage_url;
    link.textContent = res.manage_url;
    form.reset();
    form.hidden = true;
    const done = document.getElementById('register-done');
    done.hidden = false;
    document.getElementById('done-h').focus();
  } catch (e) {
    showError(form, summary, e);
  } finally {
    submit.disabled = false;
    submit.textContent = t('register.submit');
  }
}

async function onCopy() {
  const status = document.getElementById('copy-status');
  try {
    await navigator.clipboard.writeText(document.getElementById('manage-link').href);
    status.textContent = t('register.copied');
  } catch (e) {
    status.textContent = '';
  }
}

await loadLang(document.documentElement.lang);
summary.tabIndex = -1;
form.addEventListener('submit', onSubmit);
document.getElementById('copy-link').addEventListener('click', onCopy);
