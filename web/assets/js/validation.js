/*
 * validation.js - the reader's-language text for the API's 422 answers. The API names the
 * field and says in English what is wrong; the screen shows a message from the dictionary,
 * chosen by what the API's message says. src/api/api_register_form.c keeps the same table for
 * the page it answers without JavaScript.
 */
import { t } from './i18n.js';

const MESSAGE_KEYS = [
  [/is required|must not be empty/, 'error.required'],
  [/at most/, 'error.too_long'],
  [/in the future/, 'error.future'],
  [/after 1900/, 'error.too_old'],
  [/date written/, 'error.date'],
  [/country code/, 'error.country'],
  [/before from/, 'error.before_from'],
  [/e-mail/, 'error.email'],
  [/phone/, 'error.phone'],
];

/* The message for an ApiError of status 422 (err.message is the API's text). */
export function validationMessage(err) {
  const found = MESSAGE_KEYS.find(([re]) => re.test(err.message || ''));
  return t(found ? found[1] : 'error.invalid');
}

/* The field path of an API error without list indexes ("phones[1]" -> "phones"). */
export function fieldKey(err) {
  return err.field ? err.field.replace(/\[\d+\].*$/, '') : null;
}

/* Splits a comma, semicolon or newline separated list typed by a person. */
export function splitList(s) {
  return s
    .split(/[,;\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}
