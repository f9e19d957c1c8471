/*
 * sections.js - THE list of the console's sections: each has a menu entry (key, href, the roles
 * that see it) and its routes (a path pattern, the view, the roles that may open it). main.js
 * builds the menu and the router from this list only, so adding a section is one module with its
 * views plus one entry here. A route a role may not use is neither linked nor shown.
 */
import { advisoriesView, advisoryFormView, advisoryView } from './advisories.js';
import { alertComposeView, alertView } from './alerts.js';
import { caseFormView, caseView, casesView } from './cases.js';
import { crisesView, crisisFormView } from './crises.js';
import { crisisView } from './crisis.js';
import { dashboardView } from './dashboard.js';
import { evacView, siteView, transportView } from './evac.js';
import { listUploadView, listView, listsView } from './lists.js';
import { peopleView } from './people.js';
import { personFormView } from './person-form.js';
import { personView } from './person.js';
import { ADMIN, PERSONAL } from './roles.js';
import { usersView } from './users.js';


const ID = '([a-z0-9]+)';

export const SECTIONS = [
  {
    key: 'dashboard',
    href: '/console/dashboard',
    routes: [{ re: /^\/console\/dashboard$/, view: dashboardView }],
  },
  {
    key: 'people',
    href: '/console/people',
    roles: PERSONAL,
    routes: [
      { re: /^\/console\/people$/, view: peopleView },
      { re: /^\/console\/people\/new$/, view: personFormView },
      { re: new RegExp(`^/console/people/${ID}$`), view: personView },
      { re: new RegExp(`^/console/people/${ID}/edit$`), view: personFormView },
    ],
  },
  {
    key: 'crises',
    href: '/console/crises',
    routes: [
      { re: /^\/console\/crises$/, view: crisesView },
      { re: /^\/console\/crises\/new$/, view: crisisFormView, roles: PERSONAL },
      { re: new RegExp(`^/console/crises/${ID}$`), view: crisisView },
      { re: new RegExp(`^/console/crises/${ID}/alert$`), view: alertComposeView, roles: PERSONAL },
      { re: new RegExp(`^/console/alerts/${ID}$`), view: alertView, roles: PERSONAL },
    ],
  },
  {
    key: 'advisories',
    href: '/console/advisories',
    routes: [
      { re: /^\/console\/advisories$/, view: advisoriesView },
      { re: /^\/console\/advisories\/new$/, view: advisoryFormView, roles: PERSONAL },
      { re: new RegExp(`^/console/advisories/${ID}$`), view: advisoryView },
    ],
  },
  {
    key: 'cases',
    href: '/console/cases',
    roles: PERSONAL,
    routes: [
      { re: /^\/console\/cases$/, view: casesView },
      { re: /^\/console\/cases\/new$/, view: caseFormView },
      { re: new RegExp(`^/console/cases/${ID}$`), view: caseView },
    ],
  },
  {
    key: 'evacuation',
    href: '/console/evacuation',
    routes: [
      { re: /^\/console\/evacuation$/, view: evacView },
      { re: new RegExp(`^/console/evacuation/transports/${ID}$`), view: transportView },
      { re: new RegExp(`^/console/evacuation/sites/${ID}$`), view: siteView },
    ],
  },
  {
    key: 'lists',
    href: '/console/lists',
    roles: PERSONAL,
    routes: [
      { re: /^\/console\/lists$/, view: listsView },
      { re: /^\/console\/lists\/new$/, view: listUploadView },
      { re: new RegExp(`^/console/lists/${ID}$`), view: listView },
    ],
  },
  {
    key: 'users',
    href: '/console/users',
    roles: ADMIN,
    routes: [{ re: /^\/console\/users$/, view: usersView }],
  },
];
