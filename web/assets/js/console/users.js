/*
 * users.js - the officers' accounts, for administrators: name, e-mail, role, mission and
 * whether the account is disabled (GET /api/v1/users, paged).
 */
import { api, query } from '../api.js';
import { h, replace } from '../dom.js';
import { formatDateTime, t } from '../i18n.js';

export async function usersView({ main, setTitle }) {
  setTitle(t('users.title'));
  const missions = new Map();
  let after = '';
  do {
    const page = await api('GET', `/api/v1/missions${query({ limit: 500, after })}`);
    page.items.forEach((m) => missions.set(m.id, m.name));
    after = page.next || '';
  } while (after);

  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('people.more'));
  let next = '';

  async function load() {
    const page = await api('GET', `/api/v1/users${query({ limit: 100, after: next })}`);
    page.items.forEach((u) =>
      tbody.append(
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, u.name),
          h('td', null, u.email),
          h('td', null, t(`role.${u.role}`)),
          h('td', null, missions.get(u.mission) || ''),
          h('td', null, u.disabled ? t('users.disabled') : t('users.active')),
          h('td', null, formatDateTime(u.created_at)),
        ),
      ),
    );
    next = page.next || '';
    more.hidden = !next;
  }
  more.addEventListener('click', () => load());

  replace(
    main,
    h('h1', { tabindex: '-1' }, t('users.title')),
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-labelledby': 'users-caption', tabindex: '0' },
      h(
        'table',
        null,
        h('caption', { id: 'users-caption', class: 'visually-hidden' }, t('users.title')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['users.name', 'users.email', 'users.role', 'users.mission', 'users.state', 'users.created'].map((k) =>
              h('th', { scope: 'col' }, t(k)),
            ),
          ),
        ),
        tbody,
      ),
    ),
    more,
  );
  await load();
}
