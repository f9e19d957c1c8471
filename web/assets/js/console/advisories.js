/*
 * advisories.js - travel advisories: the latest version of every country's (and region's)
 * advisory, one version with its history and the CAP 1.2 message the server publishes for it
 * (fetched from /advisories/{n}.cap), and the editor of a new version: level, titles and texts in
 * both languages, with a live preview of what the CAP message will say (its type, the level's
 * CAP codes, one block per language) before publishing (POST /api/v1/advisories).
 */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { countryName, currentLang, formatDateTime, t } from '../i18n.js';
import { fetchAll } from './crises.js';
import { allowed } from './main.js';
import { countryOptions, selectOf } from './people.js';
import { FieldForm } from './person-form.js';
import { PERSONAL } from './roles.js';

export const LEVELS = [1, 2, 3, 4];

/* The CAP codes of each level, as src/formats/cap.c writes them. */
const CAP_LEVELS = {
  1: { responseType: 'None', urgency: 'Future', severity: 'Minor', certainty: 'Unlikely' },
  2: { responseType: 'Monitor', urgency: 'Future', severity: 'Moderate', certainty: 'Possible' },
  3: { responseType: 'Avoid', urgency: 'Expected', severity: 'Severe', certainty: 'Likely' },
  4: { responseType: 'Evacuate', urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed' },
};

export function levelBadge(level) {
  return h('span', { class: `level level-${level}` }, t('advisory.level_n', { n: level }), ' · ', t(`level.${level}`));
}

function place(a) {
  return a.region ? `${countryName(a.country)} (${a.region})` : countryName(a.country);
}

function title(a) {
  return currentLang() === 'en' ? a.title_en : a.title_vi;
}

export async function advisoriesView({ main, setTitle }) {
  setTitle(t('advisories.console_title'));
  const items = await fetchAll('/api/v1/advisories');
  items.sort((a, b) => b.level - a.level || place(a).localeCompare(place(b)));
  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('advisories.console_title')),
      allowed(PERSONAL) ? h('a', { class: 'button', href: '/console/advisories/new' }, t('advisories.new')) : null,
    ),
    h('p', null, h('a', { href: '/advisories' }, t('advisories.public_page')), ' · ', h('a', { href: '/advisories.atom' }, t('advisories.atom'))),
    items.length
      ? h(
          'div',
          { class: 'table-wrap', role: 'region', 'aria-labelledby': 'adv-caption', tabindex: '0' },
          h(
            'table',
            null,
            h('caption', { id: 'adv-caption', class: 'visually-hidden' }, t('advisories.console_title')),
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ['field.country', 'advisory.level', 'advisory.title', 'advisory.version', 'advisory.issued_at'].map((k) =>
                  h('th', { scope: 'col' }, t(k)),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              items.map((a) =>
                h(
                  'tr',
                  null,
                  h('th', { scope: 'row' }, h('a', { href: `/console/advisories/${a.id}` }, place(a))),
                  h('td', null, levelBadge(a.level)),
                  h('td', null, title(a)),
                  h('td', { class: 'num' }, String(a.version)),
                  h('td', null, formatDateTime(a.issued_at)),
                ),
              ),
            ),
          ),
        )
      : h('p', null, t('advisories.none')),
  );
}

/* The path of a CAP link on this server (the API writes absolute links with the public URL). */
function capPath(url) {
  try {
    return new URL(url, location.origin).pathname;
  } catch (e) {
    return url;
  }
}

