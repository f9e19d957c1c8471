/*
 * main.js - the officers' console: the page frame, the routes (History API under /console/),
 * the logged-in user and what their role may see, the language switch and session expiry.
 *
 * A route a role may not use is neither linked nor shown: opened by its address it answers
 * "not permitted" (and the API would refuse it anyway). A 401 from any call returns to the
 * login page with a message and the address the officer was on, to come back to after login.
 */
import { api, setUnauthenticatedHandler } from '../api.js';
import { h, replace } from '../dom.js';
import { currentLang, loadLang, otherLang, preferredLang, rememberLang, t } from '../i18n.js';
import { loginView } from './login.js';
import { SECTIONS } from './sections.js';

/* The router's table, made from the sections (sections.js): a route inherits its section's roles. */
const ROUTES = [
  { re: /^\/console\/?$/, redirect: '/console/dashboard' },
  { re: /^\/console\/login$/, view: loginView, bare: true },
  ...SECTIONS.flatMap((s) => s.routes.map((r) => ({ ...r, roles: r.roles || s.roles, nav: s.key }))),
];

const NAV = SECTIONS.map(({ key, href, roles }) => ({ key, href, roles }));

const state = { user: null, expiring: false };
const app = document.getElementById('app');

/* Whether the logged-in user's role may use something restricted to roles. */
export function allowed(roles) {
  return !roles || (state.user && roles.includes(state.user.role));
}

/* Goes to url inside the console (a path under /console/) and renders it. */
export function navigate(url, { replace: replaceEntry = false, focus = true } = {}) {
  history[replaceEntry ? 'replaceState' : 'pushState'](null, '', url);
  render({ focus });
}

/* Sets the document title from the view's own title. */
function setTitle(text) {
  document.title = `${text} · ${t('app.name')}`;
}

/* A console address safe to return to after login (never another site). */
function safeNext(next) {
  return next && /^\/console\/[A-Za-z0-9/?=&%._~+-]*$/.test(next) && !next.startsWith('//')
    ? next
    : '/console/dashboard';
}

function loginUrl(reason) {
  const next = location.pathname + location.search;
  const q = new URLSearchParams({ next });
  if (reason) q.set(reason, '1');
  return `/console/login?${q}`;
}

async function switchLanguage() {
  const l = otherLang();
  rememberLang(l);
  await loadLang(l);
  await render({ focus: false });
  const button = document.querySelector('.lang-switch');
  if (button) button.focus();
}

async function logout() {
  try {
    await api('DELETE', '/api/v1/session', undefined, { quiet: true });
  } catch (e) {
    /* Logged out either way: the cookie is gone or the session had expired. */
  }
  state.user = null;
  navigate('/console/login?bye=1');
}

function frame(route, main) {
  const user = state.user;
  const other = otherLang();
  return [
    h('a', { class: 'skip-link', href: '#main' }, t('common.skip')),
    h(
      'header',
      { class: 'topbar' },
      h('a', { class: 'brand', href: '/console/dashboard' }, t('app.name')),
      h(
        'nav',
        { 'aria-label': t('nav.label') },
        h(
          'ul',
          null,
          NAV.filter((n) => allowed(n.roles)).map((n) =>
            h(
              'li',
              null,
              h('a', { href: n.href, 'aria-current': route.nav === n.key ? 'page' : null }, t(`nav.${n.key}`)),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'tools' },
        h(
          'button',
          { type: 'button', class: 'lang-switch link-button', lang: other, onclick: switchLanguage },
          t('lang.switch'),
        ),
        h('span', { class: 'who' }, user.name, ' · ', t(`role.${user.role}`)),
        h('button', { type: 'button', class: 'secondary', onclick: logout }, t('nav.logout')),
      ),
    ),
    main,
    h('footer', { class: 'footer' }, t('app.footer')),
  ];
}

function forbiddenView({ main, setTitle: title }) {
  title(t('forbidden.title'));
  replace(
    main,
    h('h1', { tabindex: '-1' }, t('forbidden.title')),
    h('p', { class: 'notice' }, t('forbidden.text')),
    h('p', null, h('a', { href: '/console/dashboard' }, t('forbidden.back'))),
  );
}

function notFoundView({ main, setTitle: title }) {
  title(t('notfound.title'));
  replace(
    main,
    h('h1', { tabindex: '-1' }, t('notfound.title')),
    h('p', null, h('a', { href: '/console/dashboard' }, t('forbidden.back'))),
  );
}

/* Renders the current address. */
async function render({ focus = true } = {}) {
  const path = location.pathname;
  let route = null;
  let params = [];
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (m) {
      route = r;
      params = m.slice(1);
      break;
    }
  }
  if (route && route.redirect) {
    navigate(route.redirect, { replace: true, focus });
    return;
  }
  if (!route || !route.bare) {
    if (!state.user) {
      try {
        state.user = (await api('GET', '/api/v1/session', undefined, { quiet: true })).user;
      } catch (e) {
        if (e.status === 401) {
          navigate(loginUrl(null), { replace: true });
          return;
        }
        replace(app, h('main', { id: 'main' }, h('p', { class: 'error', role: 'alert' }, t('error.network'))));
        return;
      }
    }
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  const query = new URLSearchParams(location.search);
  const ctx = {
    main,
    params,
    query,
    user: state.user,
    navigate,
    setTitle,
    safeNext,
    onLogin: (user) => {
      state.user = user;
      navigate(safeNext(query.get('next')), { replace: true });
    },
  };
  let view = route ? route.view : notFoundView;
  if (route && !allowed(route.roles)) view = forbiddenView;
  if (route && route.bare) {
    replace(app, main);
  } else {
    replace(app, frame(route || {}, main));
  }
  state.expiring = false;
  try {
    await view(ctx);
  } catch (e) {
    if (e.status === 401) return; /* the unauthenticated handler has taken over */
    console.error(e);
    main.append(h('p', { class: 'error', role: 'alert' }, e.status === 404 ? t('error.not_found') : t('error.generic')));
  }
  /* The new page's heading takes the focus, unless the user has already put it somewhere on the
   * page while the view was loading (typing a search on a slow line): moving it then would send
   * the rest of their typing nowhere. */
  const active = document.activeElement;
  if (focus && (active === null || active === document.body || !app.contains(active))) {
    const heading = main.querySelector('h1');
    (heading || main).focus();
  }
}

/* Follows links to console pages without reloading. */
document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest('a[href]');
  if (!a || a.target || a.origin !== location.origin || !a.pathname.startsWith('/console')) return;
  if (a.hash && a.pathname === location.pathname && !a.search) return;
  ev.preventDefault();
  navigate(a.pathname + a.search);
});

window.addEventListener('popstate', () => render());

setUnauthenticatedHandler(() => {
  if (state.expiring || location.pathname === '/console/login') return;
  state.expiring = true;
  state.user = null;
  navigate(loginUrl('expired'), { replace: true });
});

async function start() {
  await loadLang(preferredLang());
  if (currentLang() !== document.documentElement.lang) document.documentElement.lang = currentLang();
  await render({ focus: false });
}

start();
