/*
 * evac.js - evacuation: the transports and the staging sites (figures only: every role sees
 * them; the roles that may create and edit them also get the forms of evac-forms.js), one
 * transport with its capacity, its seats shared with partner countries, its manifest and whom to book next (the API's suggestions in priority
 * order with their reasons; a family is booked in one go, all or nothing), each entry moved
 * along booked -> boarded -> arrived (or no-show), and the arrival of the transport; one site
 * with its occupancy and the persons checked in, checked in and out.
 * Manifests, suggestions and the persons at a site are personal data: only the roles that may see
 * it get those parts (the API audits the reads). A refusal (409: not enough seats, a person booked
 * elsewhere) is shown next to the action that caused it, in the reader's language.
 */
import { api, query } from '../api.js';
import { debounce, h, replace } from '../dom.js';
import { countryName, currentLang, formatDateTime, formatNumber, t } from '../i18n.js';
import { fetchAll } from './crises.js';
import { seatLines, siteCreateForm, siteEditForm, transportCreateForm, transportEditForm } from './evac-forms.js';
import { allowed } from './main.js';
import { statusBadge } from './people.js';
import { PERSONAL } from './roles.js';

const SUGGESTIONS = 50;
/* The next statuses of a manifest entry (the table of src/domain/evac.c). */
const ENTRY_NEXT = { booked: ['boarded', 'no_show', 'cancelled'], boarded: ['arrived'] };

/* The reader's half of the API's refusal "Vietnamese text / English text". */
export function readerMessage(err) {
  const msg = (err && err.message) || '';
  const cut = msg.indexOf(' / ');
  if (cut < 0) return msg || t('error.generic');
  return currentLang() === 'vi' ? msg.slice(0, cut) : msg.slice(cut + 3);
}

/* Says text in the page's live region and moves the focus there. */
function say(live, text) {
  live.textContent = text;
  live.focus();
}

/* What an edit form does once saved: keeps the answer (keep), draws the page again, says savedKey. */
function afterSave(keep, refresh, live, savedKey) {
  return async (saved) => {
    keep(saved);
    await refresh();
    say(live, t(savedKey));
  };
}

function errorText(e) {
  if (e.status === 409) return readerMessage(e);
  if (e.status === 404) return t('error.not_found');
  return t('error.generic');
}

/* A capacity bar: a <meter> with its figures written out beside it. */
function capacityBar(id, used, capacity, textKey) {
  return h(
    'div',
    { class: 'capacity' },
    h('meter', { id, min: '0', max: String(capacity), value: String(Math.min(used, capacity)), high: String(Math.ceil(capacity * 0.9)), optimum: '0', 'aria-describedby': `${id}-text` }),
    h(
      'p',
      { id: `${id}-text`, class: 'capacity-text' },
      t(textKey, { used: formatNumber(used), capacity: formatNumber(capacity), free: formatNumber(Math.max(capacity - used, 0)) }),
    ),
  );
}

function transportTitle(tr) {
  return t('transport.title', {
    mode: t(`transport_mode.${tr.mode}`),
    reference: tr.reference || '',
    from: tr.origin.place || countryName(tr.origin.country),
    to: tr.destination.place || countryName(tr.destination.country),
  });
}

