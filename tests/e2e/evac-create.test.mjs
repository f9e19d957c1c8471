/*
 * evac-create.test.mjs - creating staging sites and transports from the evacuation page, in a
 * real browser against a real server with the demo data: an officer of the Israel embassy
 * creates a shelter (a missing capacity is refused next to the field first) and a flight leaving
 * Israel with a partner country's aircraft (a missing partner country, then a place outside the
 * embassy's jurisdiction, are refused next to their fields first), and lands on the new site's
 * and flight's pages; the forms fit a 360 px phone and read in English; a viewer is not offered
 * them.
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

async function openEvacuation(page) {
  await page.getByRole('navigation').getByRole('link', { name: 'Sơ tán', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Sơ tán' }).waitFor();
}

test('an officer creates a staging site, with the missing capacity said next to its field', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await openEvacuation(page);
  await page.getByText('Tạo điểm tập kết mới').click();
  const form = page.locator('#site-create form');
  await form.getByLabel('Tên điểm tập kết').fill('Trường Việt Nam tại Tel Aviv (E2E)');
  await form.getByLabel('Loại').selectOption('assembly_point');
  await form.getByLabel('Quốc gia').selectOption('IL');
  await form.getByLabel('Vùng, tỉnh').fill('IL-TA');
  await form.getByLabel('Vĩ độ').fill('32.0853');
  await form.getByLabel('Kinh độ').fill('34.7818');
  await form.getByRole('button', { name: 'Tạo điểm tập kết' }).click();
  const capacity = form.getByLabel('Sức chứa');
  await form.locator('#f-site-capacity-error').getByText('Mục này bắt buộc.').waitFor();
  assert.equal(await capacity.getAttribute('aria-invalid'), 'true');
  assert.ok(await capacity.evaluate((el) => el === document.activeElement), 'the field in error has focus');
  await shot(page, 'console-site-create-error');
  await capacity.fill('250');
  await form.getByLabel('Ghi chú').fill('Cổng phía đông.');
  await form.getByRole('button', { name: 'Tạo điểm tập kết' }).click();
  await page.getByRole('heading', { level: 1, name: 'Trường Việt Nam tại Tel Aviv (E2E)' }).waitFor();
  assert.match(page.url(), /\/console\/evacuation\/sites\/[a-z0-9]+$/);
  await page.getByText('Đang có 0 người trên sức chứa 250, còn trống 250.').waitFor();
  await page.getByText('Cổng phía đông.').waitFor();
  await shot(page, 'console-site-created');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an officer creates a partner flight, with refusals next to the partner country and the place', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await openEvacuation(page);
  await page.getByText('Tạo chuyến đi mới').click();
  const form = page.locator('#transport-create form');
  /* The partner's country is asked for only with a partner provider. */
  const partner = form.getByLabel('Quốc gia đối tác');
  assert.equal(await partner.isVisible(), false);
  await form.getByLabel('Mục đích').selectOption('evacuation');
  await form.getByLabel('Phương tiện').selectOption('flight');
  await form.getByLabel('Đơn vị vận chuyển').selectOption('partner');
  await partner.waitFor();
  await form.getByLabel('Số hiệu').fill('VN-E2E9');
  const from = form.getByRole('group', { name: 'Điểm đi' });
  const to = form.getByRole('group', { name: 'Điểm đến' });
  await from.getByLabel('Địa điểm').fill('Sân bay Ben Gurion');
  await from.getByLabel('Quốc gia').selectOption('MM');
  await to.getByLabel('Địa điểm').fill('Sân bay Nội Bài');
  assert.equal(await to.getByLabel('Quốc gia').inputValue(), 'VN');
  await form.getByLabel('Khởi hành').fill('2026-12-01T08:30');
  await form.getByLabel('Số chỗ').fill('180');
  await form.getByRole('button', { name: 'Tạo chuyến đi' }).click();
  /* No partner country: said next to it. */
  await form.locator('#f-transport-partner_country-error').getByText('Mục này bắt buộc.').waitFor();
  assert.equal(await partner.getAttribute('aria-invalid'), 'true');
  await shot(page, 'console-transport-create-error');
  await partner.selectOption('JP');
  await form.getByRole('button', { name: 'Tạo chuyến đi' }).click();
  /* Leaving from Myanmar, outside the Israel embassy's jurisdiction: said next to that country. */
  await from.locator('#f-transport-origin-country-error').getByText('Quốc gia này ngoài địa bàn của cơ quan bạn.').waitFor();
  assert.equal(await form.locator('#f-transport-partner_country-error').isVisible(), false);
  await from.getByLabel('Quốc gia').selectOption('IL');
  await form.getByRole('button', { name: 'Tạo chuyến đi' }).click();
  await page.getByRole('heading', { level: 1, name: /VN-E2E9/ }).waitFor();
  assert.match(page.url(), /\/console\/evacuation\/transports\/[a-z0-9]+$/);
  await page.getByText('Đã dùng 0 trên 180 chỗ, còn trống 180.').waitFor();
  const id = page.url().split('/').pop();
  const res = await page.request.get(`${url}/api/v1/transports/${id}`);
  const tr = await res.json();
  assert.equal(tr.provider, 'partner');
  assert.equal(tr.partner_country, 'JP');
  assert.equal(tr.origin.country, 'IL');
  assert.equal(tr.destination.country, 'VN');
  assert.equal(tr.capacity, 180);
  /* 08:30 in the browser's time zone, sent as UTC. */
  assert.equal(tr.departure_at, new Date('2026-12-01T08:30').toISOString().replace(/\.\d{3}Z$/, 'Z'));
  await shot(page, 'console-transport-created');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the creation forms fit a 360 px phone and read in English', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(`${url}/console/evacuation`);
  await page.getByRole('heading', { level: 1, name: 'Sơ tán' }).waitFor();
  await page.getByText('Tạo chuyến đi mới').click();
  await page.getByText('Tạo điểm tập kết mới').click();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), 'the evacuation page with its forms fits 360 px');
  await shot(page, 'console-evac-forms-360');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Evacuation' }).waitFor();
  await page.getByText('New transport').click();
  await page.getByText('New staging site').click();
  await page.locator('#transport-create').getByLabel('Seats').waitFor();
  await page.locator('#site-create').getByLabel('Capacity').waitFor();
  const text = await page.locator('main').innerText();
  for (const word of ['Tạo', 'Sức chứa', 'Số chỗ', 'Điểm đi', 'Phương tiện', 'Khởi hành', 'Vĩ độ']) {
    assert.ok(!text.includes(word), `no "${word}" on the English evacuation page`);
  }
  assert.ok(await fits(), 'the English forms fit 360 px');
  await shot(page, 'console-evac-forms-en-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer is not offered the creation forms', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await openEvacuation(page);
  await page.locator('#sites-h').waitFor();
  assert.equal(await page.getByText('Tạo điểm tập kết mới').count(), 0);
  assert.equal(await page.getByText('Tạo chuyến đi mới').count(), 0);
  assert.equal(await page.locator('main form').count(), 0);
  await page.context().close();
});
