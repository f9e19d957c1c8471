/*
 * evac-forms.js - the forms that create a staging site (POST /api/v1/sites) and a transport
 * (POST /api/v1/transports) from the evacuation page, and edit one from its own page (PATCH, the
 * same fields filled in with what is stored; a field emptied is sent as null), with exactly the
 * fields those endpoints take, a transport's seats shared with partner countries (`seats[]`) as
 * rows one adds and removes. They are offered to the roles that may create (admin, hq, officer:
 * roles.js PERSONAL) and folded in a <details> until opened. The API is the judge of what is valid: its answer names the
 * field ("capacity", "origin.country", "partner_country"...) and the message is shown next to that
 * field in the reader's language; a country outside an officer's jurisdiction (403) is said next
 * to the country. On success the new site's or transport's page opens.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { countryName, formatNumber, t } from '../i18n.js';
import { fieldKey, validationMessage } from '../validation.js';
import { countryOptions, selectOf } from './people.js';
import { readerMessage } from './evac.js';
import { ScopedForm } from './scoped-form.js';

const SITE_KINDS = ['shelter', 'assembly_point', 'border_crossing', 'other'];
const MODES = ['flight', 'bus', 'train', 'ship'];
const PROVIDERS = ['own', 'partner', 'commercial'];
const PURPOSES = ['evacuation', 'repatriation'];
/* The limits of src/domain/evac.h and model.h, for the browser's own hints. */
const CAPACITY_MAX = 100000;
const NAME_MAX = 200;
const SHORT_MAX = 200;
const REFERENCE_MAX = 64;
const TEXT_MAX = 4000;
const SEATS_MAX = 30;
const SEAT_DIRECTIONS = ['received', 'offered'];

/* Shows the API's error e on form f: next to its field when it names one the form has. */
function showError(f, e) {
  if (e.status === 409) {
    f.summary.textContent = readerMessage(e);
    f.summary.hidden = false;
    return;
  }
  const entry = e.field && f.controls.get(fieldKey(e));
  if (e.status === 403 && entry) {
    entry.error.textContent = t('error.forbidden_country');
    entry.error.hidden = false;
    entry.control.setAttribute('aria-invalid', 'true');
    entry.control.focus();
    return;
  }
  f.showError(e);
}

/* The number typed in input, or undefined when empty (the API then says it is required). */
function numberOf(input) {
  const v = input.value.trim();
  return v === '' ? undefined : Number(v);
}

/* The value of a datetime-local input for an RFC 3339 time, in the reader's time zone. */
function localTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

/*
 * The RFC 3339 UTC time of a datetime-local input (read in the reader's time zone), undefined
 * when empty, or the text as typed when the browser gave no date (the API then names the field).
 */
