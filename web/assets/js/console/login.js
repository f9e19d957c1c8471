/*
 * login.js - the console's login page (POST /api/v1/session sets the session cookie).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { otherLang, loadLang, rememberLang, t } from '../i18n.js';

export async function loginView(ctx) {
  const { main, query, setTitle } = ctx;
  setTitle(t('login.title'));
  const notice = query.get('expired')
    ? t('login.expired')
    : query.get('bye')
      ? t('login.bye')
      : null;
  const message = h('p', { class: 'error', role: 'alert', id: 'login-error', hidden: true });
  const email = h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', { type: 'submit' }, t('login.submit'));

  async function onSubmit(ev) {
    ev.preventDefault();
    message.hidden = true;
    submit.disabled = true;
    try {
      const res = await api('POST', '/api/v1/session', { email: email.value.trim(), password: password.value }, { quiet: true });
      ctx.onLogin(res.user);
    } catch (e) {
      message.textContent = e.status === 401 ? t('login.failed') : e.status === 429 ? t('login.rate_limited') : t('error.generic');
      message.hidden = false;
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  }

  async function switchLanguage() {
    rememberLang(otherLang());
    await loadLang(otherLang());
    await loginView(ctx);
    main.querySelector('.lang-switch').focus();
  }

  replace(
    main,
    h(
      'div',
      { class: 'login' },
      h(
        'div',
        { class: 'login-head' },
        h('p', { class: 'brand' }, t('app.name')),
        h('button', { type: 'button', class: 'lang-switch link-button', lang: otherLang(), onclick: switchLanguage }, t('lang.switch')),
      ),
      h('h1', { tabindex: '-1' }, t('login.title')),
      notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
      h(
        'form',
        { class: 'stack', onsubmit: onSubmit, 'aria-describedby': 'login-error' },
        h('div', { class: 'field' }, h('label', { for: 'login-email' }, t('login.email')), email),
        h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')), password),
        message,
        submit,
      ),
      h('p', { class: 'muted' }, h('a', { href: '/' }, t('login.public_link'))),
    ),
  );
  email.focus();
}
