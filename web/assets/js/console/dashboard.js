/*
 * dashboard.js - the situation at a glance: citizens registered per country on a world map
 * (Natural Earth shapes projected at build time, see web/tools/build-map.mjs) and in a table,
 * from GET /api/v1/stats/persons (aggregate figures only: every role may see them).
 */
import { api } from '../api.js';
import { h, replace, svg } from '../dom.js';
import { compareText, countryName, formatNumber, t } from '../i18n.js';
import vendor from '../../vendor/index.js';
import { allowed } from './main.js';

const STATUSES_OF_CONCERN = ['needs_assistance', 'injured', 'missing', 'detained'];
const BUCKETS = [1, 10, 50, 200, 1000]; /* lower bounds of the map's colour classes 1..5 */

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

function bucketOf(count) {
  let b = 0;
  BUCKETS.forEach((min, i) => {
    if (count >= min) b = i + 1;
  });
  return b;
}

function mapFigure(world, totals) {
  const titleId = 'map-title';
  const shapes = world.countries.map((c) => {
    const n = totals.get(c.id) || 0;
    const label = c.id ? `${countryName(c.id)}: ${formatNumber(n)}` : '';
    return svg('path', { d: c.d, class: `land b${bucketOf(n)}` }, label ? svg('title', null, label) : null);
  });
  const legend = h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    h('li', null, h('span', { class: 'swatch b0' }), t('dashboard.legend_none')),
    BUCKETS.map((min, i) =>
      h(
        'li',
        null,
        h('span', { class: `swatch b${i + 1}` }),
        i + 1 < BUCKETS.length ? `${formatNumber(min)}–${formatNumber(BUCKETS[i + 1] - 1)}` : `≥ ${formatNumber(min)}`,
      ),
    ),
  );
  return h(
    'figure',
    { class: 'map' },
    svg(
      'svg',
      { viewBox: `0 0 ${world.width} ${world.height}`, role: 'img', 'aria-labelledby': titleId },
      svg('title', { id: titleId }, t('dashboard.map_label')),
      shapes,
    ),
    h('figcaption', null, t('dashboard.map_caption'), legend),
  );
}

function countryTable(rows, canSeePeople) {
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
  const [stats, world] = await Promise.all([api('GET', '/api/v1/stats/persons'), loadWorld().catch(() => null)]);
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
    world ? mapFigure(world, totals) : h('p', { class: 'notice' }, t('dashboard.no_map')),
    rows.length ? countryTable(rows, allowed(['admin', 'hq', 'officer'])) : h('p', null, t('dashboard.empty')),
  );
}