function timeOf(input) {
  const v = input.value.trim();
  if (v === '') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function textInput(name, attrs) {
  return h('input', { type: 'text', name, autocomplete: 'off', ...attrs });
}

/* A form folded in a <details> whose summary names it. */
function folded(id, summaryKey, form) {
  return h('details', { class: 'create-form', id }, h('summary', null, t(summaryKey)), form);
}

/* The crises one may attach: [id, name] of open crises, and the one attached already. */
function crisisSelect(crises, current) {
  const options = crises.map((k) => [k.id, k.name]);
  if (current && !crises.some((k) => k.id === current)) options.push([current, t('site.crisis_current')]);
  return selectOf('x', 'crisis', options, current || '', t('case.no_crisis'));
}

/* Text typed, or null when emptied (on an edit, null clears the stored value). */
function textOrNull(input) {
  return input.value.trim() || null;
}

/*
 * The submit handler of a create or edit form: sends body() to path with method, then
 * done(answer); a refusal is shown next to its field (a 401 is the session's to handle). The
 * button is disabled meanwhile.
 */
function submitHandler(f, submit, method, path, body, done) {
  return async (ev) => {
    ev.preventDefault();
    f.clearErrors();
    submit.disabled = true;
    try {
      await done(await api(method, path, body()));
    } catch (e) {
      if (e.status !== 401) showError(f, e);
    } finally {
      submit.disabled = false;
    }
  };
}

/*
 * The site form: empty to create one (POST, then navigate opens it), or filled with site to edit
 * it (PATCH, then saved(site) with the answer).
 */
function siteForm(crises, { site, navigate, saved }) {
  const edit = Boolean(site);
  const s = site || {};
  const f = new ScopedForm(edit ? 'site-edit' : 'site');
  const kind = selectOf('x', 'kind', SITE_KINDS.map((k) => [k, t(`site_kind.${k}`)]), s.kind || 'shelter', null);
  const name = textInput('name', { maxlength: String(NAME_MAX), required: true, value: s.name || '' });
  const country = selectOf('x', 'country', countryOptions(), s.country || '', t('form.choose'));
  const region = textInput('region', { maxlength: '100', value: s.region || '' });
  const position = s.position || {};
  const lat = h('input', { type: 'number', name: 'lat', step: 'any', min: '-90', max: '90', inputmode: 'decimal', value: position.lat ?? '' });
  const lon = h('input', { type: 'number', name: 'lon', step: 'any', min: '-180', max: '180', inputmode: 'decimal', value: position.lon ?? '' });
  const capacity = h('input', { type: 'number', name: 'capacity', min: '1', max: String(CAPACITY_MAX), step: '1', inputmode: 'numeric', required: true, value: s.capacity ?? '' });
  const crisis = crisisSelect(crises, s.crisis);
  const notes = h('textarea', { name: 'notes', rows: '3', maxlength: String(TEXT_MAX) });
  notes.value = s.notes || '';
  const submit = h('button', { type: 'submit' }, t(edit ? 'site.edit_submit' : 'site.create_submit'));

  function body() {
    const b = { kind: kind.value, name: name.value.trim(), capacity: numberOf(capacity) };
    if (country.value) b.country = country.value;
    const hasPosition = lat.value.trim() || lon.value.trim();
    if (edit) {
      b.region = textOrNull(region);
      b.position = hasPosition ? { lat: numberOf(lat), lon: numberOf(lon) } : null;
      b.crisis = crisis.value || null;
      b.notes = textOrNull(notes);
      return b;
    }
    if (region.value.trim()) b.region = region.value.trim();
    if (hasPosition) b.position = { lat: numberOf(lat), lon: numberOf(lon) };
    if (crisis.value) b.crisis = crisis.value;
    if (notes.value.trim()) b.notes = notes.value.trim();
    return b;
  }

  const onSubmit = edit
    ? submitHandler(f, submit, 'PATCH', `/api/v1/sites/${s.id}`, body, saved)
    : submitHandler(f, submit, 'POST', '/api/v1/sites', body, (x) => navigate(`/console/evacuation/sites/${x.id}`));
  const title = edit ? 'site.edit' : 'site.create';

  return folded(
    edit ? 'site-edit' : 'site-create',
    title,
    h(
      'form',
      { class: 'stack site-form', novalidate: true, onsubmit: onSubmit, 'aria-label': t(title) },
      f.field('name', 'site.name_field', name),
      f.field('kind', 'site.kind', kind),
      f.field('country', 'field.country', country),
      f.field('region', 'field.region', region),
      f.field('capacity', 'site.capacity', capacity, 'site.capacity_hint'),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('site.position')),
        h('p', { class: 'hint' }, t('site.position_hint')),
        f.field('position.lat', 'site.lat', lat),
        f.field('position.lon', 'site.lon', lon),
      ),
      f.field('crisis', 'case.crisis', crisis),
      f.field('notes', 'site.notes', notes),
      f.summary,
      h('div', { class: 'actions' }, submit),
    ),
  );
}

/* The "new staging site" form; navigate(url) opens the site created. */
export function siteCreateForm(crises, navigate) {
  return siteForm(crises, { navigate });
}

/* The "edit this site" form; saved(site) gets the site as stored. */
export function siteEditForm(site, crises, saved) {
  return siteForm(crises, { site, saved });
}

/*
 * The seats shared with partner countries: rows of a country, a number of seats and a direction
 * (received from them, offered to them), added and removed with buttons, at most SEATS_MAX. A
 * refusal naming seats[i].x is shown next to that row's control (show). scope keeps the ids of
 * two forms apart.
 */
class SeatRows {
  constructor(scope, seats) {
    this.scope = scope;
    this.rows = [];
    this.list = h('ol', { class: 'seat-rows' });
    this.error = h('p', { class: 'field-error', id: `f-${scope}-seats-error`, role: 'alert', hidden: true });
    this.add = h('button', { type: 'button', class: 'secondary', onclick: () => this.addRow(null, true) }, t('transport.seat_add'));
    this.serial = 0;
    (seats || []).forEach((x) => this.addRow(x, false));
    this.sync();
  }

