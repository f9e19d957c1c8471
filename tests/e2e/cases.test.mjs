/*
 * cases.test.mjs - assistance cases and the situation report in a real browser against a real
 * server with the demo data: an officer of the Israel embassy opens a case for a citizen found
 * by an unaccented name, moves it through the workflow (only the legal next states offered),
 * adds a note, assigns it to themself, finds it in their queue and transfers it to another
 * mission (after which it is no longer theirs to see); the crisis page shows the situation
 * report's sentences and links to the printable report (a new tab with the crisis's name) and
 * to the CSV; a viewer is shown no cases at all.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start, unaccent } from './harness.mjs';

let env;
const SUMMARY = 'Bị tạm giữ tại đồn cảnh sát Haifa (thử nghiệm E2E)';

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

/* The option texts of a <select>. */
async function options(locator) {
  return locator.locator('option').allTextContents();
}

test('an officer opens a case for a citizen, moves it through the workflow, notes, assigns and transfers it', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  /* A citizen of the demo data in Israel, to be found by the name typed without diacritics. */
  const res = await page.request.get(`${url}/api/v1/persons?country=IL&q=${encodeURIComponent('Nguyễn')}&limit=1`);
  assert.equal(res.status(), 200);
  const citizen = (await res.json()).items[0];
  assert.ok(citizen, 'a demo citizen in Israel');

  await page.getByRole('navigation').getByRole('link', { name: 'Vụ việc', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Vụ việc bảo hộ' }).waitFor();
  await page.getByRole('link', { name: 'Mở vụ việc' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mở vụ việc' }).waitFor();

  /* Without a person or a caller the form says so next to the search. */
  await page.getByLabel('Tóm tắt').fill(SUMMARY);
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();
  await page.getByText('Chọn ít nhất một công dân, hoặc nhập họ tên người gọi.').waitFor();

  await page.getByLabel('Loại vụ việc').selectOption('detention');
  await page.getByLabel('Tìm công dân đã đăng ký').fill(unaccent(citizen.full_name));
  await page.getByRole('button', { name: `Thêm ${citizen.full_name}` }).click();
  await page.locator('#case-chosen').getByText(citizen.full_name).waitFor();
  await page.getByLabel('Họ tên người gọi').fill('Trịnh Thị Mẹ');
  await page.getByLabel('Điện thoại người gọi').fill('+84 91 555 0101');
  await shot(page, 'console-case-new');
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();

  await page.getByRole('heading', { level: 1, name: SUMMARY }).waitFor();
  const caseUrl = page.url();
  assert.match(caseUrl, /\/console\/cases\/[a-z0-9]+$/);
  assert.equal((await page.locator('#case-status .status').textContent()).trim(), 'Mới');
  await page.locator('.case-persons').getByRole('link', { name: citizen.full_name }).waitFor();
  await page.locator('.caller').getByText('Trịnh Thị Mẹ').waitFor();
  /* A detention is high priority. */
  assert.equal((await page.locator('#case-status .priority').textContent()).trim(), 'Cao');

  /* Only the legal next states are offered: from "new", triaged or closed. */
  const next = page.getByLabel('Trạng thái tiếp theo');
  assert.deepEqual(await options(next), ['Đã phân loại', 'Đã đóng']);
  await next.selectOption({ label: 'Đã phân loại' });
  await page.getByRole('button', { name: 'Chuyển trạng thái' }).click();
  await page.locator('#case-live').getByText('Vụ việc đã chuyển sang: Đã phân loại.').waitFor();
  assert.equal((await page.locator('#case-status .status').textContent()).trim(), 'Đã phân loại');
  assert.deepEqual(await options(page.getByLabel('Trạng thái tiếp theo')), ['Đang xử lý', 'Đã đóng']);
  await page.getByLabel('Trạng thái tiếp theo').selectOption({ label: 'Đang xử lý' });
  await page.getByLabel('Ghi chú (không bắt buộc)').fill('Đã liên hệ đồn cảnh sát.');
  await page.getByRole('button', { name: 'Chuyển trạng thái' }).click();
  await page.locator('#case-live').getByText('Vụ việc đã chuyển sang: Đang xử lý.').waitFor();
  const timeline = page.locator('.case-timeline');
  await timeline.getByText('Trạng thái: Mới → Đã phân loại').waitFor();
  await timeline.getByText('Trạng thái: Đã phân loại → Đang xử lý').waitFor();
  await timeline.getByText('Đã liên hệ đồn cảnh sát.').waitFor();

  /* A note. */
  await page.getByLabel('Ghi chú', { exact: true }).fill('Gia đình đã gửi bản sao hộ chiếu.');
  await page.getByRole('button', { name: 'Lưu ghi chú' }).click();
  await timeline.getByText('Gia đình đã gửi bản sao hộ chiếu.').waitFor();

  /* Assigned to oneself, then found in the queue "mine". */
  await page.getByLabel('Giao cho').selectOption({ label: 'Tôi (Trần Văn Minh (ĐSQ Israel))' });
  await page.getByRole('button', { name: 'Phân công', exact: true }).click();
  await page.locator('#case-live').getByText('Đã cập nhật người phụ trách.').waitFor();
  assert.equal((await page.locator('#case-assignee').textContent()).trim(), 'Trần Văn Minh (ĐSQ Israel)');
  await timeline.getByText('Giao cho Trần Văn Minh (ĐSQ Israel)').waitFor();
  await shot(page, 'console-case');

  await page.getByRole('navigation').getByRole('link', { name: 'Vụ việc', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Vụ việc bảo hộ' }).waitFor();
  await page.getByRole('link', { name: 'Của tôi' }).click();
  await page.getByRole('link', { name: SUMMARY }).waitFor();
  await shot(page, 'console-cases-mine');
  await page.getByRole('link', { name: SUMMARY }).click();
  await page.getByRole('heading', { level: 1, name: SUMMARY }).waitFor();

  /* Transferred to the Myanmar embassy: the Israel officer no longer sees it. */
  await page.getByLabel('Chuyển đến').selectOption({ label: 'Đại sứ quán Việt Nam tại Myanmar' });
  await page.getByLabel('Lý do chuyển').fill('Công dân đã sang Myanmar.');
  await page.getByRole('button', { name: 'Chuyển vụ việc' }).click();
  await page.getByRole('heading', { level: 1, name: 'Vụ việc bảo hộ' }).waitFor();
  await page.getByText(/^Đang hiển thị \d+ vụ việc\.$|^Không có vụ việc nào/).waitFor();
  assert.equal(await page.getByRole('link', { name: SUMMARY }).count(), 0);
  const gone = await page.request.get(`${url}/api/v1/cases/${caseUrl.split('/').pop()}`);
  assert.equal(gone.status(), 404, 'the case belongs to another mission now');

  /* The Consular Department sees the transfer in the timeline. */
  const hq = await newPage(browser);
  await login(hq, url, LOGINS.hq);
  await hq.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await hq.goto(caseUrl);
  await hq.getByRole('heading', { level: 1, name: SUMMARY }).waitFor();
  await hq.locator('.case-timeline').getByText('Chuyển từ Đại sứ quán Việt Nam tại Israel sang Đại sứ quán Việt Nam tại Myanmar').waitFor();
  assert.equal((await hq.locator('#case-mission').textContent()).trim(), 'Đại sứ quán Việt Nam tại Myanmar');
  assert.deepEqual(page.problems, []);
  assert.deepEqual(hq.problems, []);
  await page.context().close();
  await hq.context().close();
});

test('the crisis page shows the situation report and links to its printable page and CSV', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Khủng hoảng', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Khủng hoảng' }).waitFor();
  const name = 'Xung đột vũ trang tại Israel và Gaza (Armed conflict in Israel and Gaza)';
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByRole('heading', { name: 'Báo cáo tình hình' }).waitFor();
  const statements = await page.locator('.sitrep-statements li').allTextContents();
  assert.ok(statements.length > 0, 'the report has sentences');
  assert.ok(statements.some((s) => /công dân/.test(s)), `Vietnamese sentences: ${statements.join(' | ')}`);
  const csv = page.getByRole('link', { name: 'Tải số liệu (CSV)' });
  assert.match(await csv.getAttribute('href'), /\/sitrep\?format=csv&lang=vi$/);
  await shot(page, 'console-crisis-sitrep');

  const print = page.getByRole('link', { name: /Bản in báo cáo/ });
  assert.equal(await print.getAttribute('target'), '_blank');
  const [report] = await Promise.all([page.waitForEvent('popup'), print.click()]);
  await report.waitForLoadState();
  assert.match(report.url(), /\/sitrep\?format=html&lang=vi$/);
  assert.ok((await report.locator('body').innerText()).includes(name), 'the printable report names the crisis');
  await shot(report, 'sitrep-print');
  const csvRes = await page.request.get(new URL(await csv.getAttribute('href'), url).href);
  assert.equal(csvRes.status(), 200);
  assert.match(csvRes.headers()['content-type'], /text\/csv/);

  /* In English the sentences and the links follow the language. */
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Situation report' }).waitFor();
  assert.match(await page.getByRole('link', { name: /Printable report/ }).getAttribute('href'), /lang=en$/);
  const en = await page.locator('.sitrep-statements li').allTextContents();
  assert.ok(en.length > 0 && !en.some((s) => /công dân/.test(s)), `English sentences: ${en.join(' | ')}`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the case queue and a case page fit a 360 px phone, in English too', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(`${url}/console/cases?queue=mission`);
  await page.getByRole('heading', { level: 1, name: 'Vụ việc bảo hộ' }).waitFor();
  await page.getByText(/^Đang hiển thị \d+ vụ việc\.$/).waitFor();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), 'the queue fits 360 px');
  await shot(page, 'console-cases-360');
  await page.locator('table.cases tbody a').first().click();
  await page.getByRole('heading', { name: 'Diễn biến' }).waitFor();
  assert.ok(await fits(), 'the case page fits 360 px');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  const text = await page.locator('main').innerText();
  for (const word of ['Trạng thái', 'Diễn biến', 'Phân công', 'Ghi chú', 'Mức ưu tiên']) {
    assert.ok(!text.includes(word), `no "${word}" on the English case page`);
  }
  assert.ok(await fits(), 'the English case page fits 360 px');
  await shot(page, 'console-case-en-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer is shown no cases and is refused the case queue', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const nav = page.getByRole('navigation');
  assert.equal(await nav.getByRole('link', { name: 'Vụ việc', exact: true }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Danh sách', exact: true }).count(), 0);
  await nav.getByRole('link', { name: 'Sơ tán', exact: true }).waitFor();
  await page.goto(`${url}/console/cases`);
  await page.getByRole('heading', { level: 1, name: 'Không được phép' }).waitFor();
  await page.context().close();
});
