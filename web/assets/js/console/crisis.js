/*
 * crisis.js - one crisis: where and what it is, the statement a spokesperson reads out, its
 * accountability funnel (in the area -> reached -> accounted for -> safe / need help), the curve
 * over time, the figures by region and by category, and, for those who may act on an open
 * crisis, the way to compose an alert and the alerts already sent. The figures refresh by themselves every 15 seconds while
 * the page is shown (aggregate figures only: every role may see them).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, currentLang, formatDateTime, formatNumber, t } from '../i18n.js';
import { crisisStatus } from './crises.js';
import { curve, funnel } from './funnel.js';
import { allowed } from './main.js';
import { PERSONAL } from './roles.js';

const REFRESH_MS = 15000;

function tallyTable(id, rows, keyName, label) {
  if (!rows || rows.length === 0) return null;
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': id, tabindex: '0' },
    h(
      'table',
      null,
      h('caption', { id }, t(label)),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t(keyName === 'region' ? 'field.region' : 'field.category')),
          h('th', { scope: 'col', class: 'num' }, t('funnel.in_area')),
          h('th', { scope: 'col', class: 'num' }, t('funnel.reached')),
          h('th', { scope: 'col', class: 'num' }, t('funnel.not_accounted')),
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
              r[keyName] === null ? t('crisis.unspecified') : keyName === 'category' ? t(`category.${r.category}`) : r.region,
            ),
            h('td', { class: 'num' }, formatNumber(r.total)),
            h('td', { class: 'num' }, formatNumber(r.reached)),
            h('td', { class: 'num' }, formatNumber(r.not_accounted_for)),
          ),
        ),
      ),
    ),
  );
}

/* The figures part of the page, redrawn at each refresh. */
function figures(c, acc) {
  return [
    h('p', { class: 'statement', lang: currentLang() }, acc.statement[currentLang()] || acc.statement.vi),
    h(
      'section',
      { 'aria-labelledby': 'funnel-h' },
      h('h2', { id: 'funnel-h' }, t('crisis.funnel')),
      funnel(acc),
      h('p', { class: 'muted' }, t('crisis.as_of', { time: formatDateTime(acc.as_of) })),
    ),
    h('section', { 'aria-labelledby': 'curve-h' }, h('h2', { id: 'curve-h' }, t('crisis.curve')), curve(acc.series, 'curve-caption', { from: c.opened_at, to: acc.as_of })),
    tallyTable('by-region', acc.by_region, 'region', 'crisis.by_region'),
    tallyTable('by-category', acc.by_category, 'category', 'crisis.by_category'),
  ];
}

/*
 * Who asked for help (GET /api/v1/crises/{id}/needs-help): names, phones and a link to each
 * person. A read of personal data that the server audits, so it is made when asked, not polled.
 */
function needsHelp(id) {
  const out = h('div', { 'aria-live': 'polite' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        button.disabled = true;
        try {
          const res = await api('GET', `/api/v1/crises/${id}/needs-help`);
          replace(
            out,
            res.items.length === 0
              ? h('p', { class: 'muted' }, t('crisis.needs_help_none'))
              : h(
                  'ul',
                  { class: 'needs-help' },
                  res.items.map((p) =>
                    h(
                      'li',
                      null,
                      h('a', { href: `/console/people/${p.person_id}` }, p.full_name),
                      p.phones && p.phones.length ? ` · ${p.phones.join(', ')}` : '',
                    ),
                  ),
                ),
          );
        } catch (e) {
          if (e.status !== 401) replace(out, h('p', { class: 'error', role: 'alert' }, t('error.generic')));
        } finally {
          button.disabled = false;
        }
      },
    },
    t('crisis.needs_help_show'),
  );
  return h(
    'section',
    { 'aria-labelledby': 'needs-help-h' },
    h('h2', { id: 'needs-help-h' }, t('crisis.needs_help')),
    h('p', { class: 'hint' }, t('crisis.needs_help_hint')),
    button,
    out,
  );
}

/*
 * The crisis's alerts (GET /api/v1/crises/{id}/alerts), newest first, each a link to its
 * delivery figures and answers; for the roles that may see alerts.
 */