  addRow(seat, focus) {
    if (this.rows.length >= SEATS_MAX) return;
    const k = this.serial++;
    const id = (what) => `f-${this.scope}-seats-${k}-${what}`;
    const country = selectOf(id('country'), 'seat_country', countryOptions(), (seat && seat.country) || '', t('form.choose'));
    const seats = h('input', { id: id('seats'), type: 'number', name: 'seat_count', min: '1', max: String(CAPACITY_MAX), step: '1', inputmode: 'numeric', value: seat ? String(seat.seats) : '' });
    const direction = selectOf(id('direction'), 'seat_direction', SEAT_DIRECTIONS.map((d) => [d, t(`seat_direction.${d}`)]), (seat && seat.direction) || 'received', null);
    const legend = h('legend');
    const remove = h('button', { type: 'button', class: 'secondary' });
    const row = { country, seats, direction, legend, remove };
    const label = (forId, key) => h('label', { for: forId }, t(key));
    row.node = h(
      'li',
      null,
      h(
        'fieldset',
        { class: 'seat-row' },
        legend,
        h('div', { class: 'field' }, label(id('country'), 'transport.seat_country'), country),
        h('div', { class: 'field' }, label(id('seats'), 'transport.seat_count'), seats),
        h('div', { class: 'field' }, label(id('direction'), 'transport.seat_direction'), direction),
        remove,
      ),
    );
    remove.addEventListener('click', () => {
      const i = this.rows.indexOf(row);
      this.rows.splice(i, 1);
      row.node.remove();
      this.sync();
      (this.rows[i] || this.rows[i - 1] || { country: this.add }).country.focus();
    });
    this.rows.push(row);
    this.list.append(row.node);
    this.sync();
    if (focus) country.focus();
  }

  /* Numbers the rows after an addition or a removal; hides "add" at the limit. */
  sync() {
    this.rows.forEach((r, i) => {
      r.legend.textContent = t('transport.seat_row', { n: i + 1 });
      r.remove.textContent = t('transport.seat_remove', { n: i + 1 });
    });
    this.add.hidden = this.rows.length >= SEATS_MAX;
  }

  value() {
    return this.rows.map((r) => ({ country: r.country.value || undefined, seats: numberOf(r.seats), direction: r.direction.value }));
  }

  clear() {
    this.error.hidden = true;
    this.error.textContent = '';
    for (const r of this.rows) for (const c of [r.country, r.seats, r.direction]) c.removeAttribute('aria-invalid');
  }

  /* Shows a refusal naming seats or seats[i].x; returns whether it did. */
  show(e) {
    const m = /^seats(?:\[(\d+)\](?:\.(\w+))?)?$/.exec(e.field || '');
    if (e.status !== 422 || !m) return false;
    const row = m[1] !== undefined ? this.rows[Number(m[1])] : null;
    const control = row ? row[m[2] === 'seats' ? 'seats' : m[2] === 'direction' ? 'direction' : 'country'] : this.add;
    this.error.textContent = row ? `${t('transport.seat_row', { n: Number(m[1]) + 1 })}: ${validationMessage(e)}` : validationMessage(e);
    this.error.hidden = false;
    if (row) control.setAttribute('aria-invalid', 'true');
    control.focus();
    return true;
  }

  node() {
    return h(
      'fieldset',
      { class: 'group seats', 'aria-describedby': `f-${this.scope}-seats-hint f-${this.scope}-seats-error` },
      h('legend', null, t('transport.seats_legend')),
      h('p', { class: 'hint', id: `f-${this.scope}-seats-hint` }, t('transport.seats_hint')),
      this.list,
      this.add,
      this.error,
    );
  }
}

/*
 * The transport form: empty to create one (POST, then navigate opens it), or filled with tr to
 * edit it (PATCH, then saved(transport) with the answer).
 */
