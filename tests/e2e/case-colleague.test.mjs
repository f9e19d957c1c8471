/*
 * case-colleague.test.mjs - a case page after its intake, in a real browser against a real
 * server with the demo data: an officer of the Israel embassy assigns a case to a colleague of
 * the same embassy (offered from GET /api/v1/missions/{id}/officers; nobody of another mission
 * is offered), links a registered citizen found by a name typed without diacritics, and makes
 * the unregistered caller a registered person, meeting first the message next to the category
 * that a presence needs; the page fits a 360 px phone and reads in English too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start, unaccent } from './harness.mjs';

let env;
const COLLEAGUE = 'Đỗ Văn Đồng (ĐSQ Israel)';
const ME = 'Trần Văn Minh (ĐSQ Israel)';
/* The demo's user of hq (no mission), offered to every mission apart, under "Cục Lãnh sự". */
const HQ = 'Nguyễn Thị Lan (Cục Lãnh sự)';

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

/* Calls the API as the administrator (a session of its own, outside the browser). */
async function asAdmin(url, method, path, body) {
  const login = await fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: LOGINS.admin[0], password: LOGINS.admin[1] }),
  });
  assert.ok(login.ok, await login.text());
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Cookie: cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  assert.ok(res.ok, JSON.stringify(data));
  return data;
}

/* A colleague of the Israel embassy, made by the administrator. */
async function addColleague(url) {
  const missions = await asAdmin(url, 'GET', '/api/v1/missions?limit=500');
  const israel = missions.items.find((m) => m.country === 'IL');
  await asAdmin(url, 'POST', '/api/v1/users', {
    email: 'dong.nghiep@baoho.example',
    name: COLLEAGUE,
    role: 'officer',
    mission: israel.id,
    password: 'dong-nghiep-2023-e2e',
  });
}

/* Opens a case with an unregistered caller as the logged-in officer; returns its page's URL. */
async function openCase(page, url, summary) {
  const res = await page.request.post(`${url}/api/v1/cases`, {
    data: { type: 'missing_person_report', summary, caller: { name: 'Vũ Thị Gọi', phone: '+84 91 555 0202', relation: 'chị gái' } },
  });
  assert.equal(res.status(), 201, await res.text());
  return `${url}/console/cases/${(await res.json()).id}`;
}

async function options(locator) {
  return locator.locator('option').allTextContents();
}

