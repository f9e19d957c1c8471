/*
 * forms.js - the public forms' fields, found by their data-field attribute (the API's field
 * path), so that a 422 answer is shown next to the field it names.
 */
import { t } from '../i18n.js';
import { fieldKey, splitList, validationMessage } from '../validation.js';

/* The value of the control for field path key: a list for data-list fields, else trimmed text. */
export function valueOf(form, key) {
  const el = form.querySelector(`[data-field="${key}"]`);
  if (!el) return undefined;
  return el.hasAttribute('data-list') ? splitList(el.value) : el.value.trim();
}

export function clearErrors(form, summary) {
  form.querySelectorAll('.field-error').forEach((p) => {
    p.hidden = true;
    p.textContent = '';
  });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  if (summary) summary.hidden = true;
}

/* Shows an API error next to its field (focusing it), or in summary when no field has it. */
export function showError(form, summary, err) {
  const key = fieldKey(err);
  const el = key ? form.querySelector(`[data-field="${key}"]`) : null;
  if (err.status === 422 && el) {
    const p = document.getElementById(`${el.id}-error`);
    p.textContent = validationMessage(err);
    p.hidden = false;
    el.setAttribute('aria-invalid', 'true');
    el.focus();
    return;
  }
  summary.textContent =
    err.status === 422 ? validationMessage(err) : err.status === 429 ? t('error.rate_limited') : t('error.generic');
  summary.hidden = false;
  summary.focus();
}