function transportForm(crises, { tr, navigate, saved }) {
  const edit = Boolean(tr);
  const x = tr || { origin: {}, destination: { country: 'VN' } };
  const scope = edit ? 'transport-edit' : 'transport';
  const f = new ScopedForm(scope);
  const countries = countryOptions();
  const purpose = selectOf('x', 'purpose', PURPOSES.map((k) => [k, t(`transport_purpose.${k}`)]), x.purpose || 'evacuation', null);
  const mode = selectOf('x', 'mode', MODES.map((k) => [k, t(`transport_mode.${k}`)]), x.mode || 'flight', null);
  const provider = selectOf('x', 'provider', PROVIDERS.map((k) => [k, t(`transport_provider.${k}`)]), x.provider || 'own', null);
  const partnerCountry = selectOf('x', 'partner_country', countries, x.partner_country || '', t('form.choose'));
  const reference = textInput('reference', { maxlength: String(REFERENCE_MAX), value: x.reference || '' });
  const originPlace = textInput('origin_place', { maxlength: String(SHORT_MAX), required: true, value: x.origin.place || '' });
  const originCountry = selectOf('x', 'origin_country', countries, x.origin.country || '', t('form.choose'));
  const destinationPlace = textInput('destination_place', { maxlength: String(SHORT_MAX), required: true, value: x.destination.place || '' });
  const destinationCountry = selectOf('x', 'destination_country', countries, x.destination.country || '', t('form.choose'));
  const departure = h('input', { type: 'datetime-local', name: 'departure_at', required: true, value: localTime(x.departure_at) });
  const arrival = h('input', { type: 'datetime-local', name: 'arrival_at', value: localTime(x.arrival_at) });
  const capacity = h('input', { type: 'number', name: 'capacity', min: '1', max: String(CAPACITY_MAX), step: '1', inputmode: 'numeric', required: true, value: x.capacity ?? '' });
  const crisis = crisisSelect(crises, x.crisis);
  const notes = h('textarea', { name: 'notes', rows: '3', maxlength: String(TEXT_MAX) });
  notes.value = x.notes || '';
  const seats = new SeatRows(scope, x.seats);
  const submit = h('button', { type: 'submit' }, t(edit ? 'transport.edit_submit' : 'transport.create_submit'));

  /* The partner's country goes with a partner provider only: shown for it alone. */
  const partnerField = f.field('partner_country', 'transport.partner_country', partnerCountry, 'transport.partner_country_hint');
  const showPartner = () => {
    partnerField.hidden = provider.value !== 'partner';
  };
  provider.addEventListener('change', showPartner);
  showPartner();

  function body() {
    const b = {
      purpose: purpose.value,
      mode: mode.value,
      provider: provider.value,
      origin: { place: originPlace.value.trim(), country: originCountry.value || undefined },
      destination: { place: destinationPlace.value.trim(), country: destinationCountry.value || undefined },
      departure_at: timeOf(departure),
      capacity: numberOf(capacity),
      seats: seats.value(),
    };
    const partner = provider.value === 'partner' && partnerCountry.value ? partnerCountry.value : null;
    const arrives = timeOf(arrival);
    if (edit) {
      Object.assign(b, { partner_country: partner, reference: textOrNull(reference), arrival_at: arrives || null, crisis: crisis.value || null, notes: textOrNull(notes) });
      return b;
    }
    if (partner) b.partner_country = partner;
    if (reference.value.trim()) b.reference = reference.value.trim();
    if (arrives) b.arrival_at = arrives;
    if (crisis.value) b.crisis = crisis.value;
    if (notes.value.trim()) b.notes = notes.value.trim();
    return b;
  }

  /* A refusal of a seat row is shown next to that row; anything else as for every form. */
  const seatsAware = {
    controls: f.controls,
    summary: f.summary,
    clearErrors: () => {
      f.clearErrors();
      seats.clear();
    },
    showError: (e) => seats.show(e) || f.showError(e),
  };
  const onSubmit = edit
    ? submitHandler(seatsAware, submit, 'PATCH', `/api/v1/transports/${x.id}`, body, saved)
    : submitHandler(seatsAware, submit, 'POST', '/api/v1/transports', body, (made) => navigate(`/console/evacuation/transports/${made.id}`));
  const title = edit ? 'transport.edit' : 'transport.create';

  return folded(
    edit ? 'transport-edit' : 'transport-create',
    title,
    h(
      'form',
      { class: 'stack transport-form', novalidate: true, onsubmit: onSubmit, 'aria-label': t(title) },
      f.field('purpose', 'transport.purpose', purpose),
      f.field('mode', 'transport.mode', mode),
      f.field('provider', 'transport.provider', provider),
      partnerField,
      f.field('reference', 'transport.reference', reference, 'transport.reference_hint'),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('transport.from')),
        f.field('origin.place', 'transport.place', originPlace, 'transport.place_hint'),
        f.field('origin.country', 'field.country', originCountry),
      ),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('transport.to')),
        f.field('destination.place', 'transport.place', destinationPlace, 'transport.place_hint'),
        f.field('destination.country', 'field.country', destinationCountry),
      ),
      f.field('departure_at', 'transport.departure_at', departure, 'transport.time_hint'),
      f.field('arrival_at', 'transport.arrival_at_planned', arrival, 'transport.time_hint'),
      f.field('capacity', 'transport.capacity', capacity, 'site.capacity_hint'),
      seats.node(),
      f.field('crisis', 'case.crisis', crisis),
      f.field('notes', 'site.notes', notes),
      f.summary,
      h('div', { class: 'actions' }, submit),
    ),
  );
}

/* The "new transport" form; navigate(url) opens the transport created. */
export function transportCreateForm(crises, navigate) {
  return transportForm(crises, { navigate });
}

/* The "edit this transport" form; saved(transport) gets the transport as stored. */
export function transportEditForm(tr, crises, saved) {
  return transportForm(crises, { tr, saved });
}

/* A transport's seats shared with partner countries, one line each ("Hàn Quốc: 15 ghế, ..."). */
export function seatLines(seats) {
  return (seats || []).map((x) =>
    t('transport.seat_line', { country: countryName(x.country), seats: formatNumber(x.seats), direction: t(`seat_direction.${x.direction}`) }),
  );
}
