/*
 * cases.js - assistance cases: the queues (mine, my mission's, overdue, all; GET
 * /api/v1/cases?queue=), one case with its persons and timeline, where an officer adds a note,
 * moves the case along the workflow (only the next states the API lists in next_statuses are
 * offered), assigns it to themself or a colleague of the case's mission (GET
 * /api/v1/missions/{id}/officers), links registered persons or makes the caller one
 * (case-persons.js), and transfers it to another mission; and the form that opens a case for
 * registered persons (found by a search as one types), for a caller not in the registry, or
 * for a missing person not in the registry (the case's subject, case-subject.js).
 * Cases hold personal data: the section is for the roles that may see it (the API audits reads).
 */
import { api, query } from '../api.js';
import { debounce, h, replace } from '../dom.js';
import { formatDateTime, formatNumber, formatPartialDate, t } from '../i18n.js';
import { fieldKey } from '../validation.js';
import { linkPersonSection, promoteCallerForm } from './case-persons.js';
import { subjectFacts, subjectForm, subjectInputs } from './case-subject.js';
import { fetchAll } from './crises.js';
import { allowed } from './main.js';
import { selectOf, statusBadge } from './people.js';
import { FieldForm } from './person-form.js';
import { ADMIN } from './roles.js';

export const CASE_TYPES = [
  'evacuation_request', 'lost_documents', 'detention', 'trafficking', 'medical', 'death',
  'missing_person_report', 'financial', 'other',
];
/*
 * The types whose new-case form offers the subject (the person the case is about, not in the
 * registry). The API takes a subject on a case of any type, and a case's page edits it on any;
 * at intake it is asked for on a missing-person report, the cases lists from foreign
 * authorities are matched against (docs/api.md, Lists).
 */
const SUBJECT_TYPES = ['missing_person_report'];
const CHANNELS = ['hotline', 'email', 'walk_in', 'check_in', 'partner_referral'];
const QUEUES = ['mine', 'mission', 'overdue', 'all'];
const PAGE = 50;
const PERSONS_MAX = 20;

export function caseStatus(status) {
  return h('span', { class: `status case-${status}` }, t(`case_status.${status}`));
}

function priorityBadge(priority) {
  return h('span', { class: `priority priority-${priority}` }, t(`case_priority.${priority}`));
}

function dueText(c) {
  return [
    h('time', { datetime: c.due_at }, formatDateTime(c.due_at)),
    c.overdue ? [' ', h('span', { class: 'status overdue' }, t('cases.overdue_badge'))] : null,
  ];
}

export async function casesView({ main, query: q, setTitle }) {
  setTitle(t('cases.title'));
  const queue = QUEUES.includes(q.get('queue')) ? q.get('queue') : 'mission';
  const tabs = h(
    'p',
    { class: 'tabs' },
    QUEUES.map((k) => [
      h('a', { href: `/console/cases?queue=${k}`, 'aria-current': queue === k ? 'page' : null }, t(`cases.queue_${k}`)),
      ' ',
    ]),
  );
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const table = h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-labelledby': 'cases-caption', tabindex: '0', hidden: true },
    h(
      'table',
      { class: 'cases' },
      h('caption', { id: 'cases-caption', class: 'visually-hidden' }, t(`cases.queue_${queue}`)),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['case.summary', 'case.type', 'field.status', 'case.priority', 'case.due_at', 'case.opened_at'].map((k) =>
            h('th', { scope: 'col' }, t(k)),
          ),
        ),
      ),
      tbody,
    ),
  );
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, t('people.more'));
  let next = '';
  let shown = 0;

  async function load() {
    const res = await api('GET', `/api/v1/cases${query({ queue, limit: PAGE, after: next })}`);
    res.items.forEach((c) =>
      tbody.append(
        h(
          'tr',
          { class: c.overdue ? 'overdue-row' : null },
          h('th', { scope: 'row' }, h('a', { href: `/console/cases/${c.id}` }, c.summary)),
          h('td', null, t(`case_type.${c.type}`)),
          h('td', null, caseStatus(c.status)),
          h('td', null, priorityBadge(c.priority)),
          h('td', null, dueText(c)),
          h('td', null, formatDateTime(c.opened_at)),
        ),
      ),
    );
    shown += res.items.length;
    next = res.next || '';
    more.hidden = !next;
    table.hidden = shown === 0;
    summary.textContent = shown === 0 ? t('cases.none') : t('cases.shown', { n: formatNumber(shown) });
  }
  more.addEventListener('click', () => load().catch((e) => e.status !== 401 && (summary.textContent = t('error.generic'))));

  replace(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', { tabindex: '-1' }, t('cases.title')),
      h('a', { class: 'button', href: '/console/cases/new' }, t('cases.new')),
    ),
    h('nav', { 'aria-label': t('cases.queues') }, tabs),
    summary,
    table,
    more,
  );
  await load();
}