function table(id, caption, heads, rows) {
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': id, tabindex: '0' },
    h(
      'table',
      null,
      h('caption', { id }, caption),
      h('thead', null, h('tr', null, heads.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', null, rows),
    ),
  );
}

export async function evacView({ main, navigate, setTitle }) {
  setTitle(t('evac.title'));
  const creates = allowed(PERSONAL);
  const [transports, sites, crises] = await Promise.all([
    fetchAll('/api/v1/transports'),
    fetchAll('/api/v1/sites'),
    creates ? fetchAll('/api/v1/crises', { status: 'open' }) : [],
  ]);
  replace(
    main,
    h('h1', { tabindex: '-1' }, t('evac.title')),
    h(
      'section',
      { 'aria-labelledby': 'transports-h' },
      h('h2', { id: 'transports-h' }, t('evac.transports')),
      transports.length
        ? table(
            'transports-caption',
            t('evac.transports'),
            ['transport.name', 'transport.status', 'transport.departure_at', 'transport.seats'],
            transports.map((tr) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: `/console/evacuation/transports/${tr.id}` }, transportTitle(tr))),
                h('td', null, h('span', { class: `status transport-${tr.status}` }, t(`transport_status.${tr.status}`))),
                h('td', null, formatDateTime(tr.departure_at)),
                h('td', { class: 'num' }, t('transport.seats_short', { used: formatNumber(tr.seats_taken), capacity: formatNumber(tr.capacity) })),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('evac.no_transports')),
      creates ? transportCreateForm(crises, navigate) : null,
    ),
    h(
      'section',
      { 'aria-labelledby': 'sites-h' },
      h('h2', { id: 'sites-h' }, t('evac.sites')),
      sites.length
        ? table(
            'sites-caption',
            t('evac.sites'),
            ['site.name', 'site.kind', 'field.country', 'site.occupancy'],
            sites.map((s) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: `/console/evacuation/sites/${s.id}` }, s.name)),
                h('td', null, t(`site_kind.${s.kind}`)),
                h('td', null, countryName(s.country)),
                h('td', { class: 'num' }, t('transport.seats_short', { used: formatNumber(s.occupancy), capacity: formatNumber(s.capacity) })),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('evac.no_sites')),
      creates ? siteCreateForm(crises, navigate) : null,
    ),
  );
}

/* Groups the suggestions into families (adjacent items sharing a group_id) and single persons. */
function groupsOf(items) {
  const groups = [];
  for (const s of items) {
    const last = groups[groups.length - 1];
    if (s.group_id && last && last[0].group_id === s.group_id) last.push(s);
    else groups.push([s]);
  }
  return groups;
}

function reasonText(reason) {
  const m = /^family_of_(\w+)$/.exec(reason);
  if (m) return t('evac.reason_family', { reason: t(`evac.reason_${m[1]}`) });
  return t(`evac.reason_${reason}`);
}

