/*
 * alerts.js - mass alerts of a crisis: composing one (texts in both languages, channels, who
 * receives it) with a live audience count from the server's preview (POST
 * /api/v1/crises/{id}/alerts?preview=1: nothing stored) and a live SMS counter measured like the
 * server does (../sms.js), an offer of the unaccented text when it saves parts, sending after a
 * confirmation; then following one alert live: delivery by channel and the answers, polled from
 * GET /api/v1/alerts/{id} while the page is shown.
 */
import { api } from '../api.js';
import { debounce, h, replace } from '../dom.js';
import { countryName, currentLang, formatDateTime, formatNumber, t } from '../i18n.js';
import { alertSmsText, linkPlaceholder, measure, unaccented } from '../sms.js';
import { CATEGORIES } from './people.js';
import { FieldForm } from './person-form.js';

const POLL_MS = 3000;
const PREVIEW_MS = 400;
const ANSWERS = ['safe', 'need_help', 'not_in_area', 'no_answer'];
const DELIVERY = ['queued', 'sending', 'sent', 'failed', 'not_configured'];

/* One language's SMS counter: the figures and, when it saves parts, the unaccented text. */
function smsCounter(lang, fields) {
  const out = h('div', { class: 'sms-counter', id: `sms-counter-${lang}`, 'aria-live': 'polite' });
  function update(askCheckin) {
    const link = linkPlaceholder(location.origin);
    const text = alertSmsText({ sms: fields.sms.value, subject: fields.subject.value, askCheckin, lang, link });
    const m = measure(text);
    const parts = [
      h(
        'p',
        { class: `sms-figures${m.parts > 6 ? ' error' : ''}` },
        t('alert.sms_count', {
          parts: formatNumber(m.parts),
          units: formatNumber(m.units),
          encoding: t(`alert.encoding_${m.encoding}`),
          left: formatNumber(m.left),
        }),
      ),
    ];
    if (m.parts > 6) parts.push(h('p', { class: 'field-error' }, t('alert.sms_too_long')));
    const given = fields.sms.value.trim();
    if (given && m.encoding === 'ucs2') {
      const plain = unaccented(given);
      const pm = measure(alertSmsText({ sms: plain, subject: '', askCheckin, lang, link }));
      parts.push(
        h(
          'div',
          { class: 'unaccented' },
          h('p', null, t('alert.unaccented_offer', { parts: formatNumber(pm.parts) })),
          h('p', { class: 'sms-text', lang }, plain),
          h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              onclick: () => {
                fields.sms.value = plain;
                fields.sms.dispatchEvent(new Event('input', { bubbles: true }));
                fields.sms.focus();
              },
            },
            t('alert.use_unaccented'),
          ),
        ),
      );
    } else if (!given) {
      parts.push(h('p', { class: 'hint' }, t('alert.sms_from_subject')));
    }
    replace(out, parts);
  }
  return { node: out, update };
}