export async function advisoryView({ main, params, setTitle }) {
  const a = await api('GET', `/api/v1/advisories/${params[0]}`);
  setTitle(title(a));
  const cap = h('pre', { class: 'cap', id: 'cap-xml', tabindex: '0', 'aria-labelledby': 'cap-h' }, t('common.loading'));
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/advisories' }, t('advisories.console_title'))),
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, title(a)),
      allowed(PERSONAL) && a.latest
        ? h('a', { class: 'button', href: `/console/advisories/new?from=${a.id}` }, t('advisories.new_version'))
        : null,
    ),
    h('p', { class: 'current-level' }, levelBadge(a.level)),
    a.latest ? null : h('p', { class: 'notice' }, t('advisories.not_latest')),
    h(
      'dl',
      { class: 'details' },
      h('dt', null, t('field.country')),
      h('dd', null, place(a)),
      h('dt', null, t('advisory.version')),
      h('dd', null, String(a.version)),
      h('dt', null, t('advisory.issued_at')),
      h('dd', null, formatDateTime(a.issued_at)),
      a.review_due ? [h('dt', null, t('advisory.review_due')), h('dd', null, a.review_due)] : null,
      a.reason ? [h('dt', null, t('advisory.reason')), h('dd', null, a.reason)] : null,
    ),
    h(
      'div',
      { class: 'columns' },
      h('section', { lang: 'vi' }, h('h2', null, a.title_vi), h('p', { class: 'pre' }, a.text_vi)),
      h('section', { lang: 'en' }, h('h2', null, a.title_en), h('p', { class: 'pre' }, a.text_en)),
    ),
    h(
      'section',
      { 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, t('advisories.history')),
      h(
        'ol',
        { class: 'timeline', reversed: true },
        [...a.history].reverse().map((v) =>
          h(
            'li',
            null,
            h('time', { datetime: v.issued_at }, formatDateTime(v.issued_at)),
            ' ',
            levelBadge(v.level),
            ' ',
            v.id === a.id ? h('strong', null, title(v)) : h('a', { href: `/console/advisories/${v.id}` }, title(v)),
            h('span', { class: 'muted' }, ` · ${t('advisory.version')} ${v.version}`),
          ),
        ),
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'cap-h' },
      h('h2', { id: 'cap-h' }, t('advisories.cap')),
      h('p', null, h('a', { href: capPath(a.cap_url) }, t('advisories.cap_link'))),
      cap,
    ),
  );
  try {
    const res = await fetch(capPath(a.cap_url), { headers: { Accept: 'application/cap+xml' }, cache: 'no-store' });
    cap.textContent = res.ok ? await res.text() : t('error.generic');
  } catch (e) {
    cap.textContent = t('error.network');
  }
}

/* The live preview of the CAP message a new version will be. */
function capPreview(fields, previous) {
  const level = Number(fields.level()) || null;
  const codes = level ? CAP_LEVELS[level] : null;
  const block = (lang, titleEl, textEl) =>
    h(
      'div',
      { class: 'cap-info', lang },
      h('p', null, h('strong', null, 'info · language: '), lang === 'vi' ? 'vi-VN' : 'en-US'),
      h('p', null, h('strong', null, 'headline: '), titleEl.value.trim() || '—'),
      h('p', { class: 'pre' }, h('strong', null, 'description: '), textEl.value.trim() || '—'),
    );
  return [
    h(
      'p',
      null,
      previous
        ? t('advisories.preview_update', { n: previous.version + 1, prev: previous.version })
        : t('advisories.preview_alert'),
    ),
    codes
      ? h(
          'p',
          { class: 'cap-codes' },
          `msgType: ${previous ? 'Update' : 'Alert'} · category: Safety · responseType: ${codes.responseType} · urgency: ${codes.urgency} · severity: ${codes.severity} · certainty: ${codes.certainty}`,
        )
      : h('p', { class: 'muted' }, t('advisories.preview_no_level')),
    block('vi', fields.title_vi, fields.text_vi),
    block('en', fields.title_en, fields.text_en),
  ];
}

