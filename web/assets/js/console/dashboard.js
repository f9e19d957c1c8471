/*
 * dashboard.js - the situation at a glance: a world map (Natural Earth shapes projected at build
 * time, see web/tools/build-map.mjs) with each country coloured by its current travel advisory
 * level (GET /api/v1/advisories) and a circle sized by its registered citizens (GET
 * /api/v1/stats/persons), the open crises with their accountability funnels, and the figures per
 * country in a table. Aggregate figures only: every role may see them.
 */
import { api } from '../api.js';
import { h, replace, svg } from '../dom.js';
import { compareText, countryName, formatNumber, t } from '../i18n.js';
import vendor from '../../vendor/index.js';
import { LEVELS, levelBadge } from './advisories.js';
import { fetchAll } from './crises.js';
import { funnel } from './funnel.js';
import { allowed } from './main.js';
import { PERSONAL } from './roles.js';

const STATUSES_OF_CONCERN = ['needs_assistance', 'injured', 'missing', 'detained'];
const MAX_RADIUS = 22; /* map units (the map is 960 wide) of the circle of the largest country */
const CRISES_SHOWN = 6;

let worldCache = null;

async function loadWorld() {
  if (!vendor.world) return null;
  if (!worldCache) {
    const res = await fetch(vendor.world, { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    worldCache = await res.json();
  }
  return worldCache;
}

/*
 * The level of each country: its country-wide advisory, else the highest of its regions'
 * (marked partial). Returns Map code -> {level, partial}.
 */
export function levelsByCountry(advisories) {
  const out = new Map();
  for (const a of advisories) {
    const had = out.get(a.country);
    if (!a.region) {
      out.set(a.country, { level: a.level, partial: false });
    } else if (!had || (had.partial && a.level > had.level)) {
      out.set(a.country, { level: a.level, partial: true });
    }
  }
  return out;
}

function radius(n, max) {
  return n > 0 && max > 0 ? Math.max(2, MAX_RADIUS * Math.sqrt(n / max)) : 0;
}

function mapFigure(world, totals, levels) {
  const titleId = 'map-title';
  const max = Math.max(0, ...totals.values());
  const label = (id) => {
    const lv = levels.get(id);
    const parts = [countryName(id)];
    if (lv) parts.push(`${t('advisory.level_n', { n: lv.level })}${lv.partial ? ` (${t('dashboard.partial')})` : ''}`);
    parts.push(t('dashboard.citizens_n', { n: formatNumber(totals.get(id) || 0) }));
    return parts.join(' · ');
  };
  const shapes = world.countries.map((c) => {
    const lv = levels.get(c.id);
    return svg(
      'path',
      { d: c.d, class: `land lv${lv ? lv.level : 0}`, 'data-country': c.id || null, 'data-level': lv ? lv.level : 0 },
      c.id ? svg('title', null, label(c.id)) : null,
    );
  });
  const circles = world.countries
    .filter((c) => c.id && c.c && (totals.get(c.id) || 0) > 0)
    .map((c) =>
      svg(
        'circle',
        { cx: c.c[0], cy: c.c[1], r: radius(totals.get(c.id), max).toFixed(1), class: 'citizens', 'data-country': c.id },
        svg('title', null, label(c.id)),
      ),
    );
  const legend = h(
    'ul',
    { class: 'legend' },
    h('li', null, h('span', { class: 'swatch lv0' }), t('dashboard.legend_no_advisory')),
    LEVELS.map((n) => h('li', null, h('span', { class: `swatch lv${n}` }), levelBadge(n))),
    h('li', null, h('span', { class: 'swatch circle' }), t('dashboard.legend_circle')),
  );
  return h(
    'figure',
    { class: 'map' },
    svg(
      'svg',
      { viewBox: `0 0 ${world.width} ${world.height}`, role: 'img', 'aria-labelledby': titleId },
      svg('title', { id: titleId }, t('dashboard.map_label')),
      shapes,
      circles,
    ),
    h('figcaption', null, t('dashboard.map_caption'), legend),
  );
}

async function openCrises() {
  const crises = (await fetchAll('/api/v1/crises', { status: 'open' }, 50)).slice(0, CRISES_SHOWN);
  const accs = await Promise.all(crises.map((c) => api('GET', `/api/v1/crises/${c.id}/accountability`).catch(() => null)));
  if (crises.length === 0) return h('p', { class: 'muted' }, t('crises.none'));
  return h(
    'ul',
    { class: 'crisis-cards' },
    crises.map((c, i) =>
      h(
        'li',
        null,
        h('h3', null, h('a', { href: `/console/crises/${c.id}` }, c.name)),
        accs[i] ? funnel(accs[i], { compact: true }) : h('p', { class: 'muted' }, t('error.generic')),
      ),
    ),
  );
}

function countryTable(rows, canSeePeople, levels) {
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': 'by-country', tabindex: '0' },
    h(
      'table',
      null,
      h('caption', { id: 'by-country' }, t('dashboard.by_country')),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('field.country')),
          h('th', { scope: 'col' }, t('advisory.level')),
          h('th', { scope: 'col', class: 'num' }, t('dashboard.registered')),
          h('th', { scope: 'col', class: 'num' }, t('dashboard.of_concern')),
          h('th', { scope: 'col' }, t('dashboard.by_status')),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            null,
            h(
              'th',
              { scope: 'row' },
              canSeePeople ? h('a', { href: `/console/people?country=${r.code}` }, r.name) : r.name,
            ),
            h('td', null, levels.has(r.code) ? levelBadge(levels.get(r.code).level) : ''),
            h('td', { class: 'num' }, formatNumber(r.total)),
            h('td', { class: 'num' }, formatNumber(r.concern)),
            h(
              'td',
              null,
              h(
                'ul',
                { class: 'chips' },
                Object.entries(r.statuses)
                  .sort((a, b) => b[1] - a[1])
                  .map(([s, n]) => h('li', { class: `status status-${s}` }, `${t(`status.${s}`)} ${formatNumber(n)}`)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function dashboardView({ main, setTitle }) {
  setTitle(t('dashboard.title'));
  const heading = h('h1', { tabindex: '-1' }, t('dashboard.title'));
  replace(main, heading, h('p', { class: 'muted', role: 'status' }, t('common.loading')));
  const [stats, world, advisories, crises] = await Promise.all([
    api('GET', '/api/v1/stats/persons'),
    loadWorld().catch(() => null),
    fetchAll('/api/v1/advisories'),
    openCrises(),
  ]);
  const levels = levelsByCountry(advisories);
  const rows = Object.entries(stats.by_country || {}).map(([code, statuses]) => {
    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const concern = STATUSES_OF_CONCERN.reduce((a, s) => a + (statuses[s] || 0), 0);
    return { code, name: countryName(code), statuses, total, concern };
  });
  rows.sort((a, b) => b.total - a.total || compareText(a.name, b.name));
  const totals = new Map(rows.map((r) => [r.code, r.total]));
  const sum = (f) => rows.reduce((a, r) => a + f(r), 0);
  const cards = h(
    'ul',
    { class: 'cards' },
    h('li', null, h('span', { class: 'figure' }, formatNumber(sum((r) => r.total))), t('dashboard.card_registered')),
    h('li', null, h('span', { class: 'figure' }, formatNumber(rows.length)), t('dashboard.card_countries')),
    h('li', { class: 'concern' }, h('span', { class: 'figure' }, formatNumber(sum((r) => r.concern))), t('dashboard.card_concern')),
  );
  replace(
    main,
    heading,
    cards,
    h('section', { 'aria-labelledby': 'open-crises-h' }, h('h2', { id: 'open-crises-h' }, t('dashboard.open_crises')), crises),
    world ? mapFigure(world, totals, levels) : h('p', { class: 'notice' }, t('dashboard.no_map')),
    rows.length ? countryTable(rows, allowed(PERSONAL), levels) : h('p', null, t('dashboard.empty')),
  );
}
