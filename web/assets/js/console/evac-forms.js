/*
 * evac-forms.js - the forms that create a staging site (POST /api/v1/sites) and a transport
 * (POST /api/v1/transports) from the evacuation page, with exactly the fields those endpoints
 * take. They are offered to the roles that may create (admin, hq, officer: roles.js PERSONAL) and
 * folded in a <details> until opened. The API is the judge of what is valid: its answer names the
 * field ("capacity", "origin.country", "partner_country"...) and the message is shown next to that
 * field in the reader's language; a country outside an officer's jurisdiction (403) is said next
 * to the country. On success the new site's or transport's page opens.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { fieldKey } from '../validation.js';
import { countryOptions, selectOf } from './people.js';
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

/* Shows the API's error e on form f: next to its field when it names one the form has. */
function showError(f, e) {
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

/* The crises one may attach: [id, name] of open crises. */
function crisisSelect(crises) {
  return selectOf('x', 'crisis', crises.map((k) => [k.id, k.name]), '', t('case.no_crisis'));
}

/* The "new staging site" form; navigate(url) opens the site created. */
/*
 * The submit handler of a create form: POSTs body() to path, then opens(created); a refusal is
 * shown next to its field (a 401 is the session's to handle). The button is disabled meanwhile.
 */
function createHandler(f, submit, path, body, opens) {
  return async (ev) => {
    ev.preventDefault();
    f.clearErrors();
    submit.disabled = true;
    try {
      opens(await api('POST', path, body()));
    } catch (e) {
      if (e.status !== 401) showError(f, e);
    } finally {
      submit.disabled = false;
    }
  };
}

export function siteCreateForm(crises, navigate) {
  const f = new ScopedForm('site');
  const kind = selectOf('x', 'kind', SITE_KINDS.map((k) => [k, t(`site_kind.${k}`)]), 'shelter', null);
  const name = textInput('name', { maxlength: String(NAME_MAX), required: true });
  const country = selectOf('x', 'country', countryOptions(), '', t('form.choose'));
  const region = textInput('region', { maxlength: '100' });
  const lat = h('input', { type: 'number', name: 'lat', step: 'any', min: '-90', max: '90', inputmode: 'decimal' });
  const lon = h('input', { type: 'number', name: 'lon', step: 'any', min: '-180', max: '180', inputmode: 'decimal' });
  const capacity = h('input', { type: 'number', name: 'capacity', min: '1', max: String(CAPACITY_MAX), step: '1', inputmode: 'numeric', required: true });
  const crisis = crisisSelect(crises);
  const notes = h('textarea', { name: 'notes', rows: '3', maxlength: String(TEXT_MAX) });
  const submit = h('button', { type: 'submit' }, t('site.create_submit'));

  function body() {
    const b = { kind: kind.value, name: name.value.trim(), capacity: numberOf(capacity) };
    if (country.value) b.country = country.value;
    if (region.value.trim()) b.region = region.value.trim();
    if (lat.value.trim() || lon.value.trim()) b.position = { lat: numberOf(lat), lon: numberOf(lon) };
    if (crisis.value) b.crisis = crisis.value;
    if (notes.value.trim()) b.notes = notes.value.trim();
    return b;
  }

  const onSubmit = createHandler(f, submit, '/api/v1/sites', body, (x) => navigate(`/console/evacuation/sites/${x.id}`));

  return folded(
    'site-create',
    'site.create',
    h(
      'form',
      { class: 'stack site-form', novalidate: true, onsubmit: onSubmit, 'aria-label': t('site.create') },
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

/* The "new transport" form; navigate(url) opens the transport created. */
export function transportCreateForm(crises, navigate) {
  const f = new ScopedForm('transport');
  const countries = countryOptions();
  const purpose = selectOf('x', 'purpose', PURPOSES.map((k) => [k, t(`transport_purpose.${k}`)]), 'evacuation', null);
  const mode = selectOf('x', 'mode', MODES.map((k) => [k, t(`transport_mode.${k}`)]), 'flight', null);
  const provider = selectOf('x', 'provider', PROVIDERS.map((k) => [k, t(`transport_provider.${k}`)]), 'own', null);
  const partnerCountry = selectOf('x', 'partner_country', countries, '', t('form.choose'));
  const reference = textInput('reference', { maxlength: String(REFERENCE_MAX) });
  const originPlace = textInput('origin_place', { maxlength: String(SHORT_MAX), required: true });
  const originCountry = selectOf('x', 'origin_country', countries, '', t('form.choose'));
  const destinationPlace = textInput('destination_place', { maxlength: String(SHORT_MAX), required: true });
  const destinationCountry = selectOf('x', 'destination_country', countries, 'VN', t('form.choose'));
  const departure = h('input', { type: 'datetime-local', name: 'departure_at', required: true });
  const arrival = h('input', { type: 'datetime-local', name: 'arrival_at' });
  const capacity = h('input', { type: 'number', name: 'capacity', min: '1', max: String(CAPACITY_MAX), step: '1', inputmode: 'numeric', required: true });
  const crisis = crisisSelect(crises);
  const notes = h('textarea', { name: 'notes', rows: '3', maxlength: String(TEXT_MAX) });
  const submit = h('button', { type: 'submit' }, t('transport.create_submit'));

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
    };
    if (provider.value === 'partner' && partnerCountry.value) b.partner_country = partnerCountry.value;
    if (reference.value.trim()) b.reference = reference.value.trim();
    const arrives = timeOf(arrival);
    if (arrives) b.arrival_at = arrives;
    if (crisis.value) b.crisis = crisis.value;
    if (notes.value.trim()) b.notes = notes.value.trim();
    return b;
  }

  const onSubmit = createHandler(f, submit, '/api/v1/transports', body, (x) => navigate(`/console/evacuation/transports/${x.id}`));

  return folded(
    'transport-create',
    'transport.create',
    h(
      'form',
      { class: 'stack transport-form', novalidate: true, onsubmit: onSubmit, 'aria-label': t('transport.create') },
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
      f.field('crisis', 'case.crisis', crisis),
      f.field('notes', 'site.notes', notes),
      f.summary,
      h('div', { class: 'actions' }, submit),
    ),
  );
}