export async function advisoryFormView({ main, query: q, navigate, setTitle }) {
  const fromId = q.get('from');
  const prev = fromId ? await api('GET', `/api/v1/advisories/${fromId}`) : null;
  const heading = prev ? t('advisories.edit_title', { place: place(prev) }) : t('advisories.new_title');
  setTitle(heading);
  const f = new FieldForm();
  const country = selectOf('x', 'country', countryOptions(), prev ? prev.country : q.get('country') || '', t('form.choose'));
  const region = h('input', { type: 'text', name: 'region', value: prev && prev.region ? prev.region : '', autocomplete: 'off', maxlength: '10' });
  if (prev) {
    country.disabled = true;
    region.readOnly = true;
  }
  const levelBoxes = LEVELS.map((n) =>
    h(
      'label',
      { class: `check level-choice level-${n}` },
      h('input', { type: 'radio', name: 'level', value: String(n), checked: prev ? prev.level === n : false }),
      ' ',
      levelBadge(n),
    ),
  );
  const levelError = h('p', { class: 'field-error', id: 'f-level-error', hidden: true });
  const levelSet = h(
    'fieldset',
    { id: 'f-level', class: 'group', 'aria-describedby': 'f-level-error' },
    h('legend', null, t('advisory.level')),
    levelBoxes,
    levelError,
  );
  f.controls.set('level', { control: levelBoxes[0].querySelector('input'), error: levelError });
  const text = (name, v, max) => h('input', { type: 'text', name, value: v || '', maxlength: String(max) });
  const area = (name, v) => h('textarea', { name, rows: '6', maxlength: '4000' }, v || '');
  const fields = {
    level: () => (main.querySelector('input[name="level"]:checked') || {}).value,
    title_vi: text('title_vi', prev && prev.title_vi, 200),
    title_en: text('title_en', prev && prev.title_en, 200),
    text_vi: area('text_vi', prev && prev.text_vi),
    text_en: area('text_en', prev && prev.text_en),
  };
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '4000' }, '');
  const reviewDue = h('input', { type: 'date', name: 'review_due' });
  const preview = h('div', { class: 'cap-preview', id: 'cap-preview', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, t('advisories.publish'));
  const draw = () => replace(preview, capPreview(fields, prev));

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    const body = {
      country: country.value,
      region: region.value.trim() || null,
      level: Number(fields.level()) || 0,
      title_vi: fields.title_vi.value.trim(),
      title_en: fields.title_en.value.trim(),
      text_vi: fields.text_vi.value.trim(),
      text_en: fields.text_en.value.trim(),
      reason: reason.value.trim() || null,
      review_due: reviewDue.value || null,
    };
    if (!body.level) {
      f.showError({ status: 422, field: 'level', message: 'level is required' });
      return;
    }
    submit.disabled = true;
    try {
      const res = await api('POST', '/api/v1/advisories', body);
      navigate(`/console/advisories/${res.id}`);
    } catch (e) {
      if (e.status !== 401) f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  const form = h(
    'form',
    { class: 'stack advisory-form', novalidate: true, onsubmit: onSubmit },
    h(
      'fieldset',
      { class: 'group' },
      h('legend', null, t('advisories.where')),
      f.field('country', 'field.country', country),
      f.field('region', 'field.region', region, 'advisories.region_hint'),
    ),
    levelSet,
    h(
      'div',
      { class: 'columns' },
      h(
        'fieldset',
        { class: 'group', lang: 'vi' },
        h('legend', null, t('alert.in_vi')),
        f.field('title_vi', 'advisory.title', fields.title_vi),
        f.field('text_vi', 'advisory.text', fields.text_vi),
      ),
      h(
        'fieldset',
        { class: 'group', lang: 'en' },
        h('legend', null, t('alert.in_en')),
        f.field('title_en', 'advisory.title', fields.title_en),
        f.field('text_en', 'advisory.text', fields.text_en),
      ),
    ),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', null, t('advisories.internal')),
      f.field('reason', 'advisory.reason', reason),
      f.field('review_due', 'advisory.review_due', reviewDue),
    ),
    h('section', { 'aria-labelledby': 'preview-h', class: 'preview-box' }, h('h2', { id: 'preview-h' }, t('advisories.preview')), preview),
    f.summary,
    h('div', { class: 'actions' }, submit, h('a', { class: 'button secondary', href: prev ? `/console/advisories/${prev.id}` : '/console/advisories' }, t('form.cancel'))),
  );
  form.addEventListener('input', draw);
  form.addEventListener('change', draw);
  draw();
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/advisories' }, t('advisories.console_title'))),
    h('h1', { tabindex: '-1' }, heading),
    form,
  );
}