export async function alertComposeView({ main, params, navigate, setTitle }) {
  const crisisId = params[0];
  const c = await api('GET', `/api/v1/crises/${crisisId}`);
  setTitle(t('alert.compose_title'));
  const f = new FieldForm();
  const text = (name, max) => h('input', { type: 'text', name, maxlength: String(max), autocomplete: 'off' });
  const area = (name, max, rows) => h('textarea', { name, rows: String(rows), maxlength: String(max) });
  const vi = { subject: text('subject_vi', 200), body: area('body_vi', 4000, 5), sms: area('sms_vi', 900, 2) };
  const en = { subject: text('subject_en', 200), body: area('body_en', 4000, 5), sms: area('sms_en', 900, 2) };
  const counters = { vi: smsCounter('vi', vi), en: smsCounter('en', en) };
  const channelBox = (v) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'channels', value: v, checked: true }), ' ', t(`alert.channel_${v}`));
  const channels = h('fieldset', { id: 'f-channels', class: 'inline-checks' }, h('legend', null, t('alert.channels')), channelBox('email'), channelBox('sms'));
  const ask = h('input', { type: 'checkbox', id: 'f-ask_checkin', name: 'ask_checkin', checked: true });
  const resend = h('input', { type: 'number', name: 'resend_after_minutes', min: '0', max: '10080', value: '0', inputmode: 'numeric' });
  const regionBoxes = (c.regions || []).map((r) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'regions', value: r }), ' ', r),
  );
  const categoryBoxes = CATEGORIES.map((k) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'categories', value: k }), ' ', t(`category.${k}`)),
  );
  const audience = h('p', { class: 'audience', id: 'alert-audience', role: 'status', 'aria-live': 'polite' }, t('common.loading'));
  const submit = h('button', { type: 'submit' }, t('alert.send'));
  const draftButton = h('button', { type: 'button', class: 'secondary' }, t('alert.save_draft'));
  const confirmBox = h('div', { class: 'confirm', hidden: true, role: 'alertdialog', 'aria-labelledby': 'confirm-text' });
  let lastCount = null;

  function checked(node, name) {
    return [...node.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  }

  function body({ placeholders = false } = {}) {
    const v = (el) => el.value.trim();
    const fill = (el) => v(el) || (placeholders ? '.' : '');
    const filter = {};
    const regions = checked(main, 'regions');
    const categories = checked(main, 'categories');
    if (regions.length) filter.regions = regions;
    if (categories.length) filter.categories = categories;
    return {
      subject_vi: fill(vi.subject),
      subject_en: fill(en.subject),
      body_vi: fill(vi.body),
      body_en: fill(en.body),
      sms_vi: v(vi.sms) || null,
      sms_en: v(en.sms) || null,
      channels: checked(channels, 'channels'),
      filter: Object.keys(filter).length ? filter : null,
      ask_checkin: ask.checked,
      resend_after_minutes: Number(resend.value) || 0,
    };
  }

  let seq = 0;
  async function preview() {
    counters.vi.update(ask.checked);
    counters.en.update(ask.checked);
    const mine = ++seq;
    const b = body({ placeholders: true });
    if (b.channels.length === 0) {
      audience.textContent = t('alert.no_channel');
      lastCount = null;
      return;
    }
    try {
      const res = await api('POST', `/api/v1/crises/${crisisId}/alerts?preview=1`, b);
      if (mine !== seq) return;
      lastCount = res.recipients;
      audience.textContent = t('alert.audience', {
        n: formatNumber(res.recipients),
        email: formatNumber(res.messages.email),
        sms: formatNumber(res.messages.sms),
      });
      if (res.languages) audience.append(' ', languagesText(res.languages, 'alert.audience_languages'));
      if (res.email === 'not_configured' || res.sms === 'not_configured') {
        audience.append(' ', t('alert.not_configured'));
      }
    } catch (e) {
      if (mine !== seq || e.status === 401) return;
      lastCount = null;
      audience.textContent = e.status === 422 && e.field === 'filter' ? t('alert.audience_empty') : e.status === 422 ? t('alert.audience_unknown') : t('error.generic');
    }
  }
  const previewSoon = debounce(preview, PREVIEW_MS);

  async function send(draft) {
    f.clearErrors();
    confirmBox.hidden = true;
    submit.disabled = true;
    try {
      const res = await api('POST', `/api/v1/crises/${crisisId}/alerts`, { ...body(), ...(draft ? { draft: true } : {}) });
      navigate(`/console/alerts/${res.id}`);
    } catch (e) {
      if (e.status === 422 && e.field && e.field.startsWith('filter')) e.field = 'channels';
      if (e.status !== 401) f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    const yes = h('button', { type: 'button', class: 'danger', onclick: () => send(false) }, t('alert.confirm_send'));
    replace(
      confirmBox,
      h('p', { id: 'confirm-text' }, lastCount === null ? t('alert.confirm_unknown') : t('alert.confirm', { n: formatNumber(lastCount) })),
      h(
        'div',
        { class: 'actions' },
        yes,
        h('button', { type: 'button', class: 'secondary', onclick: () => { confirmBox.hidden = true; submit.focus(); } }, t('form.cancel')),
      ),
    );
    confirmBox.hidden = false;
    yes.focus();
  }
  draftButton.addEventListener('click', () => send(true));

  const lang = (key, fields, langName) =>
    h(
      'fieldset',
      { class: 'group', lang: langName },
      h('legend', null, t(key)),
      f.field(`subject_${langName}`, 'alert.subject', fields.subject),
      f.field(`body_${langName}`, 'alert.body', fields.body, 'alert.body_hint'),
      f.field(`sms_${langName}`, 'alert.sms', fields.sms, 'alert.sms_hint'),
      counters[langName].node,
    );

  const form = h(
    'form',
    { class: 'stack alert-form', novalidate: true, onsubmit: onSubmit },
    h('div', { class: 'columns' }, lang('alert.in_vi', vi, 'vi'), lang('alert.in_en', en, 'en')),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', null, t('alert.recipients')),
      channels,
      regionBoxes.length ? h('fieldset', { class: 'inline-checks' }, h('legend', null, t('alert.only_regions')), regionBoxes) : null,
      h('fieldset', { class: 'inline-checks' }, h('legend', null, t('alert.only_categories')), categoryBoxes),
      h('label', { class: 'check' }, ask, ' ', t('alert.ask_checkin')),
      f.field('resend_after_minutes', 'alert.resend', resend, 'alert.resend_hint'),
      audience,
    ),
    f.summary,
    confirmBox,
    h('div', { class: 'actions' }, submit, draftButton, h('a', { class: 'button secondary', href: `/console/crises/${crisisId}` }, t('form.cancel'))),
  );
  form.addEventListener('input', previewSoon);
  form.addEventListener('change', previewSoon);
  f.controls.set('channels', { control: channels.querySelector('input'), error: h('p', { class: 'field-error', hidden: true }) });
  channels.append(f.controls.get('channels').error);

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: `/console/crises/${crisisId}` }, c.name)),
    h('h1', { tabindex: '-1' }, t('alert.compose_title')),
    h('p', { class: 'muted' }, t('alert.compose_for', { crisis: c.name, countries: c.countries.map(countryName).join(', ') })),
    form,
  );
  await preview();
}

