/*
 * evac.test.mjs - evacuation in a real browser against a real server: a flight leaving Jordan
 * (where the demo data has nobody, so that every figure is known) with 4 seats; the Consular
 * Department books a family of three from the suggestions (first, for its child) in one go, sees
 * the capacity refusal of a family of two next to that family's button, boards and marks a
 * no-show, and marks the flight arrived; a staging site of one place takes one person, refuses a
 * second one as full, and lets the first leave. A viewer sees the figures but not the manifest.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start } from './harness.mjs';

let env;
const ids = {};

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

async function create(page, url, path, data) {
  const res = await page.request.post(`${url}${path}`, { data });
  assert.equal(res.status(), 201, await res.text());
  return (await res.json()).id;
}

function inJordan(fullName, extra = {}, group = null) {
  return {
    full_name: fullName,
    ...extra,
    presence: { country: 'JO', city: 'Amman', category: 'worker', from: '2023-01', ...(group ? { group_id: group } : {}) },
  };
}

test('the Consular Department books a family from the suggestions, meets the capacity refusal and lands the flight', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  /* A family of three with a child, a family of two, in Jordan. */
  await create(page, url, '/api/v1/persons', inJordan('Đỗ Văn Cha', {}, 'fam-do'));
  await create(page, url, '/api/v1/persons', inJordan('Đỗ Thị Mẹ', {}, 'fam-do'));
  await create(page, url, '/api/v1/persons', inJordan('Đỗ Bé Con', { flags: ['minor'] }, 'fam-do'));
  await create(page, url, '/api/v1/persons', inJordan('Hà Văn Anh', {}, 'fam-ha'));
  await create(page, url, '/api/v1/persons', inJordan('Hà Thị Em', {}, 'fam-ha'));
  ids.transport = await create(page, url, '/api/v1/transports', {
    mode: 'flight', provider: 'own', purpose: 'evacuation',
    origin: { place: 'Amman', country: 'JO' }, destination: { place: 'Hà Nội', country: 'VN' },
    departure_at: '2023-10-20T08:00:00Z', capacity: 4, reference: 'VN-E2E1',
  });

  await page.getByRole('navigation').getByRole('link', { name: 'Sơ tán', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Sơ tán' }).waitFor();
  await shot(page, 'console-evacuation');
  await page.getByRole('link', { name: /VN-E2E1/ }).click();
  await page.getByRole('heading', { level: 1, name: /VN-E2E1/ }).waitFor();
  await page.getByText('Đã dùng 0 trên 4 chỗ, còn trống 4.').waitFor();

  /* The family with the child comes first, its members together with their reasons. */
  const first = page.locator('.suggestions > li').first();
  await first.getByText('Gia đình 3 người').waitFor();
  const firstText = await first.innerText();
  for (const name of ['Đỗ Văn Cha', 'Đỗ Thị Mẹ', 'Đỗ Bé Con']) assert.ok(firstText.includes(name), `${name} in the first family`);
  assert.ok(firstText.includes('trẻ vị thành niên'), 'the child is the reason');
  await shot(page, 'console-transport-suggestions');
  await first.getByRole('button', { name: /Đặt chỗ cho cả gia đình \(3 người\)/ }).click();
  await page.locator('#transport-live').getByText(/^Đã đặt chỗ: /).waitFor();
  await page.getByText('Đã dùng 3 trên 4 chỗ, còn trống 1.').waitFor();
  const manifest = page.locator('table', { has: page.locator('caption', { hasText: 'Danh sách hành khách' }) });
  assert.equal(await manifest.locator('tbody tr').count(), 3);

  /* The family of two does not fit: the refusal is shown next to its button, nothing is booked. */
  const second = page.locator('.suggestions > li', { hasText: 'Hà Văn Anh' });
  await second.getByRole('button', { name: /Đặt chỗ cho cả gia đình \(2 người\)/ }).click();
  const refusal = second.locator('.field-error');
  await refusal.getByText('Không đủ chỗ: sức chứa 4, đã đặt 3, nhóm này cần 2').waitFor();
  assert.ok(!(await refusal.innerText()).includes('not enough seats'), 'only the reader\'s language');
  assert.equal(await manifest.locator('tbody tr').count(), 3, 'the refused family was not booked');
  await shot(page, 'console-transport-refusal');

  /* Two board, one does not show; the flight lands. */
  const row = (name) => manifest.locator('tbody tr', { hasText: name });
  await row('Đỗ Văn Cha').getByRole('button', { name: 'Đã lên' }).click();
  await row('Đỗ Văn Cha').getByText('Đã lên').first().waitFor();
  await row('Đỗ Bé Con').getByRole('button', { name: 'Đã lên' }).click();
  await page.locator('#transport-live').getByText('Đỗ Bé Con: Đã lên.').waitFor();
  await row('Đỗ Thị Mẹ').getByRole('button', { name: 'Không có mặt' }).click();
  await page.locator('#transport-live').getByText('Đỗ Thị Mẹ: Không có mặt.').waitFor();
  await page.getByText('Đã dùng 2 trên 4 chỗ, còn trống 2.').waitFor();
  await page.getByRole('button', { name: 'Ghi nhận chuyến đi đã đến' }).click();
  await page.locator('#transport-live').getByText('Chuyến đi đã đến: 2 hành khách, 2 công dân được cập nhật trạng thái.').waitFor();
  assert.equal((await page.locator('.current-status .status').textContent()).trim(), 'Đã đến');
  assert.equal((await row('Đỗ Văn Cha').locator('.status').textContent()).trim(), 'Đã đến');
  assert.equal(await page.getByRole('button', { name: 'Ghi nhận chuyến đi đã đến' }).count(), 0);
  await shot(page, 'console-transport');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a staging site checks a person in, refuses one more when full, and checks out', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await create(page, url, '/api/v1/persons', inJordan('Lý Văn Một'));
  await create(page, url, '/api/v1/persons', inJordan('Lý Văn Hai'));
  ids.site = await create(page, url, '/api/v1/sites', {
    kind: 'shelter', name: 'Nhà tạm lánh Amman (E2E)', country: 'JO', capacity: 1,
  });
  await page.getByRole('navigation').getByRole('link', { name: 'Sơ tán', exact: true }).click();
  await page.getByRole('link', { name: 'Nhà tạm lánh Amman (E2E)' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nhà tạm lánh Amman (E2E)' }).waitFor();
  await page.getByText('Đang có 0 người trên sức chứa 1, còn trống 1.').waitFor();

  await page.getByLabel('Tìm công dân đã đăng ký').fill('Ly Van Mot');
  await page.getByRole('button', { name: 'Tiếp nhận Lý Văn Một' }).click();
  await page.locator('#site-live').getByText('Đã tiếp nhận Lý Văn Một.').waitFor();
  await page.getByText('Đang có 1 người trên sức chứa 1, còn trống 0.').waitFor();

  await page.getByLabel('Tìm công dân đã đăng ký').fill('Ly Van Hai');
  await page.getByRole('button', { name: 'Tiếp nhận Lý Văn Hai' }).click();
  await page.locator('#checkin-error').getByText(/đầy|full/).waitFor();
  assert.ok(!(await page.locator('#checkin-error').innerText()).includes('full'), 'only the reader\'s language');
  await shot(page, 'console-site');

  await page.getByRole('button', { name: 'Rời điểm' }).click();
  await page.locator('#site-live').getByText('Lý Văn Một đã rời điểm tập kết.').waitFor();
  await page.getByText('Đang có 0 người trên sức chứa 1, còn trống 1.').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer sees the transport figures but neither manifest nor suggestions', async () => {
  const { url, browser } = env;
  assert.ok(ids.transport, 'the transport of the first test');
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(`${url}/console/evacuation/transports/${ids.transport}`);
  await page.getByRole('heading', { level: 1, name: /VN-E2E1/ }).waitFor();
  await page.getByText('Đã dùng 2 trên 4 chỗ, còn trống 2.').waitFor();
  assert.equal(await page.getByRole('heading', { name: 'Danh sách hành khách' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: /Đề xuất đặt chỗ/ }).count(), 0);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the page fits 360 px');
  await shot(page, 'console-transport-viewer-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
