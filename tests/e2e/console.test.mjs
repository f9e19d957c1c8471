/*
 * console.test.mjs - the officers' console in a real browser against a real server: an
 * officer's day (log in, find a person by a name typed without accents, change their status,
 * switch language, create a person with a bad date, come back after the session expires, log
 * out), a viewer refused personal data, and an administrator's users list.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start, unaccent } from './harness.mjs';

let env;

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

test('officer finds a person by an unaccented name, changes the status, switches language, meets validation, logs out', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.waitForURL(`${url}/console/dashboard`);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.locator('figure.map svg path.land').first().waitFor();
  assert.ok((await page.locator('figure.map svg path.land.lv0').count()) > 100, 'the map draws the world');
  await page.getByRole('rowheader', { name: 'Israel' }).waitFor();
  await shot(page, 'console-dashboard');

  /* A person of the Israel mission whose name has diacritics, read through the API. */
  const list = await (await page.request.get(`${url}/api/v1/persons?country=IL&limit=50`)).json();
  const person = list.items.find((p) => unaccent(p.full_name) !== p.full_name);
  assert.ok(person, 'the demo data has a name with diacritics in Israel');
  const typed = unaccent(person.full_name).toLowerCase();

  await page.getByRole('navigation').getByRole('link', { name: 'Công dân', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Công dân' }).waitFor();
  const searched = page.waitForResponse(
    (r) => r.url().includes('/api/v1/persons?') && new URL(r.url()).searchParams.get('q') === typed,
  );
  await page.getByLabel('Tìm theo tên, số hộ chiếu hoặc số định danh').pressSequentially(typed, { delay: 20 });
  await searched;
  const link = page.getByRole('link', { name: person.full_name, exact: true }).first();
  await link.waitFor();
  assert.equal(new URL(page.url()).searchParams.get('q'), typed, 'the search is kept in the address');
  assert.ok((await page.locator('table.results tbody tr').count()) < list.items.length, 'the search narrows the list');
  await shot(page, 'console-people-search');

  await link.click();
  await page.getByRole('heading', { level: 1, name: person.full_name }).waitFor();
  await page.getByRole('heading', { name: 'Lịch sử tình trạng' }).waitFor();
  const target = person.status === 'needs_assistance' ? 'safe' : 'needs_assistance';
  const targetText = target === 'safe' ? 'an toàn' : 'cần hỗ trợ';
  await page.getByLabel('Tình trạng', { exact: true }).selectOption(target);
  await page.getByLabel('Ghi chú').fill('Đã gọi điện lúc 9 giờ');
  await page.getByRole('button', { name: 'Ghi tình trạng' }).click();
  await page.getByText(`Đã ghi tình trạng: ${targetText}.`).waitFor();
  await page.locator('.timeline li').first().getByText('Đã gọi điện lúc 9 giờ').waitFor();
  const status = await (await page.request.get(`${url}/api/v1/persons/${person.id}/status`)).json();
  assert.equal(status.status, target);
  await shot(page, 'console-person');

  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Status history' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('navigation').getByRole('link', { name: 'People', exact: true }).waitFor();
  assert.equal(await page.getByText('Lịch sử tình trạng').count(), 0, 'no Vietnamese left on the English screen');
  await shot(page, 'console-person-en');
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await page.getByRole('heading', { name: 'Lịch sử tình trạng' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'vi');

  await page.getByRole('navigation').getByRole('link', { name: 'Công dân', exact: true }).click();
  await page.getByRole('link', { name: 'Thêm công dân' }).click();
  await page.getByRole('heading', { level: 1, name: 'Thêm công dân' }).waitFor();
  await page.getByLabel('Họ và tên').fill('Nguyễn Thị Thử');
  await page.getByLabel('Ngày sinh').fill('1990-13-45');
  await page.getByLabel('Quốc gia').selectOption('IL');
  await page.getByLabel('Thành phố').fill('Haifa');
  await page.getByLabel('Diện').selectOption('worker');
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
  const dobError = page.locator('#f-date_of_birth-error');
  await dobError.waitFor();
  assert.match(await dobError.textContent(), /NNNN-TT-NN/);
  assert.equal(await page.getByLabel('Ngày sinh').getAttribute('aria-invalid'), 'true');
  assert.ok(await page.getByLabel('Ngày sinh').evaluate((el) => el === document.activeElement), 'focus on the bad field');
  await shot(page, 'console-person-form-error');
  await page.getByLabel('Ngày sinh').fill('1990-05');
  await page.getByRole('button', { name: 'Thêm', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Nguyễn Thị Thử' }).waitFor();

  /* The session ends behind the officer's back: the next call returns to login, then back. */
  await page.context().clearCookies();
  await page.getByRole('navigation').getByRole('link', { name: 'Công dân', exact: true }).click();
  await page.getByText('Phiên làm việc đã hết hạn').waitFor();
  assert.match(page.url(), /\/console\/login\?next=%2Fconsole%2Fpeople/);
  await page.getByLabel('Thư điện tử').fill(LOGINS.israel[0]);
  await page.getByLabel('Mật khẩu').fill(LOGINS.israel[1]);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`${url}/console/people`);
  await page.getByRole('heading', { level: 1, name: 'Công dân' }).waitFor();

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.getByText('Bạn đã đăng xuất.').waitFor();
  const after401 = await page.request.get(`${url}/api/v1/session`);
  assert.equal(after401.status(), 401, 'the session is over on the server too');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an officer who types while the list is still loading keeps the focus and every letter', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.waitForURL(`${url}/console/dashboard`);
  /* The first page of the list, held back until the officer has started typing (a slow line). */
  let release;
  const held = new Promise((ok) => (release = ok));
  const first = (u) => u.pathname === '/api/v1/persons' && !u.searchParams.get('q');
  await page.route(first, async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('navigation').getByRole('link', { name: 'Công dân', exact: true }).click();
  const box = page.getByLabel('Tìm theo tên, số hộ chiếu hoặc số định danh');
  await box.pressSequentially('ngu', { delay: 20 });
  const answered = page.waitForResponse((r) => first(new URL(r.url())));
  release();
  await answered;
  /* Let the page finish what it does once the list is there (it used to move the focus to the
   * heading then, and the rest of the word went nowhere). */
  await page.waitForTimeout(300);
  await box.pressSequentially('yen', { delay: 20 });
  assert.equal(await box.inputValue(), 'nguyen');
  assert.ok(await box.evaluate((el) => el === document.activeElement), 'the search box keeps the focus');
  await page.unroute(first);
  await page.context().close();
});

test('officer on a 360 px phone edits a person, and nothing scrolls sideways but tables', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), 'the dashboard fits 360 px');
  await shot(page, 'console-dashboard-360');
  await page.goto(`${url}/console/people?q=nguyen`);
  const first = page.locator('table.results tbody a').first();
  await first.waitFor();
  assert.ok(await fits(), 'the people page fits 360 px (its table scrolls inside its frame)');
  await first.click();
  await page.getByRole('link', { name: 'Sửa thông tin' }).click();
  await page.getByLabel('Tỉnh, thành quê quán').fill('Thái Bình');
  await page.getByLabel('Điện thoại').fill('+972 50 765 4321, +84 91 234 5678');
  await page.getByRole('button', { name: 'Lưu', exact: true }).click();
  await page.getByText('Thái Bình').waitFor();
  await page.getByText('+972 50 765 4321, +84 91 234 5678').waitFor();
  assert.ok(await fits(), 'the person page fits 360 px');
  await shot(page, 'console-person-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('viewer sees the dashboard but is refused the People page', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Công dân', exact: true }).count(), 0, 'no People link for a viewer');
  assert.equal(await page.getByRole('link', { name: 'Israel', exact: true }).count(), 0, 'countries do not link to people');
  await page.goto(`${url}/console/people`);
  await page.getByRole('heading', { level: 1, name: 'Không được phép' }).waitFor();
  assert.equal(await page.getByLabel('Tìm theo tên, số hộ chiếu hoặc số định danh').count(), 0);
  assert.equal((await page.request.get(`${url}/api/v1/persons`)).status(), 403);
  await shot(page, 'console-viewer-forbidden');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('administrator sees the users list', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.admin);
  await page.getByRole('navigation').getByRole('link', { name: 'Tài khoản' }).click();
  await page.getByRole('heading', { level: 1, name: 'Tài khoản cán bộ' }).waitFor();
  await page.getByRole('cell', { name: 'israel@baoho.example' }).waitFor();
  await shot(page, 'console-users');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('pages carry the security headers and are never stored', async () => {
  const { url } = env;
  assert.equal((await fetch(`${url}/console/`)).status, 200, 'the console also answers with a final slash');
  const res = await fetch(`${url}/console/dashboard`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self'; style-src 'self'/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const js = await fetch(`${url}/assets/js/console/main.js`);
  const etag = js.headers.get('etag');
  assert.ok(etag);
  const again = await fetch(`${url}/assets/js/console/main.js`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
});
