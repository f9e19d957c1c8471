/*
 * lists.test.mjs - a foreign authority's list in a real browser against a real server with the
 * demo data: the Consular Department uploads a small CSV file naming two citizens of the demo
 * data in Myanmar, reviews each row beside its candidates (fields side by side, probability,
 * band, the explanation in Vietnamese), confirms the first row's match with the keyboard (c),
 * which moves to the next row, and rejects that row's candidate (r); the counts and the API
 * agree. Also: a file without a name column is refused next to the file field.
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

async function openUpload(page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Danh sách', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Danh sách của nước sở tại' }).waitFor();
  await page.getByRole('link', { name: 'Tải lên danh sách' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tải lên danh sách' }).waitFor();
}

test('an officer uploads a list, reviews a row beside its candidates and confirms and rejects with the keyboard', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  /* Two citizens of the demo data in Myanmar with a full date of birth. */
  const res = await page.request.get(`${url}/api/v1/persons?country=MM&limit=50`);
  const people = (await res.json()).items.filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.date_of_birth || '') && p.sex !== 'U');
  assert.ok(people.length >= 2, 'two demo citizens in Myanmar');
  const [a, b] = people;
  const csv = `full_name,date_of_birth,sex\n${a.full_name},${a.date_of_birth},${a.sex}\n${b.full_name},${b.date_of_birth},${b.sex}\n`;

  await openUpload(page);
  await page.getByLabel('Tệp CSV').setInputFiles({ name: 'released.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByLabel('Tên danh sách').fill('Người được thả 09/11 (E2E)');
  await page.getByLabel('Cơ quan cung cấp', { exact: true }).fill('Cảnh sát Myanmar, Myawaddy');
  await page.getByLabel('Nước của cơ quan cung cấp').selectOption('MM');
  await shot(page, 'console-list-upload');
  await page.getByRole('button', { name: 'Tải lên và đối chiếu' }).click();
  await page.getByRole('heading', { level: 1, name: 'Người được thả 09/11 (E2E)' }).waitFor();
  const listId = page.url().split('/').pop();
  await page.locator('#list-counts').getByText('2 dòng: 2 chưa xem xét').waitFor();
  await page.getByText('Phím tắt: j dòng sau, k dòng trước').waitFor();

  /* Row 1 beside its candidates: the demo citizen is the first, strong, explained in Vietnamese. */
  const row1 = page.locator('article.list-row').nth(0);
  const first = row1.locator('thead th').nth(2);
  assert.ok((await first.innerText()).includes(a.full_name), 'the citizen is the first candidate');
  await first.getByText('Khớp mạnh').waitFor();
  const why = await row1.locator('tr.explanation td').nth(1).innerText();
  assert.match(why, /Họ tên: /);
  assert.match(why, /Ngày sinh: trùng ngày/);
  assert.ok(!/same|missing/.test(why), `no English left in the explanation: ${why}`);
  await shot(page, 'console-list-review');

  /* The keyboard: c confirms row 1's chosen candidate and moves to row 2; r rejects there. */
  await page.locator('h1').click();
  await page.keyboard.press('c');
  await page.locator('#list-live').getByText(`Dòng 1: đã xác nhận ${a.full_name}.`).waitFor();
  await page.locator('#list-counts').getByText('1 chưa xem xét, 1 đã xác nhận').waitFor();
  assert.equal(await page.locator('article.list-row.current').getAttribute('data-row'), '2');
  const secondName = (await page.locator('article.list-row').nth(1).locator('thead th').nth(2).locator('a').textContent()).trim();
  await page.keyboard.press('k');
  assert.equal(await page.locator('article.list-row.current').getAttribute('data-row'), '1');
  await page.keyboard.press('j');
  assert.equal(await page.locator('article.list-row.current').getAttribute('data-row'), '2');
  await page.keyboard.press('r');
  await page.locator('#list-live').getByText(`Dòng 2: đã loại ${secondName}.`).waitFor();
  await shot(page, 'console-list-decided');

  const rows = await (await page.request.get(`${url}/api/v1/lists/${listId}/rows`)).json();
  assert.equal(rows.items[0].decision, 'confirmed');
  assert.equal(rows.items[0].person, a.id);
  assert.equal(rows.items[1].candidates[0].decision, 'rejected');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a file without a name column is refused next to the file field', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await openUpload(page);
  await page.getByLabel('Tệp CSV').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('colour,weight\nred,3\n') });
  await page.getByLabel('Tên danh sách').fill('Tệp hỏng');
  await page.getByLabel('Cơ quan cung cấp', { exact: true }).fill('Không rõ');
  await page.getByLabel('Nước của cơ quan cung cấp').selectOption('MM');
  await page.getByRole('button', { name: 'Tải lên và đối chiếu' }).click();
  const error = page.locator('#f-body-error');
  await error.waitFor();
  assert.ok((await error.innerText()).length > 0);
  assert.equal(await page.getByLabel('Tệp CSV').getAttribute('aria-invalid'), 'true');
  await page.context().close();
});
