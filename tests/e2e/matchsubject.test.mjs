/*
 * matchsubject.test.mjs - in a real browser against a real server with the demo data: an officer
 * uploads a list saying what a confirmation applies (status "safe" and a presence in the list's
 * country, in a region), and the answer to the upload is lost on the way back: the console sends
 * it again with the same Idempotency-Key and the server answers the list the first attempt
 * created, so there is one list, not two. And on a missing-person case's page the officer
 * records the person the case is about (name, sex, date of birth, ID number), sees them among
 * the case's facts, and a date that is not one is refused next to its field.
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

test('an upload whose answer is lost is sent again with the same key and creates one list with its confirmation settings', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(`${url}/console/lists/new`);
  await page.getByRole('heading', { level: 1, name: 'Tải lên danh sách' }).waitFor();
  await page.getByLabel('Tệp CSV').setInputFiles({
    name: 'released.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('full_name,date_of_birth\nNGUYEN VAN LOST,1990-05-05\n'),
  });
  const title = 'Danh sách mất câu trả lời (E2E)';
  await page.getByLabel('Tên danh sách').fill(title);
  await page.getByLabel('Cơ quan cung cấp', { exact: true }).fill('Cảnh sát Myanmar, Myawaddy');
  await page.getByLabel('Nước của cơ quan cung cấp').selectOption('MM');
  /* The presence's category waits for the presence to be asked for. */
  const onConfirm = page.locator('#list-on-confirm');
  assert.equal(await onConfirm.getByLabel('Diện').isDisabled(), true);
  await onConfirm.getByLabel('Tình trạng ghi nhận').selectOption('safe');
  await onConfirm.getByLabel('Ghi nhận người đó đang có mặt tại quốc gia của danh sách').check();
  assert.equal(await onConfirm.getByLabel('Diện').isDisabled(), false);
  await page.getByLabel('Vùng').fill('Myawaddy');
  await shot(page, 'console-list-upload-on-confirm');

  /* The first attempt reaches the server, but its answer never reaches the page. */
  const keys = [];
  let lost = false;
  await page.route('**/api/v1/lists?*', async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    keys.push(req.headers()['idempotency-key']);
    if (lost) return route.continue();
    lost = true;
    await route.fetch();
    return route.abort('connectionreset');
  });
  await page.getByRole('button', { name: 'Tải lên và đối chiếu' }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
  assert.equal(keys.length, 2, 'sent twice');
  assert.ok(keys[0] && keys[0] === keys[1], 'with the same Idempotency-Key');

  const all = await (await page.request.get(`${url}/api/v1/lists?limit=500`)).json();
  const mine = all.items.filter((l) => l.title === title);
  assert.equal(mine.length, 1, 'one list');
  assert.equal(page.url().split('/').pop(), mine[0].id);
  assert.equal(mine[0].on_confirm.status, 'safe');
  assert.deepEqual(mine[0].on_confirm.presence, { country: 'MM', region: 'Myawaddy', category: 'other' });
  assert.deepEqual(page.problems.filter((p) => !/ERR_CONNECTION_RESET|Failed to fetch/.test(p)), []);
  await page.context().close();
});

test('an officer records the person a missing-person case is about on the case page', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const res = await page.request.post(`${url}/api/v1/cases`, {
    data: { type: 'missing_person_report', summary: 'Mẹ báo con mất liên lạc (E2E)', caller: { name: 'Lò Thị Mai', relation: 'mẹ' } },
  });
  assert.equal(res.status(), 201);
  const kase = await res.json();
  await page.goto(`${url}/console/cases/${kase.id}`);
  await page.getByRole('heading', { level: 1, name: 'Mẹ báo con mất liên lạc (E2E)' }).waitFor();
  const form = page.locator('#case-subject-form');
  await form.getByLabel('Họ và tên').fill('Lò Văn Pấng');
  await form.getByLabel('Giới tính').selectOption('M');
  await form.getByLabel('Ngày sinh').fill('14/07/1991');
  await form.getByLabel('Số hộ chiếu hoặc CCCD').fill('c 765 4321');
  await form.getByRole('button', { name: 'Lưu thông tin' }).click();
  /* Not a date the API takes: said next to the field, nothing saved. */
  await page.waitForFunction(() => document.querySelector('#case-subject-form [name="date_of_birth"]').getAttribute('aria-invalid') === 'true');
  assert.equal((await (await page.request.get(`${url}/api/v1/cases/${kase.id}`)).json()).subject, null);
  await page.locator('#case-subject-form').getByLabel('Ngày sinh').fill('1991-07-14');
  await page.locator('#case-subject-form').getByRole('button', { name: 'Lưu thông tin' }).click();
  await page.locator('#case-live').getByText('Đã lưu thông tin người mà hồ sơ nói đến.').waitFor();
  const facts = page.locator('#case-subject');
  await facts.getByText('Lò Văn Pấng').waitFor();
  await facts.locator('[data-field="id_number"]').getByText('C7654321').waitFor();
  await shot(page, 'console-case-subject');
  const saved = (await (await page.request.get(`${url}/api/v1/cases/${kase.id}`)).json()).subject;
  assert.deepEqual(saved, { full_name: 'Lò Văn Pấng', sex: 'M', date_of_birth: '1991-07-14', home_province: null, id_number: 'C7654321' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
