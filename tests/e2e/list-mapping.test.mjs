/*
 * list-mapping.test.mjs - the column map of a list upload in a real browser: a foreign
 * authority's file whose columns are named in its own words (semicolon separated, with a "city"
 * column of rubbish) shows each column with its first value and a role chosen as the server
 * would (city is recognised, the rest ignored); the officer maps the name, date of birth and sex
 * with the keyboard and ignores the city; two columns given one role are said next to the
 * choice; the upload sends only the changes as ?map= and the citizens are found.
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

test('an officer maps the columns of a foreign list, ignores one, and the upload finds the citizens', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const res = await page.request.get(`${url}/api/v1/persons?country=MM&limit=50`);
  const people = (await res.json()).items.filter((p) => /^\d{4}-\d{2}-\d{2}$/.test(p.date_of_birth || '') && p.sex !== 'U');
  assert.ok(people.length >= 2, 'two demo citizens in Myanmar');
  const [a, b] = people;
  const csv =
    'Họ tên;Ngày sinh;Giới tính;city\n' +
    `${a.full_name};${a.date_of_birth};${a.sex};Nowhere 1\n` +
    `${b.full_name};${b.date_of_birth};${b.sex};Nowhere 2\n`;

  await page.goto(`${url}/console/lists/new`);
  await page.getByRole('heading', { level: 1, name: 'Tải lên danh sách' }).waitFor();
  await page.getByLabel('Tệp CSV').setInputFiles({ name: 'foreign.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const section = page.locator('fieldset.list-map');
  await section.getByText('Các cột của tệp').waitFor();
  /* Each column with its first value; the defaults are the server's. */
  const name = section.getByLabel('Cột 1: Họ tên');
  const dob = section.getByLabel('Cột 2: Ngày sinh');
  const sex = section.getByLabel('Cột 3: Giới tính');
  const city = section.getByLabel('Cột 4: city');
  assert.equal(await name.inputValue(), 'ignore');
  assert.equal(await dob.inputValue(), 'ignore');
  assert.equal(await city.inputValue(), 'city', 'a column named like a role has that role');
  await section.getByText(`Ở dòng đầu: ${a.full_name}`).waitFor();
  await section.getByText('Chưa có cột họ tên', { exact: false }).waitFor();

  /* Two columns given one role are said next to the later one. */
  await dob.selectOption('city');
  await section.locator('#list-map-3-error').getByText('Vai trò này đã gán cho cột “Ngày sinh”.').waitFor();
  assert.equal(await city.getAttribute('aria-invalid'), 'true');

  /* The keyboard: focus a choice and type the start of a role's name. */
  await name.focus();
  await name.selectOption('full_name');
  await dob.selectOption('date_of_birth');
  await sex.selectOption('sex');
  await city.selectOption('ignore');
  assert.equal(await section.locator('.field-error:not([hidden])').count(), 0, 'no error left');
  await section.getByText('4 cột, 3 cột được dùng.').waitFor();
  await page.getByLabel('Tên danh sách').fill('Danh sách của cảnh sát (E2E, cột đã gán)');
  await page.getByLabel('Cơ quan cung cấp', { exact: true }).fill('Cảnh sát Myanmar');
  await page.getByLabel('Nước của cơ quan cung cấp').selectOption('MM');
  await shot(page, 'console-list-mapping');

  const upload = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/v1/lists?'));
  await page.getByRole('button', { name: 'Tải lên và đối chiếu' }).click();
  const sent = new URL((await upload).url()).searchParams.get('map');
  assert.equal(sent, 'Họ tên=full_name,Ngày sinh=date_of_birth,Giới tính=sex,city=ignore', 'only the changes are sent');
  await page.getByRole('heading', { level: 1, name: 'Danh sách của cảnh sát (E2E, cột đã gán)' }).waitFor();
  const listId = page.url().split('/').pop();
  await page.locator('#list-counts').getByText('2 dòng: 2 chưa xem xét').waitFor();
  const row1 = page.locator('article.list-row').nth(0);
  const first = row1.locator('thead th').nth(2);
  assert.ok((await first.innerText()).includes(a.full_name), 'the citizen is the first candidate');
  await first.getByText('Khớp mạnh').waitFor();

  const rows = await (await page.request.get(`${url}/api/v1/lists/${listId}/rows`)).json();
  assert.equal(rows.items[0].candidates[0].person.id, a.id);
  assert.equal(rows.items[1].candidates[0].person.id, b.id);
  assert.equal(rows.items[0].fields.full_name, a.full_name);
  assert.equal(rows.items[0].fields.city, undefined, 'the ignored column is left out');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the column choices speak English on the English console', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { locale: 'en-GB' });
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.goto(`${url}/console/lists/new`);
  await page.getByRole('heading', { level: 1, name: 'Upload a list' }).waitFor();
  await page.getByLabel('CSV file').setInputFiles({ name: 'f.csv', mimeType: 'text/csv', buffer: Buffer.from('Name\tFull_Name \tDOB\nA\tB\tC\n') });
  const section = page.locator('fieldset.list-map');
  await section.getByText('Columns of the file').waitFor();
  assert.equal(await section.getByLabel('Column 2: Full_Name').inputValue(), 'full_name', 'tabs, case and spaces as the server reads them');
  await section.getByLabel('Column 1: Name').selectOption('given_name');
  assert.equal(await section.locator('#list-map-0 option:checked').textContent(), 'Given name');
  await section.getByText('3 columns, 2 used.').waitFor();
  assert.equal(await section.getByText('Các cột').count(), 0, 'no Vietnamese left');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
