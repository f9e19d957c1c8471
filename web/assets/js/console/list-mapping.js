/*
 * list-mapping.js - the column map of a list upload. When the officer chooses a foreign
 * authority's CSV file, its header line is read in the browser (the first 64 KiB only, UTF-8 or
 * UTF-16 by its byte-order mark, the separator found as the server finds it: comma, semicolon
 * or tab) and each column is shown with the value of the first row and a choice of role: one of
 * the roles of `baoho match --map`, or "ignore". The choice starts where the server would start:
 * a column named like a role (full_name, Date_Of_Birth ...; spaces around and the case of
 * ASCII letters do not matter) has that role, any other column is ignored.
 *
 * Only what the officer changed is sent, as the upload's ?map= ("Header=role, Other=ignore"),
 * which the server checks and applies (src/api/api_list_map.c); the server stays the judge of
 * the file. A column whose name holds ',' or '=' or repeats another column's cannot be named in
 * a map: it keeps its default and says so. Two columns given one role, or no name column, are
 * said next to the choices before the upload.
 *
 * lists.js calls listMapping(file) for the section and mappingOf(file) for the ?map= value.
 */
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

/* The roles of a list's columns, as the server names them (src/api/api_lists.c). */
export const LIST_ROLES = [
  'full_name',
  'family_name',
  'given_name',
  'middle_name',
  'date_of_birth',
  'age',
  'sex',
  'id_number',
  'province',
  'postcode',
  'address',
  'city',
  'id',
];
const IGNORE = 'ignore';
const NAME_ROLES = ['full_name', 'family_name', 'given_name'];
/* Bytes of the file read to find its header line and first row. */
const HEAD_BYTES = 64 * 1024;
/* Columns shown at most (the server's own limit on fields is far above any real list). */
const COLUMNS_MAX = 200;

/* The header name as the server compares it: spaces and tabs trimmed, ASCII letters lowered. */
function nameKey(s) {
  return s.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/* The text of the file's first bytes, decoded as the server does (BOM: UTF-16 or UTF-8). */
function decode(buf) {
  const b = new Uint8Array(buf);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return new TextDecoder('utf-8').decode(b.subarray(3));
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  return new TextDecoder('utf-8').decode(b);
}

/* The separator of the first line outside quotes: ';' or tab when more frequent than ','. */
function delimiterOf(text) {
  const count = { ',': 0, ';': 0, '\t': 0 };
  let inq = false;
  let seen = false;
  for (const c of text) {
    if (c === '"') inq = !inq;
    if (inq) {
      seen = true;
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (seen) break;
      continue;
    }
    seen = true;
    if (c in count) count[c] += 1;
  }
  if (count[';'] > count[','] && count[';'] >= count['\t']) return ';';
  if (count['\t'] > count[','] && count['\t'] > count[';']) return '\t';
  return ',';
}

/* The first n records of text (RFC 4180 quoting; leading blank lines skipped). */
function records(text, delim, n) {
  const out = [];
  let i = 0;
  while (i < text.length && (text[i] === '\n' || text[i] === '\r')) i++;
  while (i < text.length && out.length < n) {
    const fields = [];
    let field = '';
    let quoted = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c === '"' && field === '') {
        quoted = true;
      } else if (c === delim) {
        fields.push(field);
        field = '';
      } else if (c === '\n' || c === '\r') {
        break;
      } else {
        field += c;
      }
    }
    fields.push(field);
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    out.push(fields);
  }
  return out;
}

/* Reads the header and first row of file: {header: [...], first: [...]}; throws when unreadable. */
async function readHead(file) {
  const text = decode(await file.slice(0, HEAD_BYTES).arrayBuffer());
  const [header, first] = records(text, delimiterOf(text), 2);
  if (!header || header.every((c) => c.trim() === '')) throw new Error('no header line');
  return { header: header.slice(0, COLUMNS_MAX), first: first || [] };
}

const states = new WeakMap();

/* The ?map= value of the upload of file: the officer's changes to the defaults, or ''. */
export function mappingOf(file) {
  const state = states.get(file);
  return state ? state.value() : '';
}