/* Names of the missions, by id (every role may list them). */
async function missionNames() {
  const items = await fetchAll('/api/v1/missions');
  return new Map(items.map((m) => [m.id, m.name]));
}

/*
 * The users one knows of: only an administrator may list them all (GET /api/v1/users); others
 * know themselves and the colleagues of a case's mission (missionOfficers). Returns the enabled
 * accounts as {id, name, role, mission}.
 */
async function knownUsers(user) {
  if (allowed(ADMIN)) {
    try {
      return (await fetchAll('/api/v1/users')).filter((u) => !u.disabled);
    } catch (e) {
      if (e.status === 401) throw e;
    }
  }
  return [user];
}

/*
 * The colleagues to whom a case of mission may be assigned, as {id, name, role, mission}: none
 * when the case has no mission or the mission is not the reader's to see (404).
 */
async function missionOfficers(mission) {
  if (!mission) return [];
  try {
    return (await fetchAll(`/api/v1/missions/${mission}/officers`)).map((u) => ({ ...u, mission }));
  } catch (e) {
    if (e.status === 404 || e.status === 403) return [];
    throw e;
  }
}

/* Whether u may be assigned case c (the API's rule: an officer or admin of its mission, or hq). */
function assignable(u, c) {
  return u.role === 'hq' || ((u.role === 'officer' || u.role === 'admin') && u.mission === c.mission);
}

function eventText(e, c, names) {
  const d = e.detail || {};
  const person = (id) => (c.persons || []).find((p) => p.id === id);
  const userName = (id) => (id ? names.users.get(id) || t('case.someone') : t('case.nobody'));
  switch (e.kind) {
    case 'created':
      return t('case_event.created', { type: d.type ? t(`case_type.${d.type}`) : '' });
    case 'status':
      return t('case_event.status', { from: t(`case_status.${d.from}`), to: t(`case_status.${d.to}`) });
    case 'priority':
      return t('case_event.priority', { from: t(`case_priority.${d.from}`), to: t(`case_priority.${d.to}`) });
    case 'due':
      return t('case_event.due', { to: formatDateTime(d.to) });
    case 'assigned':
      return d.user ? t('case_event.assigned', { user: userName(d.user) }) : t('case_event.unassigned');
    case 'transferred':
      return t('case_event.transferred', {
        from: names.missions.get(d.previous_mission) || t('case.other_mission'),
        to: names.missions.get(d.mission) || t('case.other_mission'),
      });
    case 'person_linked': {
      const p = person(d.person);
      return t('case_event.person_linked', { name: p ? p.full_name : t('case.someone') });
    }
    case 'caller_promoted':
      return t('case_event.caller_promoted');
    case 'note':
      return t('case_event.note');
    case 'check_in':
      return t('case_event.check_in');
    default:
      return t('case_event.updated');
  }
}

function timelineList(c, names) {
  return h(
    'ol',
    { class: 'timeline case-timeline', reversed: true },
    [...c.timeline].reverse().map((e) =>
      h(
        'li',
        { 'data-kind': e.kind },
        h('time', { datetime: e.at }, formatDateTime(e.at)),
        ' · ',
        h('strong', null, eventText(e, c, names)),
        h('span', { class: 'muted' }, ` · ${e.author ? names.users.get(e.author) || t('case.someone') : t('case.system')}`),
        e.note ? h('p', { class: 'note' }, e.note) : null,
      ),
    ),
  );
}