async function alertList(id) {
  const res = await api('GET', `/api/v1/crises/${id}/alerts?limit=20`);
  const lang = currentLang();
  return h(
    'section',
    { 'aria-labelledby': 'crisis-alerts-h', class: 'crisis-alerts' },
    h('h2', { id: 'crisis-alerts-h' }, t('crisis.alerts')),
    res.items.length
      ? h(
          'ul',
          { class: 'alert-list' },
          res.items.map((a) =>
            h(
              'li',
              null,
              h('a', { href: `/console/alerts/${a.id}` }, (lang === 'en' ? a.subject_en : a.subject_vi) || a.subject_vi),
              ` — ${t(`alert.status_${a.status}`)}, ${formatDateTime(a.sent_at || a.created_at)}`,
              a.recipients ? `, ${t('alert.recipients')}: ${formatNumber(a.recipients)}` : '',
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('crisis.no_alerts')),
  );
}

/*
 * The situation report (GET /api/v1/crises/{id}/sitrep): its sentences for a spokesperson, and
 * links to the printable page (a new tab) and the CSV file, both in the reader's language. The
 * sentence the page shows already above the funnel (shown) is not repeated.
 */
async function sitrep(id, shown) {
  const lang = currentLang();
  const base = `/api/v1/crises/${id}/sitrep`;
  let statements = null;
  try {
    statements = ((await api('GET', `${base}?format=json&lang=${lang}`)).statements || []).filter((s) => s.trim() !== (shown || '').trim());
  } catch (e) {
    if (e.status === 401) throw e;
  }
  return h(
    'section',
    { 'aria-labelledby': 'sitrep-h', class: 'sitrep' },
    h('h2', { id: 'sitrep-h' }, t('sitrep.title')),
    statements === null
      ? h('p', { class: 'error', role: 'alert' }, t('error.generic'))
      : statements.length
        ? h('ul', { class: 'sitrep-statements', lang }, statements.map((s) => h('li', null, s)))
        : h('p', { class: 'muted' }, t('sitrep.none')),
    h(
      'p',
      { class: 'actions' },
      h(
        'a',
        { class: 'button secondary', id: 'sitrep-print', href: `${base}?format=html&lang=${lang}`, target: '_blank', rel: 'noopener' },
        t('sitrep.print'),
        h('span', { class: 'visually-hidden' }, ` (${t('sitrep.new_tab')})`),
      ),
      ' ',
      h('a', { class: 'button secondary', id: 'sitrep-csv', href: `${base}?format=csv&lang=${lang}`, download: '' }, t('sitrep.csv')),
    ),
  );
}

export async function crisisView({ main, params, setTitle }) {
  const id = params[0];
  const [c, acc] = await Promise.all([api('GET', `/api/v1/crises/${id}`), api('GET', `/api/v1/crises/${id}/accountability`)]);
  setTitle(c.name);
  const box = h('div', { class: 'crisis-figures', 'aria-live': 'off' }, figures(c, acc));
  const canAlert = allowed(PERSONAL) && c.status === 'open';
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/crises' }, t('crises.title'))),
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, c.name),
      canAlert ? h('a', { class: 'button', href: `/console/crises/${id}/alert` }, t('crisis.compose')) : null,
    ),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, t('crisis.status')),
      h('dd', null, crisisStatus(c)),
      h('dt', null, t('crisis.kind')),
      h('dd', null, t(`crisis_kind.${c.kind}`)),
      h('dt', null, t('crisis.countries')),
      h('dd', null, c.countries.map(countryName).join(', ')),
      c.regions && c.regions.length ? [h('dt', null, t('crisis.regions')), h('dd', null, c.regions.join(', '))] : null,
      h('dt', null, t('crisis.opened_at')),
      h('dd', null, formatDateTime(c.opened_at)),
      c.closed_at ? [h('dt', null, t('crisis.closed_at')), h('dd', null, formatDateTime(c.closed_at))] : null,
      c.description ? [h('dt', null, t('crisis.description')), h('dd', null, c.description)] : null,
    ),
    box,
    await sitrep(id, acc.statement[currentLang()] || acc.statement.vi),
    allowed(PERSONAL) ? await alertList(id) : null,
    allowed(PERSONAL) ? needsHelp(id) : null,
  );
  const timer = setInterval(async () => {
    if (!box.isConnected) {
      clearInterval(timer);
      return;
    }
    try {
      const fresh = await api('GET', `/api/v1/crises/${id}/accountability`);
      if (box.isConnected) replace(box, figures(c, fresh));
    } catch (e) {
      clearInterval(timer); /* a 401 has sent the officer to the login page; other errors wait for a reload */
    }
  }, REFRESH_MS);
}