export async function transportView({ main, params, setTitle }) {
  const id = params[0];
  const personal = allowed(PERSONAL);
  let [tr, crises] = await Promise.all([
    api('GET', `/api/v1/transports/${id}`),
    personal ? fetchAll('/api/v1/crises', { status: 'open' }) : [],
  ]);
  const head = h('div');
  const editBox = h('div');
  const figures = h('div');
  const manifestBox = h('div');
  const suggestionsBox = h('div');
  const live = h('p', { role: 'status', class: 'success', id: 'transport-live', tabindex: '-1' });

  function drawHead() {
    setTitle(transportTitle(tr));
    replace(
      head,
      h('h1', { tabindex: '-1' }, transportTitle(tr)),
      h('p', { class: 'current-status' }, t('transport.status'), ' ', h('span', { class: `status transport-${tr.status}` }, t(`transport_status.${tr.status}`))),
    );
    const counts = tr.counts || {};
    replace(
      figures,
      capacityBar('transport-capacity', tr.seats_taken, tr.capacity, 'transport.capacity_text'),
      h(
        'dl',
        { class: 'details' },
        h('dt', null, t('transport.purpose')),
        h('dd', null, t(`transport_purpose.${tr.purpose}`)),
        h('dt', null, t('transport.provider')),
        h('dd', null, t(`transport_provider.${tr.provider}`), tr.partner_country ? ` (${countryName(tr.partner_country)})` : ''),
        h('dt', null, t('transport.route')),
        h('dd', null, `${tr.origin.place} (${countryName(tr.origin.country)}) → ${tr.destination.place} (${countryName(tr.destination.country)})`),
        h('dt', null, t('transport.departure_at')),
        h('dd', null, formatDateTime(tr.departure_at)),
        tr.arrival_at ? [h('dt', null, t('transport.arrival_at')), h('dd', null, formatDateTime(tr.arrival_at))] : null,
        h('dt', null, t('transport.seats_legend')),
        h('dd', { id: 'transport-seats' }, tr.seats && tr.seats.length ? h('ul', { class: 'plain' }, seatLines(tr.seats).map((line) => h('li', null, line))) : t('transport.seats_none')),
        tr.notes ? [h('dt', null, t('site.notes')), h('dd', null, tr.notes)] : null,
        h('dt', null, t('transport.entries')),
        h(
          'dd',
          null,
          ['booked', 'boarded', 'arrived', 'no_show', 'cancelled']
            .filter((k) => counts[k])
            .map((k) => `${t(`entry_status.${k}`)}: ${formatNumber(counts[k])}`)
            .join(' · ') || t('transport.no_entries'),
        ),
      ),
      personal && (tr.status === 'planned' || tr.status === 'departed') ? arriveForm() : null,
    );
    /* The edit form, drawn again with what is stored after each change. */
    replace(editBox, personal ? transportEditForm(tr, crises, afterSave((x) => (tr = x), refresh, live, 'transport.saved')) : null);
  }

  function arriveForm() {
    const error = h('p', { class: 'error', role: 'alert', hidden: true, id: 'arrive-error' });
    const button = h('button', { type: 'button', 'aria-describedby': 'arrive-hint arrive-error' }, t('transport.arrive'));
    button.addEventListener('click', async () => {
      error.hidden = true;
      button.disabled = true;
      try {
        const res = await api('POST', `/api/v1/transports/${id}/arrive`);
        tr = res.transport;
        await refresh();
        say(live, t('transport.arrived', { persons: formatNumber(res.arrival.persons), entries: formatNumber(res.arrival.entries) }));
      } catch (e) {
        if (e.status === 401) return;
        error.textContent = errorText(e);
        error.hidden = false;
        button.disabled = false;
      }
    });
    return h('div', { class: 'arrive' }, h('p', { class: 'hint', id: 'arrive-hint' }, t('transport.arrive_hint')), button, error);
  }

  async function drawManifest() {
    const entries = await fetchAll(`/api/v1/transports/${id}/manifest`);
    const rows = entries.map((e) => {
      const error = h('span', { class: 'field-error', role: 'alert', id: `entry-${e.id}-error` });
      const buttons = (ENTRY_NEXT[e.status] || []).map((next) =>
        h(
          'button',
          {
            type: 'button',
            class: next === 'cancelled' || next === 'no_show' ? 'secondary' : null,
            'aria-describedby': `entry-${e.id}-error`,
            onclick: async (ev) => {
              const button = ev.currentTarget;
              button.disabled = true;
              try {
                await api('PATCH', `/api/v1/transports/${id}/manifest/${e.id}`, { status: next });
                await refresh();
                say(live, t('entry.saved', { name: e.full_name, status: t(`entry_status.${next}`) }));
              } catch (err) {
                if (err.status === 401) return;
                error.textContent = errorText(err);
                button.disabled = false;
              }
            },
          },
          t(`entry.to_${next}`, { name: e.full_name }),
        ),
      );
      return h(
        'tr',
        { 'data-entry': e.id },
        h('th', { scope: 'row' }, e.person_id ? h('a', { href: `/console/people/${e.person_id}` }, e.full_name) : e.full_name),
        h('td', null, countryName(e.nationality)),
        h('td', { class: 'num' }, formatNumber(e.booking)),
        h('td', null, h('span', { class: `status entry-${e.status}` }, t(`entry_status.${e.status}`))),
        h('td', { class: 'entry-actions' }, buttons, error),
      );
    });
    replace(
      manifestBox,
      entries.length
        ? table('manifest-caption', t('transport.manifest'), ['field.full_name', 'transport.nationality', 'transport.booking', 'field.status', 'transport.actions'], rows)
        : h('p', { class: 'muted' }, t('transport.manifest_empty')),
    );
  }

  async function drawSuggestions() {
    if (tr.status !== 'planned') {
      replace(suggestionsBox, h('p', { class: 'muted' }, t('transport.no_booking')));
      return;
    }
    const res = await api('GET', `/api/v1/transports/${id}/manifest/suggestions${query({ limit: SUGGESTIONS })}`);
    const groups = groupsOf(res.items);
    replace(
      suggestionsBox,
      groups.length === 0
        ? h('p', { class: 'muted' }, t('transport.no_suggestions'))
        : h(
            'ol',
            { class: 'suggestions' },
            groups.map((g, i) => {
              const errId = `suggestion-${i}-error`;
              const error = h('p', { class: 'field-error', role: 'alert', id: errId, hidden: true });
              const names = g.map((s) => s.full_name).join(', ');
              const button = h(
                'button',
                { type: 'button', 'aria-describedby': errId },
                g.length > 1 ? t('transport.book_family', { n: formatNumber(g.length) }) : t('transport.book_one'),
                h('span', { class: 'visually-hidden' }, `: ${names}`),
              );
              button.addEventListener('click', async () => {
                error.hidden = true;
                button.disabled = true;
                try {
                  await api('POST', `/api/v1/transports/${id}/manifest`, { persons: g.map((s) => ({ person_id: s.person_id })) });
                  await refresh();
                  say(live, t('transport.booked', { names }));
                } catch (e) {
                  if (e.status === 401) return;
                  error.textContent = errorText(e);
                  error.hidden = false;
                  button.disabled = false;
                }
              });
              return h(
                'li',
                { class: g.length > 1 ? 'family' : null },
                g.length > 1 ? h('p', { class: 'family-label' }, t('transport.family', { n: formatNumber(g.length) })) : null,
                h(
                  'ul',
                  null,
                  g.map((s) =>
                    h(
                      'li',
                      null,
                      h('a', { href: `/console/people/${s.person_id}` }, s.full_name),
                      ' · ',
                      h('span', { class: 'reason' }, reasonText(s.reason)),
                      ' ',
                      statusBadge(s.status),
                    ),
                  ),
                ),
                button,
                error,
              );
            }),
          ),
    );
  }

  async function refresh() {
    tr = await api('GET', `/api/v1/transports/${id}`);
    drawHead();
    if (personal) await Promise.all([drawManifest(), drawSuggestions()]);
  }

  drawHead();
  if (personal) await Promise.all([drawManifest(), drawSuggestions()]);
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/evacuation' }, t('evac.title'))),
    head,
    live,
    figures,
    editBox,
    personal
      ? [
          h('section', { 'aria-labelledby': 'manifest-h' }, h('h2', { id: 'manifest-h' }, t('transport.manifest')), manifestBox),
          h(
            'section',
            { 'aria-labelledby': 'suggestions-h' },
            h('h2', { id: 'suggestions-h' }, t('transport.suggestions')),
            h('p', { class: 'hint' }, t('transport.suggestions_hint')),
            suggestionsBox,
          ),
        ]
      : null,
  );
}