/* A small form: its controls, a submit button, and a message line for the outcome. */
function actionForm(id, legend, controls, buttonText, onSubmit) {
  const message = h('p', { role: 'status', class: 'success', hidden: true });
  const error = h('p', { role: 'alert', class: 'error', hidden: true, id: `${id}-error` });
  const button = h('button', { type: 'submit' }, buttonText);
  const form = h(
    'form',
    {
      class: 'stack case-action',
      id,
      'aria-labelledby': `${id}-h`,
      onsubmit: async (ev) => {
        ev.preventDefault();
        message.hidden = true;
        error.hidden = true;
        button.disabled = true;
        try {
          const text = await onSubmit();
          if (text) {
            message.textContent = text;
            message.hidden = false;
          }
        } catch (e) {
          if (e.status === 401) return;
          error.textContent =
            e.status === 409 ? t('case.conflict') : e.status === 422 ? t('error.invalid') : e.status === 403 ? t('case.forbidden') : t('error.generic');
          error.hidden = false;
        } finally {
          button.disabled = false;
        }
      },
    },
    h('h3', { id: `${id}-h` }, legend),
    controls,
    button,
    message,
    error,
  );
  return form;
}

export async function caseView({ main, params, user, navigate, setTitle }) {
  const id = params[0];
  const [first, missions, people] = await Promise.all([api('GET', `/api/v1/cases/${id}`), missionNames(), knownUsers(user)]);
  const users = new Map(people.map((u) => [u.id, u.name]));
  users.set(user.id, user.name);
  const names = { missions, users };
  let c = first;
  /* The colleagues of the case's mission, fetched again when the case changes mission. */
  let officersOf = c.mission;
  let officers = await missionOfficers(c.mission);
  officers.forEach((u) => users.set(u.id, u.name));

  const head = h('div');
  const facts = h('div');
  const timeline = h('div');
  const actions = h('div', { class: 'case-actions' });

  function drawFacts() {
    setTitle(c.summary);
    replace(
      head,
      h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, c.summary)),
      h('p', { class: 'current-status', id: 'case-status' }, t('case.status'), ' ', caseStatus(c.status), ' ', priorityBadge(c.priority)),
    );
    replace(
      facts,
      h(
        'dl',
        { class: 'details' },
        h('dt', null, t('case.type')),
        h('dd', null, t(`case_type.${c.type}`)),
        h('dt', null, t('case.priority')),
        h('dd', null, priorityBadge(c.priority), c.priority_overridden ? h('span', { class: 'muted' }, ` (${t('case.priority_overridden')})`) : null),
        h('dt', null, t('case.due_at')),
        h('dd', null, dueText(c)),
        h('dt', null, t('case.channel')),
        h('dd', null, c.channel ? t(`case_channel.${c.channel}`) : ''),
        h('dt', null, t('case.mission')),
        h('dd', { id: 'case-mission' }, c.mission ? missions.get(c.mission) || '' : t('case.no_mission')),
        h('dt', null, t('case.assigned_to')),
        h('dd', { id: 'case-assignee' }, c.assigned_to ? users.get(c.assigned_to) || t('case.someone') : t('case.nobody')),
        c.crisis ? [h('dt', null, t('case.crisis')), h('dd', null, h('a', { href: `/console/crises/${c.crisis}` }, t('case.crisis_link')))] : null,
        h('dt', null, t('case.opened_at')),
        h('dd', null, formatDateTime(c.opened_at)),
        c.description ? [h('dt', null, t('case.description')), h('dd', { class: 'pre-line' }, c.description)] : null,
      ),
      h(
        'section',
        { 'aria-labelledby': 'case-persons-h' },
        h('h2', { id: 'case-persons-h' }, t('case.persons')),
        c.persons && c.persons.length
          ? h(
              'ul',
              { class: 'case-persons' },
              c.persons.map((p) =>
                h('li', null, h('a', { href: `/console/people/${p.id}` }, p.full_name), ' ', p.status ? statusBadge(p.status) : null),
              ),
            )
          : h('p', { class: 'muted' }, t('case.no_persons')),
        c.caller
          ? h(
              'div',
              { class: 'caller' },
              h('h3', null, t('case.caller')),
              h(
                'p',
                null,
                c.caller.name,
                c.caller.relation ? ` (${c.caller.relation})` : '',
                c.caller.phone ? ` · ${c.caller.phone}` : '',
              ),
              c.caller.notes ? h('p', { class: 'note' }, c.caller.notes) : null,
              c.caller.person ? h('p', null, h('a', { href: `/console/people/${c.caller.person}` }, t('case.caller_person'))) : null,
            )
          : null,
        subjectFacts(c),
      ),
    );
    replace(timeline, timelineList(c, names));
  }

  async function reload() {
    c = await api('GET', `/api/v1/cases/${id}`);
    if (c.mission !== officersOf) {
      officersOf = c.mission;
      officers = await missionOfficers(c.mission);
      officers.forEach((u) => users.set(u.id, u.name));
    }
    drawFacts();
    drawActions();
  }

  /* After a change made by one of the forms: the case again, and what changed said aloud. */
  async function changed(text) {
    await reload();
    announce(text);
  }

  function drawActions() {
    const forms = [];
    /* Status: only the next states the workflow allows. */
    if (c.next_statuses && c.next_statuses.length) {
      const select = selectOf('case-next-status', 'status', c.next_statuses.map((s) => [s, t(`case_status.${s}`)]), null, null);
      const note = h('textarea', { id: 'case-status-note', name: 'note', rows: '2', maxlength: '4000' });
      forms.push(
        actionForm(
          'case-status-form',
          t('case.change_status'),
          [
            h('div', { class: 'field' }, h('label', { for: 'case-next-status' }, t('case.next_status')), select),
            h('div', { class: 'field' }, h('label', { for: 'case-status-note' }, t('case.optional_note')), note),
          ],
          t('case.change_status_submit'),
          async () => {
            const to = select.value;
            await api('PATCH', `/api/v1/cases/${id}`, { status: to, note: note.value.trim() || undefined });
            await reload();
            announce(t('case.status_saved', { status: t(`case_status.${to}`) }));
            return null;
          },
        ),
      );
    }
    /* Assignment: to oneself first, then the colleagues of the case's mission, and for an
     * administrator any other user they know of who may hold it; the users of hq (the Consular
     * Department, who may hold any case: the API lists them with every mission's colleagues)
     * apart in their own group; or nobody. */
    const candidates = new Map();
    for (const u of [user, ...officers, ...people]) {
      if (!candidates.has(u.id) && u.id !== c.assigned_to && assignable(u, c)) candidates.set(u.id, u);
    }
    const assignChoices = [...candidates.values()].map((u) => [u.id, u.name, u.role]);
    if (assignChoices.length || c.assigned_to) {
      const inGroup = ([uid, , role]) => role === 'hq' && uid !== user.id;
      const options = [
        ...(c.assigned_to ? [['', t('case.unassign')]] : []),
        ...assignChoices.filter((x) => !inGroup(x)).map(([uid, name]) => [uid, uid === user.id ? t('case.me', { name }) : name]),
      ];
      const hqChoices = assignChoices.filter(inGroup);
      const select = selectOf('case-assignee-new', 'assigned_to', options, null, null);
      if (hqChoices.length) {
        select.append(h('optgroup', { label: t('case.assign_hq') }, hqChoices.map(([uid, name]) => h('option', { value: uid }, name))));
      }
      if (assignChoices.some(([uid]) => uid === user.id)) select.value = user.id;
      forms.push(
        actionForm(
          'case-assign-form',
          t('case.assign'),
          h('div', { class: 'field' }, h('label', { for: 'case-assignee-new' }, t('case.assign_to')), select),
          t('case.assign_submit'),
          async () => {
            await api('PATCH', `/api/v1/cases/${id}`, { assigned_to: select.value || null });
            await reload();
            announce(t('case.assign_saved'));
            return null;
          },
        ),
      );
    }
    /* Persons: link a registered citizen; make the unregistered caller a person. */
    forms.push(linkPersonSection(id, c, changed));
    forms.push(promoteCallerForm(id, c, changed));
    forms.push(subjectForm(id, c, changed));
    /* Transfer to another mission. */
    const others = [...missions.entries()].filter(([mid]) => mid !== c.mission);
    if (others.length) {
      const select = selectOf('case-transfer-to', 'mission_id', others, null, null);
      const reason = h('textarea', { id: 'case-transfer-reason', name: 'reason', rows: '2', maxlength: '500' });
      forms.push(
        actionForm(
          'case-transfer-form',
          t('case.transfer'),
          [
            h('div', { class: 'field' }, h('label', { for: 'case-transfer-to' }, t('case.transfer_to')), select),
            h('div', { class: 'field' }, h('label', { for: 'case-transfer-reason' }, t('case.transfer_reason')), reason),
          ],
          t('case.transfer_submit'),
          async () => {
            const to = select.value;
            await api('POST', `/api/v1/cases/${id}/transfer`, { mission_id: to, reason: reason.value.trim() || undefined });
            try {
              await reload();
              announce(t('case.transferred', { mission: missions.get(to) || '' }));
            } catch (e) {
              /* The case now belongs to a mission the officer may not see: back to the queue. */
              if (e.status !== 404) throw e;
              navigate(`/console/cases?queue=mission`);
            }
            return null;
          },
        ),
      );
    }
    replace(actions, forms);
  }

  const live = h('p', { role: 'status', class: 'success', id: 'case-live', 'aria-live': 'polite', tabindex: '-1' });
  /* Says what changed and moves focus there, since the form that was used has been redrawn. */
  function announce(text) {
    live.textContent = text;
    live.focus();
  }

  const noteText = h('textarea', { id: 'case-note', name: 'text', rows: '3', maxlength: '4000', required: true });
  const noteForm = actionForm(
    'case-note-form',
    t('case.add_note'),
    h('div', { class: 'field' }, h('label', { for: 'case-note' }, t('case.note')), noteText),
    t('case.add_note_submit'),
    async () => {
      const text = noteText.value.trim();
      if (!text) {
        noteText.focus();
        return null;
      }
      await api('POST', `/api/v1/cases/${id}/notes`, { text });
      noteText.value = '';
      await reload();
      return t('case.note_saved');
    },
  );

  drawFacts();
  drawActions();
  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/cases' }, t('cases.title'))),
    head,
    live,
    h(
      'div',
      { class: 'columns' },
      h('section', { 'aria-labelledby': 'case-facts-h' }, h('h2', { id: 'case-facts-h' }, t('case.facts')), facts),
      h('section', { 'aria-labelledby': 'case-act-h' }, h('h2', { id: 'case-act-h' }, t('case.act')), actions, noteForm),
    ),
    h('section', { 'aria-labelledby': 'case-timeline-h' }, h('h2', { id: 'case-timeline-h' }, t('case.timeline')), timeline),
  );
}

