/*
 * crises.js - the crises: their list (open ones first, or all) and the form that opens one by
 * choosing its kind, name, countries (added one by one from a list, removed with a button),
 * regions and lead mission (POST /api/v1/crises). Every role sees the list; opening a crisis is
 * for those who may act (an officer within the mission's jurisdiction: the API answers 403
 * otherwise, shown next to the countries).
 */
import { api, query } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, formatDateTime, t } from '../i18n.js';
import { splitList } from '../validation.js';
import { allowed } from './main.js';
import { countryOptions, selectOf } from './people.js';
import { FieldForm } from './person-form.js';
import { PERSONAL } from './roles.js';

export const CRISIS_KINDS = ['armed_conflict', 'natural_disaster', 'unrest', 'trafficking', 'epidemic', 'accident', 'other'];

/* Every page of a list endpoint, up to max items. */
export async function fetchAll(path, params = {}, max = 2000) {
  const items = [];
  let after = '';
  do {
    const page = await api('GET', `${path}${query({ ...params, limit: 500, after })}`);
    items.push(...page.items);
    after = page.next || '';
  } while (after && items.length < max);
  return items;
}

export function crisisStatus(c) {
  return h('span', { class: `status crisis-${c.status}` }, t(`crisis.status_${c.status}`));
}

export async function crisesView({ main, query: q, setTitle }) {
  setTitle(t('crises.title'));
  const which = q.get('status') === 'all' ? 'all' : 'open';
  const crises = await fetchAll('/api/v1/crises', { status: which });
  const filter = h(
    'p',
    { class: 'tabs' },
    h('a', { href: '/console/crises', 'aria-current': which === 'open' ? 'page' : null }, t('crises.open_only')),
    ' ',
    h('a', { href: '/console/crises?status=all', 'aria-current': which === 'all' ? 'page' : null }, t('crises.all')),
  );
  const table = crises.length
    ? h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-labelledby': 'crises-caption', tabindex: '0' },
        h(
          'table',
          { class: 'crises' },
          h('caption', { id: 'crises-caption', class: 'visually-hidden' }, t('crises.title')),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['crisis.name', 'crisis.kind', 'crisis.countries', 'crisis.status', 'crisis.opened_at'].map((k) =>
                h('th', { scope: 'col' }, t(k)),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            crises.map((c) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: `/console/crises/${c.id}` }, c.name)),
                h('td', null, t(`crisis_kind.${c.kind}`)),
                h('td', null, c.countries.map(countryName).join(', ')),
                h('td', null, crisisStatus(c)),
                h('td', null, formatDateTime(c.opened_at)),
              ),
            ),
          ),
        ),
      )
    : h('p', null, t(which === 'all' ? 'crises.none_all' : 'crises.none'));
  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('crises.title')),
      allowed(PERSONAL) ? h('a', { class: 'button', href: '/console/crises/new' }, t('crises.new')) : null,
    ),
    filter,
    table,
  );
}

/*
 * A chooser of countries: a select and an "add" button build a list of chosen countries, each
 * with its own remove button, all usable with the keyboard. chosen() gives the codes.
 */
function countryChooser(id, initial) {
  const chosen = [...initial];
  const select = selectOf(id, 'country', countryOptions(), '', t('form.choose'));
  const list = h('ul', { class: 'chosen', 'aria-live': 'polite' });
  function draw() {
    replace(
      list,
      chosen.map((code) =>
        h(
          'li',
          null,
          h('span', null, countryName(code)),
          h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              'aria-label': t('crises.remove_country', { country: countryName(code) }),
              onclick: () => {
                chosen.splice(chosen.indexOf(code), 1);
                draw();
                select.focus();
              },
            },
            t('crises.remove'),
          ),
        ),
      ),
    );
  }
  const add = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        if (select.value && !chosen.includes(select.value)) chosen.push(select.value);
        select.value = '';
        draw();
        select.focus();
      },
    },
    t('crises.add_country'),
  );
  draw();
  return { select, add, list, chosen: () => [...chosen] };
}

export async function crisisFormView({ main, user, navigate, setTitle }) {
  setTitle(t('crises.new_title'));
  const missions = await fetchAll('/api/v1/missions');
  const f = new FieldForm();
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
  const kind = selectOf('x', 'kind', CRISIS_KINDS.map((k) => [k, t(`crisis_kind.${k}`)]), '', t('form.choose'));
  const description = h('textarea', { name: 'description', rows: '3', maxlength: '4000' });
  const countries = countryChooser('x', []);
  const regions = h('input', { type: 'text', name: 'regions', autocomplete: 'off' });
  const lead = selectOf('x', 'lead_mission', missions.map((m) => [m.id, m.name]), user.mission || '', t('crises.no_lead'));
  const submit = h('button', { type: 'submit' }, t('crises.create'));

  const countryField = f.field('countries', 'crisis.countries', countries.select, 'crises.countries_hint');
  countryField.append(h('div', { class: 'actions' }, countries.add), countries.list);

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    const body = {
      name: name.value.trim(),
      kind: kind.value,
      description: description.value.trim() || null,
      countries: countries.chosen(),
      regions: splitList(regions.value),
      lead_mission: lead.value || null,
    };
    /* A country chosen in the list but not yet added is what the officer means. */
    if (countries.select.value && !body.countries.includes(countries.select.value)) body.countries.push(countries.select.value);
    submit.disabled = true;
    try {
      const res = await api('POST', '/api/v1/crises', body);
      navigate(`/console/crises/${res.id}`);
    } catch (e) {
      if (e.status !== 401) f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/crises' }, t('crises.title'))),
    h('h1', { tabindex: '-1' }, t('crises.new_title')),
    h(
      'form',
      { class: 'stack crisis-form', onsubmit: onSubmit, novalidate: true },
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('crises.what')),
        f.field('kind', 'crisis.kind', kind),
        f.field('name', 'crisis.name', name),
        f.field('description', 'crisis.description', description),
      ),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('crises.where')),
        countryField,
        f.field('regions', 'crisis.regions', regions, 'crises.regions_hint'),
      ),
      h('fieldset', { class: 'group' }, h('legend', null, t('crises.who')), f.field('lead_mission', 'crisis.lead_mission', lead)),
      f.summary,
      h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: '/console/crises' }, t('form.cancel'))),
    ),
  );
}