export async function siteView({ main, params, setTitle }) {
  const id = params[0];
  const personal = allowed(PERSONAL);
  let [site, crises] = await Promise.all([api('GET', `/api/v1/sites/${id}`), personal ? fetchAll('/api/v1/crises', { status: 'open' }) : []]);
  const title = h('h1', { tabindex: '-1' });
  const editBox = h('div');
  const figures = h('div');
  const people = h('div');
  const live = h('p', { role: 'status', class: 'success', id: 'site-live', tabindex: '-1' });

  function drawFigures() {
    setTitle(site.name);
    replace(title, site.name);
    replace(editBox, personal ? siteEditForm(site, crises, afterSave((x) => (site = x), refresh, live, 'site.saved')) : null);
    replace(
      figures,
      capacityBar('site-occupancy', site.occupancy, site.capacity, 'site.occupancy_text'),
      h(
        'dl',
        { class: 'details' },
        h('dt', null, t('site.kind')),
        h('dd', null, t(`site_kind.${site.kind}`)),
        h('dt', null, t('field.country')),
        h('dd', null, countryName(site.country)),
        site.region ? [h('dt', null, t('field.region')), h('dd', null, site.region)] : null,
        site.notes ? [h('dt', null, t('site.notes')), h('dd', null, site.notes)] : null,
      ),
    );
  }

  async function drawPeople() {
    const items = await fetchAll(`/api/v1/sites/${id}/people`, { present: 'true' });
    replace(
      people,
      items.length
        ? table(
            'site-people-caption',
            t('site.present'),
            ['field.full_name', 'field.status', 'site.checked_in_at', 'transport.actions'],
            items.map((p) => {
              const error = h('span', { class: 'field-error', role: 'alert', id: `out-${p.person_id}-error` });
              return h(
                'tr',
                null,
                h('th', { scope: 'row' }, h('a', { href: `/console/people/${p.person_id}` }, p.full_name)),
                h('td', null, statusBadge(p.status)),
                h('td', null, formatDateTime(p.checked_in_at)),
                h(
                  'td',
                  null,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      'aria-describedby': `out-${p.person_id}-error`,
                      onclick: async () => {
                        try {
                          await api('POST', `/api/v1/sites/${id}/checkouts`, { person_id: p.person_id });
                          await refresh();
                          say(live, t('site.checked_out', { name: p.full_name }));
                        } catch (e) {
                          if (e.status !== 401) error.textContent = errorText(e);
                        }
                      },
                    },
                    t('site.check_out', { name: p.full_name }),
                  ),
                  error,
                ),
              );
            }),
          )
        : h('p', { class: 'muted' }, t('site.nobody')),
    );
  }

  async function refresh() {
    site = await api('GET', `/api/v1/sites/${id}`);
    drawFigures();
    if (personal) await drawPeople();
  }

  /* Check-in: find a person as one types, then check them in. */
  function checkinForm() {
    const search = h('input', { type: 'search', id: 'site-person-q', autocomplete: 'off', 'aria-describedby': 'site-person-hint checkin-error' });
    const results = h('ul', { class: 'person-results', id: 'site-person-results' });
    const error = h('p', { class: 'error', role: 'alert', id: 'checkin-error', hidden: true });
    let seq = 0;
    search.addEventListener(
      'input',
      debounce(async () => {
        const mine = ++seq;
        const q = search.value.trim();
        if (q.length < 2) return replace(results);
        try {
          const res = await api('GET', `/api/v1/persons${query({ q, limit: 8 })}`);
          if (mine !== seq) return;
          replace(
            results,
            res.items.length === 0
              ? h('li', { class: 'muted' }, t('people.none'))
              : res.items.map((p) =>
                  h(
                    'li',
                    null,
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'secondary',
                        onclick: async () => {
                          error.hidden = true;
                          try {
                            await api('POST', `/api/v1/sites/${id}/checkins`, { person_id: p.id });
                            replace(results);
                            search.value = '';
                            await refresh();
                            say(live, t('site.checked_in', { name: p.full_name }));
                          } catch (e) {
                            if (e.status === 401) return;
                            error.textContent = errorText(e);
                            error.hidden = false;
                          }
                        },
                      },
                      t('site.check_in', { name: p.full_name }),
                    ),
                  ),
                ),
          );
        } catch (e) {
          if (e.status !== 401) replace(results, h('li', { class: 'error' }, t('error.generic')));
        }
      }, 250),
    );
    return h(
      'section',
      { 'aria-labelledby': 'checkin-h' },
      h('h2', { id: 'checkin-h' }, t('site.checkin_title')),
      h('div', { class: 'field' }, h('label', { for: 'site-person-q' }, t('case.find_person')), search, h('p', { class: 'hint', id: 'site-person-hint' }, t('case.find_person_hint'))),
      results,
      error,
    );
  }

  drawFigures();
  if (personal) await drawPeople();
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/evacuation' }, t('evac.title'))),
    title,
    live,
    figures,
    editBox,
    personal ? [checkinForm(), h('section', { 'aria-labelledby': 'present-h' }, h('h2', { id: 'present-h' }, t('site.present')), people)] : null,
  );
}