test('an officer assigns a case to a colleague, links a citizen and registers the caller', async () => {
  const { url, browser } = env;
  await addColleague(url);
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const summary = 'Mất liên lạc với em trai ở Tel Aviv (E2E)';
  await page.goto(await openCase(page, url, summary));
  await page.getByRole('heading', { level: 1, name: summary }).waitFor();

  /* The choices: me, then the colleague, then hq apart; nobody of another mission. */
  const assignee = page.getByLabel('Giao cho');
  const choices = await options(assignee);
  assert.deepEqual(choices, [`Tôi (${ME})`, COLLEAGUE, HQ]);
  assert.deepEqual(await assignee.locator('optgroup[label="Cục Lãnh sự"] option').allTextContents(), [HQ]);
  await assignee.selectOption({ label: COLLEAGUE });
  await page.getByRole('button', { name: 'Phân công', exact: true }).click();
  await page.locator('#case-live').getByText('Đã cập nhật người phụ trách.').waitFor();
  assert.equal((await page.locator('#case-assignee').textContent()).trim(), COLLEAGUE);
  await page.locator('.case-timeline').getByText(`Giao cho ${COLLEAGUE}`).waitFor();
  /* Now the colleague holds it: the choices are nobody and me. */
  assert.deepEqual(await options(page.getByLabel('Giao cho')), ['Không giao cho ai', `Tôi (${ME})`, HQ]);

  /* Link a citizen of the demo data in Israel, typed without diacritics. */
  const found = await page.request.get(`${url}/api/v1/persons?country=IL&q=${encodeURIComponent('Nguyễn')}&limit=1`);
  const citizen = (await found.json()).items[0];
  assert.ok(citizen, 'a demo citizen in Israel');
  await page.getByLabel('Tìm công dân đã đăng ký').fill(unaccent(citizen.full_name));
  await page.getByRole('button', { name: `Liên kết ${citizen.full_name}` }).click();
  await page.locator('#case-live').getByText(`Đã liên kết ${citizen.full_name} với vụ việc.`).waitFor();
  await page.locator('.case-persons').getByRole('link', { name: citizen.full_name }).waitFor();
  await page.locator('.case-timeline').getByText(`Liên kết công dân ${citizen.full_name}`).waitFor();
  /* Searching again shows the citizen as linked already. */
  await page.getByLabel('Tìm công dân đã đăng ký').fill(unaccent(citizen.full_name));
  const again = page.getByRole('button', { name: `${citizen.full_name} (đã liên kết)` });
  await again.waitFor();
  assert.ok(await again.isDisabled(), 'a linked citizen cannot be linked twice');

  /* Register the caller: a country without a category is refused next to the category. */
  const promote = page.locator('#case-promote-form');
  assert.equal(await promote.getByLabel('Họ và tên').inputValue(), 'Vũ Thị Gọi');
  await promote.getByLabel('Quốc gia').selectOption('IL');
  await promote.getByRole('button', { name: 'Đăng ký và liên kết' }).click();
  const categoryError = promote.locator('#f-promote-presence-category-error');
  await categoryError.getByText('Mục này bắt buộc.').waitFor();
  assert.equal(await promote.getByLabel('Diện').getAttribute('aria-invalid'), 'true');
  await shot(page, 'console-case-promote-error');
  await promote.getByLabel('Diện').selectOption('tourist');
  await promote.getByLabel('Thành phố').fill('Tel Aviv');
  await promote.getByRole('button', { name: 'Đăng ký và liên kết' }).click();
  await page.locator('#case-live').getByText('Đã đăng ký Vũ Thị Gọi và liên kết với vụ việc.').waitFor();
  await page.locator('.case-persons').getByRole('link', { name: 'Vũ Thị Gọi' }).waitFor();
  await page.locator('.caller').getByRole('link', { name: 'Hồ sơ của người gọi' }).waitFor();
  assert.equal(await page.locator('#case-promote-form').count(), 0, 'the caller is registered once');
  await shot(page, 'console-case-colleague');

  /* The colleague finds the case in their own queue. */
  const colleague = await newPage(browser);
  await login(colleague, url, ['dong.nghiep@baoho.example', 'dong-nghiep-2023-e2e']);
  await colleague.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await colleague.goto(`${url}/console/cases?queue=mine`);
  await colleague.getByRole('link', { name: summary }).waitFor();
  assert.deepEqual(page.problems, []);
  assert.deepEqual(colleague.problems, []);
  await page.context().close();
  await colleague.context().close();
});

test('the case page with its new forms fits a 360 px phone, in English too', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const summary = 'Người gọi chưa có hồ sơ (E2E 360)';
  await page.goto(await openCase(page, url, summary));
  await page.getByRole('heading', { level: 1, name: summary }).waitFor();
  await page.locator('#case-promote-form').waitFor();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), 'the case page fits 360 px');
  await shot(page, 'console-case-forms-360');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Link a registered citizen' }).waitFor();
  await page.getByRole('heading', { name: 'Register the caller as a citizen' }).waitFor();
  await page.getByLabel('Assign to').waitFor();
  const text = await page.locator('main').innerText();
  for (const word of ['Liên kết', 'Đăng ký', 'Giao cho', 'Nơi ở', 'Diện', 'Tìm công dân']) {
    assert.ok(!text.includes(word), `no "${word}" on the English case page`);
  }
  assert.ok(await fits(), 'the English case page fits 360 px');
  await shot(page, 'console-case-forms-en-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