function figureList(id, labelKey, keys, counts, textKey) {
  return h(
    'section',
    { 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, t(labelKey)),
    h(
      'dl',
      { class: 'figures', id },
      keys.map((k) => [h('dt', null, t(`${textKey}.${k}`)), h('dd', { 'data-key': k }, formatNumber((counts && counts[k]) || 0))]),
    ),
  );
}

/* The split of recipients by the language they read ({vi, en} of the API), in words. */
function languagesText(languages, key) {
  return t(key, { vi: formatNumber(languages.vi || 0), en: formatNumber(languages.en || 0) });
}

function channelSection(a, ch) {
  if (a[ch] === 'not_used') return null;
  return [
    figureList(`delivery-${ch}`, `alert.delivery_${ch}`, DELIVERY, a.delivery[ch], 'delivery'),
    a[ch] === 'not_configured' ? h('p', { class: 'notice' }, t(`alert.${ch}_not_configured`)) : null,
  ];
}

function followBody(a) {
  return [
    h(
      'dl',
      { class: 'details' },
      h('dt', null, t('alert.state')),
      h('dd', null, t(`alert.status_${a.status}`, {})),
      h('dt', null, t('alert.stage')),
      h('dd', null, t(`alert.stage_${a.stage}`)),
      h('dt', null, t('alert.recipients_n')),
      h('dd', { id: 'alert-recipients' }, formatNumber(a.recipients)),
      a.languages ? [h('dt', null, t('alert.languages')), h('dd', { id: 'alert-languages' }, languagesText(a.languages, 'alert.languages_split'))] : null,
      h('dt', null, t('alert.created')),
      h('dd', null, formatDateTime(a.created_at)),
    ),
    h('div', { class: 'columns' }, figureList('answers', 'alert.answers', ANSWERS, a.answers, 'answer'), channelSection(a, 'sms'), channelSection(a, 'email')),
  ];
}

export async function alertView({ main, params, navigate, setTitle }) {
  const id = params[0];
  let a = await api('GET', `/api/v1/alerts/${id}`);
  /* The subject in the reader's language heads the page; the other follows, each marked with its
   * language for screen readers. */
  const mine = currentLang() === 'en' ? 'en' : 'vi';
  const other = mine === 'en' ? 'vi' : 'en';
  setTitle(a[`subject_${mine}`]);
  const live = h('div', { class: 'alert-live' }, followBody(a));
  const updated = h('p', { class: 'muted', role: 'status' }, t('alert.live', { time: formatDateTime(new Date().toISOString()) }));
  const sendDraft = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        sendDraft.disabled = true;
        try {
          await api('POST', `/api/v1/alerts/${id}/send`);
          navigate(`/console/alerts/${id}`, { replace: true });
        } catch (e) {
          sendDraft.disabled = false;
          if (e.status !== 401) updated.textContent = e.status === 422 ? t('alert.audience_empty') : t('error.generic');
        }
      },
    },
    t('alert.send_draft'),
  );
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: `/console/crises/${a.crisis_id}` }, t('alert.back_to_crisis'))),
    h('h1', { tabindex: '-1', lang: mine }, a[`subject_${mine}`]),
    h('p', { lang: other, class: 'muted' }, a[`subject_${other}`]),
    a.status === 'draft' ? h('div', { class: 'actions' }, sendDraft) : null,
    live,
    updated,
    h('details', null, h('summary', null, t('alert.texts')), h('div', { class: 'columns' },
      h('section', { lang: 'vi' }, h('h2', null, a.subject_vi), h('p', { class: 'pre' }, a.body_vi)),
      h('section', { lang: 'en' }, h('h2', null, a.subject_en), h('p', { class: 'pre' }, a.body_en)))),
  );
  if (a.status === 'draft') return;
  const timer = setInterval(async () => {
    if (!live.isConnected) {
      clearInterval(timer);
      return;
    }
    try {
      a = await api('GET', `/api/v1/alerts/${id}`);
      if (!live.isConnected) return;
      replace(live, followBody(a));
      updated.textContent = t('alert.live', { time: formatDateTime(new Date().toISOString()) });
    } catch (e) {
      clearInterval(timer);
    }
  }, POLL_MS);
}