/* The form that opens a case. */
export async function caseFormView({ main, navigate, setTitle }) {
  setTitle(t('cases.new_title'));
  const crises = await fetchAll('/api/v1/crises', { status: 'open' });
  const f = new FieldForm();
  const type = selectOf('x', 'type', CASE_TYPES.map((k) => [k, t(`case_type.${k}`)]), null, null);
  const channel = selectOf('x', 'channel', CHANNELS.filter((k) => k !== 'check_in').map((k) => [k, t(`case_channel.${k}`)]), 'hotline', null);
  const crisis = selectOf('x', 'crisis', crises.map((k) => [k.id, k.name]), '', t('case.no_crisis'));
  const summary = h('input', { type: 'text', name: 'summary', maxlength: '300', required: true, autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: '4', maxlength: '4000' });

  /* Registered persons: a search as one types, and the chosen ones with a button to remove. */
  const chosen = new Map();
  const chosenList = h('ul', { class: 'chosen', id: 'case-chosen', 'aria-live': 'polite' });
  const search = h('input', { type: 'search', name: 'person_q', autocomplete: 'off' });
  const results = h('ul', { class: 'person-results', id: 'case-person-results' });
  function drawChosen() {
    replace(
      chosenList,
      [...chosen.entries()].map(([pid, name]) =>
        h(
          'li',
          null,
          name,
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              'aria-label': t('case.remove_person', { name }),
              onclick: () => {
                chosen.delete(pid);
                drawChosen();
                search.focus();
              },
            },
            t('case.remove'),
          ),
        ),
      ),
    );
  }
  let seq = 0;
  const lookup = debounce(async () => {
    const mine = ++seq;
    const q = search.value.trim();
    if (q.length < 2) {
      replace(results);
      return;
    }
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
                    disabled: chosen.has(p.id) || chosen.size >= PERSONS_MAX,
                    onclick: () => {
                      chosen.set(p.id, p.full_name);
                      drawChosen();
                      replace(results);
                      search.value = '';
                      search.focus();
                    },
                  },
                  t('case.add_person', { name: p.full_name }),
                ),
                p.date_of_birth ? h('span', { class: 'muted' }, ` ${formatPartialDate(p.date_of_birth)}`) : null,
              ),
            ),
      );
    } catch (e) {
      if (e.status !== 401 && mine === seq) replace(results, h('li', { class: 'error' }, t('error.generic')));
    }
  }, 250);
  search.addEventListener('input', lookup);

  const callerName = h('input', { type: 'text', name: 'caller_name', maxlength: '200', autocomplete: 'off' });
  const callerPhone = h('input', { type: 'tel', name: 'caller_phone', maxlength: '40', autocomplete: 'off' });
  const callerRelation = h('input', { type: 'text', name: 'caller_relation', maxlength: '100', autocomplete: 'off' });
  const callerNotes = h('textarea', { name: 'caller_notes', rows: '2', maxlength: '1000' });

  /* The missing person, folded, offered for the types of SUBJECT_TYPES only and sent only then. */
  const subject = subjectInputs(f, {});
  const subjectFold = h(
    'details',
    { class: 'create-form', id: 'case-new-subject' },
    h('summary', null, t('case.new_subject')),
    h(
      'fieldset',
      { class: 'stack' },
      h('legend', { class: 'visually-hidden' }, t('case.new_subject')),
      h('p', { class: 'hint' }, t('case.new_subject_hint')),
      subject.fields,
    ),
  );
  function drawSubject() {
    subjectFold.hidden = !SUBJECT_TYPES.includes(type.value);
  }
  type.addEventListener('change', drawSubject);
  drawSubject();
  const submit = h('button', { type: 'submit' }, t('cases.open'));

  async function onSubmit(ev) {
    ev.preventDefault();
    f.clearErrors();
    const body = {
      type: type.value,
      channel: channel.value,
      summary: summary.value.trim(),
      description: description.value.trim() || undefined,
      crisis: crisis.value || undefined,
    };
    if (chosen.size) body.persons = [...chosen.keys()];
    if (callerName.value.trim()) {
      body.caller = {
        name: callerName.value.trim(),
        phone: callerPhone.value.trim() || undefined,
        relation: callerRelation.value.trim() || undefined,
        notes: callerNotes.value.trim() || undefined,
      };
    }
    if (!subjectFold.hidden) {
      const bad = subject.problem();
      if (bad) {
        subjectFold.open = true;
        f.showFieldError(bad.key, bad.text);
        return;
      }
      body.subject = subject.body() || undefined;
    }
    if (!body.persons && !body.caller && !body.subject) {
      f.showFieldError('persons', t(subjectFold.hidden ? 'case.need_person' : 'case.need_person_subject'));
      return;
    }
    submit.disabled = true;
    try {
      const c = await api('POST', '/api/v1/cases', body);
      navigate(`/console/cases/${c.id}`);
    } catch (e) {
      if (e.status === 401) return;
      /* A refusal naming a field of the subject: unfold it so that the message is seen. */
      if (/^subject\./.test(fieldKey(e) || '')) subjectFold.open = true;
      f.showError(e);
    } finally {
      submit.disabled = false;
    }
  }

  replace(
    main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/console/cases' }, t('cases.title'))),
    h('h1', { tabindex: '-1' }, t('cases.new_title')),
    h(
      'form',
      { class: 'stack case-form', novalidate: true, onsubmit: onSubmit },
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('case.what')),
        f.field('type', 'case.type', type),
        f.field('summary', 'case.summary', summary, 'case.summary_hint'),
        f.field('description', 'case.description', description),
        f.field('channel', 'case.channel', channel),
        f.field('crisis', 'case.crisis', crisis),
      ),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('case.who')),
        h('p', { class: 'hint' }, t('case.who_hint')),
        f.field('persons', 'case.find_person', search, 'case.find_person_hint'),
        results,
        h('h3', { id: 'case-chosen-h' }, t('case.chosen')),
        chosenList,
      ),
      h(
        'fieldset',
        { class: 'group' },
        h('legend', null, t('case.caller_unregistered')),
        f.field('caller.name', 'case.caller_name', callerName),
        f.field('caller.phone', 'case.caller_phone', callerPhone),
        f.field('caller.relation', 'case.caller_relation', callerRelation),
        f.field('caller.notes', 'case.caller_notes', callerNotes),
      ),
      subjectFold,
      f.summary,
      h('div', { class: 'actions' }, submit),
    ),
  );
}
