/*
 * lang.js - what every public page does first: marks that JavaScript runs (the no-js class
 * hides what needs it), and keeps the page in the reader's language. The switch is a plain
 * link (?lang=..) that works without JavaScript; with it, the choice is also remembered.
 */
import { preferredLang, rememberLang } from '../i18n.js';

document.documentElement.classList.remove('no-js');

const page = document.documentElement.lang;
const params = new URLSearchParams(location.search);
const wanted = preferredLang();
if (!params.has('lang') && wanted !== page) {
  rememberLang(wanted);
  params.set('lang', wanted);
  location.replace(`${location.pathname}?${params}`);
}
document.querySelectorAll('a[data-lang]').forEach((a) => {
  a.addEventListener('click', () => rememberLang(a.dataset.lang));
});
if (params.has('lang')) rememberLang(page);
