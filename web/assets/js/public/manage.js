/*
 * manage.js - the citizen's private page (/register/TOKEN): shows the registration, saves
 * changes to contacts, the language messages are sent in, and address (PATCH), and ends the trip (DELETE), with the token from the
 * address. The page is never cached and sends no referrer, so the token does not leak.
 */
import './lang.js';
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, formatPartialDate, loadLang, t } from '../i18n.js';
import { clearErrors, showError, valueOf } from './forms.js';

const token = decodeURIComponent(location.pathname.split('/')[2] || '');
const url = `/api/v1/public/registrations/${encodeURIComponent(token)}`;
const status = document.getElementById('m-status');
const box = document.getElementById('manage');
const form = document.getElementById('m-form');
const summary = document.getElementById('m-summary');
const saved = document.getElementById('m-saved');

function show(reg) {
  const p = reg.person;
  const pr = reg.presence;
  const rows = [
    ['field.full_name', p.full_name],
    ['field.date_of_birth', formatPartialDate(p.date_of_birth)],
    ['field.country', countryName(pr.country)],
    ['field.city', pr.city],
    ['field.address', pr.address],
    ['field.category', t(`category.${pr.category}`)],
    ['field.from', formatPartialDate(pr.from)],
    ['field.until', formatPartialDate(pr.until)],
    ['field.phones', (p.phones || []).join(', ')],
    ['field.emails', (p.emails || []).join(', ')],
    ['field.preferred_language', t(`language.${p.preferred_language === 'en' ? 'en' : 'vi'}`)],
  ].filter(([, v]) => v);
  replace(document.getElementById('m-details'), rows.map(([k, v]) => [h('dt', null, t(k)), h('dd', null, v)]));
  document.getElementById('m-phones').value = (p.phones || []).join(', ');
  document.getElementById('m-emails').value = (p.emails || []).join(', ');
  document.getElementById('m-preferred_language').value = p.preferred_language === 'en' ? 'en' : 'vi';
  document.getElementById('m-city').value = pr.city || '';
  document.getElementById('m-address').value = pr.address || '';
  document.getElementById('m-until').value = /^\d{4}-\d{2}-\d{2}$/.test(pr.until || '') ? pr.until : '';
}

async function onSave(ev) {
  ev.preventDefault();
  clearErrors(form, summary);
  saved.hidden = true;
  const nullable = (k) => valueOf(form, k) || null;
  try {
    const reg = await api('PATCH', url, {
      phones: valueOf(form, 'phones'),
      emails: valueOf(form, 'emails'),
      preferred_language: valueOf(form, 'preferred_language'),
      city: nullable('city'),
      address: nullable('address'),
      until: nullable('until'),
    });
    show(reg);
    saved.hidden = false;
  } catch (e) {
    showError(form, summary, e);
  }
}

async function onClose(ev) {
  ev.preventDefault();
  if (!document.getElementById('m-close-confirm').checked) {
    document.getElementById('m-close-confirm').focus();
    return;
  }
  try {
    await api('DELETE', url);
    box.hidden = true;
    const closed = document.getElementById('m-closed');
    closed.hidden = false;
    closed.querySelector('p').focus();
  } catch (e) {
    status.textContent = e.status === 404 ? t('manage.not_found') : t('error.generic');
    status.hidden = false;
  }
}

await loadLang(document.documentElement.lang);
summary.tabIndex = -1;
try {
  show(await api('GET', url));
  status.hidden = true;
  box.hidden = false;
  form.addEventListener('submit', onSave);
  document.getElementById('m-close').addEventListener('submit', onClose);
} catch (e) {
  status.textContent = e.status === 404 ? t('manage.not_found') : t('error.generic');
  status.className = 'notice';
}
