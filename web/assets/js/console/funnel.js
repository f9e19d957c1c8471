/*
 * funnel.js - the accountability of a crisis drawn for the dashboard and the crisis page, from
 * GET /api/v1/crises/{id}/accountability: the funnel (in the area -> reached -> accounted for ->
 * safe / need help) and its curve over time (the audience's status changes per hour, summed).
 * Bars and curves are SVG drawn with attributes only (no style attribute: the CSP forbids it),
 * and every figure is also written as text, so nothing depends on seeing the picture.
 */
import { h, svg } from '../dom.js';
import { formatDateTime, formatNumber, t } from '../i18n.js';

/* Statuses counted as "need help" in the funnel. */
export const NEED_HELP = ['needs_assistance', 'injured'];

function sumOf(byStatus, statuses) {
  return statuses.reduce((a, s) => a + ((byStatus && byStatus[s]) || 0), 0);
}

/* The steps of the funnel of an accountability answer, each {key, n, cls}. */
export function funnelSteps(acc) {
  return [
    { key: 'funnel.in_area', n: acc.total, cls: 'step-area' },
    { key: 'funnel.reached', n: acc.reached, cls: 'step-reached' },
    { key: 'funnel.accounted', n: acc.accounted_for, cls: 'step-accounted' },
    { key: 'funnel.safe', n: sumOf(acc.by_status, ['safe']), cls: 'step-safe' },
    { key: 'funnel.need_help', n: sumOf(acc.by_status, NEED_HELP), cls: 'step-help' },
  ];
}

function percent(n, total) {
  return total > 0 ? Math.round((100 * n) / total) : 0;
}

/* The funnel as a list: label, figure, share of the audience and a bar. */
export function funnel(acc, { compact = false } = {}) {
  const total = acc.total || 0;
  return h(
    'ol',
    { class: `funnel${compact ? ' compact' : ''}` },
    funnelSteps(acc).map((s) =>
      h(
        'li',
        { class: s.cls, 'data-step': s.key.slice('funnel.'.length) },
        h('span', { class: 'funnel-label' }, t(s.key)),
        h('span', { class: 'funnel-figure' }, formatNumber(s.n)),
        h('span', { class: 'funnel-share' }, t('funnel.share', { p: formatNumber(percent(s.n, total)) })),
        svg(
          'svg',
          { class: 'funnel-bar', viewBox: '0 0 100 6', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
          svg('rect', { x: 0, y: 0, width: 100, height: 6, class: 'bar-track' }),
          svg('rect', { x: 0, y: 0, width: Math.max(percent(s.n, total), s.n > 0 ? 1 : 0), height: 6, class: 'bar-fill' }),
        ),
      ),
    ),
  );
}

/* The cumulative counts of safe and need-help changes after each hour of the series. */
export function cumulative(series) {
  let safe = 0;
  let help = 0;
  return (series || []).map((p) => {
    safe += sumOf(p.by_status, ['safe']);
    help += sumOf(p.by_status, NEED_HELP);
    return { hour: p.hour, safe, help, changes: p.changes };
  });
}

const W = 600;
const H = 200;
const PAD = 30;

/*
 * The curve over time (SVG) with its figures in a table under a disclosure. With from (the
 * crisis's opening) and to (the time of the figures), the curve starts at zero when the crisis
 * opened and holds its last value until now; the table lists only the hours with changes.
 */
export function curve(series, captionId, { from = null, to = null } = {}) {
  const rows = cumulative(series);
  if (rows.length === 0) return h('p', { class: 'muted' }, t('curve.empty'));
  const points = [...rows];
  const last = rows[rows.length - 1];
  if (from && Date.parse(from) < Date.parse(rows[0].hour)) points.unshift({ hour: from, safe: 0, help: 0 });
  if (to && Date.parse(to) > Date.parse(last.hour)) points.push({ ...last, hour: to });
  const t0 = Date.parse(points[0].hour);
  const t1 = Math.max(Date.parse(points[points.length - 1].hour), t0 + 3600 * 1000);
  const max = Math.max(1, ...points.map((p) => Math.max(p.safe, p.help)));
  const x = (hour) => PAD + ((W - 2 * PAD) * (Date.parse(hour) - t0)) / (t1 - t0);
  const y = (n) => H - PAD - ((H - 2 * PAD) * n) / max;
  const line = (f) => points.map((p) => `${x(p.hour).toFixed(1)},${y(f(p)).toFixed(1)}`).join(' ');
  return h(
    'figure',
    { class: 'curve' },
    svg(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': captionId },
      svg('line', { x1: PAD, y1: H - PAD, x2: W - PAD, y2: H - PAD, class: 'axis' }),
      svg('line', { x1: PAD, y1: PAD, x2: PAD, y2: H - PAD, class: 'axis' }),
      svg('text', { x: PAD - 4, y: PAD + 4, class: 'tick end' }, formatNumber(max)),
      svg('text', { x: PAD - 4, y: H - PAD, class: 'tick end' }, '0'),
      svg('text', { x: PAD, y: H - 8, class: 'tick' }, formatDateTime(points[0].hour)),
      svg('text', { x: W - PAD, y: H - 8, class: 'tick end' }, formatDateTime(points[points.length - 1].hour)),
      svg('polyline', { points: line((p) => p.safe), class: 'line-safe' }),
      svg('polyline', { points: line((p) => p.help), class: 'line-help' }),
      /* Dots mark each hour with changes, so that a curve of one hour is seen too. */
      rows.map((p) => [
        svg('circle', { cx: x(p.hour).toFixed(1), cy: y(p.safe).toFixed(1), r: 3.5, class: 'dot-safe' }),
        svg('circle', { cx: x(p.hour).toFixed(1), cy: y(p.help).toFixed(1), r: 3.5, class: 'dot-help' }),
      ]),
    ),
    h(
      'figcaption',
      { id: captionId },
      t('curve.caption'),
      h(
        'ul',
        { class: 'legend' },
        h('li', null, h('span', { class: 'swatch line-safe' }), t('funnel.safe')),
        h('li', null, h('span', { class: 'swatch line-help' }), t('funnel.need_help')),
      ),
    ),
    h(
      'details',
      null,
      h('summary', null, t('curve.table')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          null,
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('curve.hour')),
              h('th', { scope: 'col', class: 'num' }, t('curve.changes')),
              h('th', { scope: 'col', class: 'num' }, t('funnel.safe')),
              h('th', { scope: 'col', class: 'num' }, t('funnel.need_help')),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((p) =>
              h(
                'tr',
                null,
                h('th', { scope: 'row' }, formatDateTime(p.hour)),
                h('td', { class: 'num' }, formatNumber(p.changes)),
                h('td', { class: 'num' }, formatNumber(p.safe)),
                h('td', { class: 'num' }, formatNumber(p.help)),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