/*
 * The section that shows the columns of the file chosen in the input file, hidden until a file
 * is chosen. Returns the element; the map it makes is read with mappingOf(file).
 */
export function listMapping(file) {
  const summary = h('p', { class: 'hint', role: 'status', id: 'list-map-summary' });
  const body = h('div', { class: 'stack' });
  const section = h(
    'fieldset',
    { class: 'group list-map', hidden: true, 'aria-describedby': 'list-map-hint list-map-summary' },
    h('legend', null, t('list_map.legend')),
    h('p', { class: 'hint', id: 'list-map-hint' }, t('list_map.hint')),
    summary,
    body,
  );
  let columns = [];
  let generation = 0;

  /* Says, next to each choice, a role given twice; and in the summary, a missing name. */
  function check() {
    const firstWith = new Map();
    let used = 0;
    for (const col of columns) {
      const role = col.select.value;
      col.error.hidden = true;
      col.error.textContent = '';
      col.select.removeAttribute('aria-invalid');
      if (role === IGNORE) continue;
      used += 1;
      if (firstWith.has(role)) {
        col.error.textContent = t('list_map.duplicate', { name: firstWith.get(role).name });
        col.error.hidden = false;
        col.select.setAttribute('aria-invalid', 'true');
      } else {
        firstWith.set(role, col);
      }
    }
    const named = NAME_ROLES.some((r) => firstWith.has(r));
    summary.textContent = [t('list_map.summary', { n: columns.length, used }), named ? '' : t('list_map.no_name')]
      .filter(Boolean)
      .join(' ');
    summary.classList.toggle('field-error', !named);
  }

  function roleSelect(id, chosen, disabled) {
    const options = [h('option', { value: IGNORE, selected: chosen === IGNORE }, t('list_map.ignore'))].concat(
      LIST_ROLES.map((r) => h('option', { value: r, selected: chosen === r }, t(`list_role.${r}`))),
    );
    const select = h('select', { id, name: id, disabled, onchange: check }, options);
    select.value = chosen;
    return select;
  }

  function draw(head) {
    const keys = head.header.map(nameKey);
    columns = head.header.map((name, i) => {
      const key = keys[i];
      const detected = LIST_ROLES.includes(key) ? key : IGNORE;
      /* A map names columns by name, between ',' and '=': some names cannot be written there. */
      const mappable = key !== '' && !/[,=]/.test(name) && keys.indexOf(key) === keys.lastIndexOf(key);
      const id = `list-map-${i}`;
      const select = roleSelect(id, detected, !mappable);
      const example = (head.first[i] || '').trim();
      const hints = [
        h('p', { class: 'hint', id: `${id}-example` }, example ? t('list_map.example', { value: example }) : t('list_map.empty_example')),
        mappable ? null : h('p', { class: 'hint', id: `${id}-fixed` }, t('list_map.unmappable')),
      ];
      const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
      select.setAttribute('aria-describedby', [`${id}-example`, mappable ? null : `${id}-fixed`, `${id}-error`].filter(Boolean).join(' '));
      const label = h('label', { for: id }, t('list_map.column', { n: i + 1, name: name.trim() || '…' }));
      const node = h('div', { class: 'field', 'data-column': name }, label, select, hints, error);
      return { name: name.trim(), detected, mappable, select, error, node };
    });
    replace(body, columns.map((c) => c.node));
    section.hidden = false;
    check();
  }

  async function onFile() {
    const mine = ++generation;
    columns = [];
    replace(body);
    const chosen = file.files && file.files[0];
    if (!chosen) {
      section.hidden = true;
      return;
    }
    try {
      const head = await readHead(chosen);
      if (mine === generation) draw(head);
    } catch (e) {
      if (mine !== generation) return;
      section.hidden = false;
      summary.classList.add('field-error');
      summary.textContent = t('list_map.unreadable');
    }
  }

  file.addEventListener('change', onFile);
  states.set(file, {
    value: () =>
      columns
        .filter((c) => c.mappable && c.select.value !== c.detected)
        .map((c) => `${c.name}=${c.select.value}`)
        .join(','),
  });
  return section;
}
