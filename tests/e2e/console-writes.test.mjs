/*
 * console-writes.test.mjs - the console's writes are safe to repeat: each write carries a fresh
 * Idempotency-Key (a version 4 UUID from crypto.getRandomValues); a write whose answer the
 * network lost is sent once more with the same key and the server does it once (it replays the
 * first answer); a write the server could not finish (503 with Retry-After) is sent again after
 * the wait, with the same key, and recorded once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start } from './harness.mjs';

let env;

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/* The problems of a page but the failures this test causes on purpose. */
function unexpected(problems) {
  return problems.filter((p) => !/ERR_FAILED|status of 503/.test(p));
}

test('a lost answer to a console write is retried with the same Idempotency-Key and the person is created once', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  const writes = [];
  page.on('request', (r) => {
    if (r.method() !== 'GET' && r.url().includes('/api/')) writes.push({ method: r.method(), url: r.url(), key: r.headers()['idempotency-key'] });
  });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  assert.match(writes[0].key || '', UUID4, 'the login POST carries a key too');

  /* The first POST reaches the server, but its answer is lost on the way back. */
  const attempts = [];
  await page.route(`${url}/api/v1/persons`, async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    attempts.push(req.headers()['idempotency-key']);
    if (attempts.length === 1) {
      const first = await route.fetch();
      assert.equal(first.status(), 201, 'the server did the write');
      return route.abort('failed');
    }
    return route.continue();
  });
  const replayed = page.waitForResponse((r) => r.url() === `${url}/api/v1/persons` && r.request().method() === 'POST');
  await page.goto(`${url}/console/people/new`);
  await page.getByRole('heading', { level: 1, name: 'Thêm công dân' }).waitFor();
  await page.getByLabel('Họ và tên').fill('Lê Thị Một Lần');
  await page.getByLabel('Quốc gia').selectOption('IL');
  await page.getByLabel('Thành phố').fill('Haifa');
  await page.getByLabel('Diện').selectOption('worker');
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Lê Thị Một Lần' }).waitFor();
  const answer = await replayed;
  assert.equal(attempts.length, 2, 'one automatic retry');
  assert.match(attempts[0], UUID4);
  assert.equal(attempts[1], attempts[0], 'the retry carries the same key');
  assert.equal(answer.headers()['idempotent-replayed'], 'true', 'the server replayed the first answer');
  const found = await (await page.request.get(`${url}/api/v1/persons?q=${encodeURIComponent('Lê Thị Một Lần')}`)).json();
  assert.equal(found.items.length, 1, 'the person exists once');
  await page.unroute(`${url}/api/v1/persons`);

  /* The next write is another action: another key. */
  await page.getByLabel('Tình trạng', { exact: true }).selectOption('safe');
  await page.getByRole('button', { name: 'Ghi tình trạng' }).click();
  await page.getByText('Đã ghi tình trạng: an toàn.').waitFor();
  const status = writes.filter((w) => w.url.endsWith('/status'));
  assert.equal(status.length, 1);
  assert.match(status[0].key, UUID4);
  assert.notEqual(status[0].key, attempts[0], 'a new action has a new key');
  assert.deepEqual(unexpected(page.problems), []);
  await page.context().close();
});

test('a console write answered 503 with Retry-After is sent again after the wait with the same key, and recorded once', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const list = await (await page.request.get(`${url}/api/v1/persons?country=IL&limit=5`)).json();
  const person = list.items[0];
  const before = await (await page.request.get(`${url}/api/v1/persons/${person.id}/status`)).json();

  const attempts = [];
  await page.route(`${url}/api/v1/persons/${person.id}/status`, async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    attempts.push({ key: req.headers()['idempotency-key'] });
    if (attempts.length === 1) {
      return route.fulfill({
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
        body: JSON.stringify({ error: { code: 'unavailable', message: 'the database is busy; try again' } }),
      });
    }
    return route.continue();
  });
  await page.goto(`${url}/console/people/${person.id}`);
  await page.getByRole('heading', { level: 1, name: person.full_name }).waitFor();
  const target = person.status === 'needs_assistance' ? 'safe' : 'needs_assistance';
  await page.getByLabel('Tình trạng', { exact: true }).selectOption(target);
  await page.getByLabel('Ghi chú').fill('Gửi lại sau 503');
  await page.getByRole('button', { name: 'Ghi tình trạng' }).click();
  await page.locator('.timeline li').first().getByText('Gửi lại sau 503').waitFor();
  await shot(page, 'console-write-retried');
  assert.equal(attempts.length, 2, 'one automatic retry');
  assert.match(attempts[0].key, UUID4);
  assert.equal(attempts[1].key, attempts[0].key, 'the retry carries the same key');
  const afterward = await (await page.request.get(`${url}/api/v1/persons/${person.id}/status`)).json();
  const notes = afterward.history.filter((s) => s.note === 'Gửi lại sau 503');
  assert.equal(notes.length, 1, 'the status is recorded once');
  assert.equal(afterward.history.length, before.history.length + 1);
  assert.deepEqual(unexpected(page.problems), []);
  await page.context().close();
});
