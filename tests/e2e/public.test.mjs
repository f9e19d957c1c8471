/*
 * public.test.mjs - the citizens' pages on a phone-sized screen (360 x 740): register a stay
 * abroad, open the private manage link, change it and end the trip; register with JavaScript
 * off through the plain form (an error next to its field, then the private link); and the form's
 * protection against posts from other sites.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newPage, shot, start } from './harness.mjs';

let env;

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

const PHONE = { width: 360, height: 740 };

async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

test('a citizen registers on a phone, opens the manage link, updates and ends the trip', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, PHONE);
  await page.goto(`${url}/`);
  await page.getByRole('link', { name: /Đăng ký công dân ở nước ngoài/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Đăng ký công dân ở nước ngoài' }).waitFor();
  await page.getByRole('heading', { name: 'Đăng ký để làm gì' }).waitFor();
  assert.ok(await fitsWidth(page), 'no sideways scrolling at 360 px');
  await shot(page, 'public-register');

  await page.getByLabel('Họ và tên *').fill('Đỗ Minh Tuấn');
  await page.getByLabel(/^Ngày sinh/).fill('1995-03-08');
  await page.getByLabel('Điện thoại').fill('+972 50 123 4567');
  await page.getByLabel('Quốc gia *').selectOption('IL');
  await page.getByLabel('Thành phố').fill('Tel Aviv');
  await page.getByLabel('Diện *').selectOption('worker');
  assert.equal(await page.getByLabel('Ngôn ngữ nhận tin').inputValue(), 'vi', 'Vietnamese by default on the Vietnamese page');
  await page.getByLabel('Ngôn ngữ nhận tin').selectOption('en');
  await page.getByRole('button', { name: 'Gửi đăng ký' }).click();
  await page.getByRole('heading', { name: 'Đã đăng ký' }).waitFor();
  const link = page.locator('#manage-link');
  const href = await link.getAttribute('href');
  assert.match(href, new RegExp(`^${url}/register/[A-Za-z0-9_-]+$`));
  const registered = await (await fetch(href.replace('/register/', '/api/v1/public/registrations/'))).json();
  assert.equal(registered.person.preferred_language, 'en', 'the language chosen on the form is kept');
  assert.ok(await fitsWidth(page), 'the long link wraps at 360 px');
  await shot(page, 'public-register-done');

  await link.click();
  await page.getByRole('heading', { level: 1, name: 'Đăng ký của bạn' }).waitFor();
  await page.locator('#m-details').getByText('Đỗ Minh Tuấn').waitFor();
  await page.locator('#m-details').getByText('Tel Aviv').waitFor();
  await shot(page, 'public-manage');

  await page.getByLabel('Thành phố').fill('Haifa');
  await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await page.getByText('Đã lưu thay đổi.').waitFor();
  await page.locator('#m-details').getByText('Haifa').waitFor();

  await page.getByLabel('Tôi đã rời nơi này; kết thúc đăng ký.').check();
  await page.getByRole('button', { name: 'Kết thúc đăng ký' }).click();
  await page.getByText('Đăng ký đã kết thúc.').waitFor();
  const gone = await fetch(href.replace('/register/', '/api/v1/public/registrations/'));
  assert.equal(gone.status, 404, 'the link no longer works');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the register page shows a bad date next to its field, in English too', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, PHONE);
  await page.goto(`${url}/register?lang=en`);
  await page.getByRole('heading', { level: 1, name: 'Register your stay abroad' }).waitFor();
  await page.getByLabel('Full name *').fill('Vu Thi Lan');
  await page.getByLabel(/^Date of birth/).fill('1990-02-31');
  await page.getByLabel('Country *').selectOption('JP');
  await page.getByLabel('Category *').selectOption('student');
  await page.getByRole('button', { name: 'Send my registration' }).click();
  await page.locator('#r-date_of_birth-error').getByText(/YYYY-MM-DD/).waitFor();
  await shot(page, 'public-register-error-en');
  /* The choice is remembered: the next page comes in English without ?lang=. */
  await page.goto(`${url}/advisories`);
  await page.getByRole('heading', { level: 1, name: 'Travel advisories' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('without JavaScript a citizen registers through the plain form, meets an error next to the field, and gets the link', async () => {
  const { url, browser } = env;
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${url}/register`);
  await page.getByRole('heading', { level: 1, name: 'Đăng ký công dân ở nước ngoài' }).waitFor();
  assert.equal(await page.locator('#register-form').isVisible(), true, 'the form works without JavaScript');
  assert.ok((await page.locator('#r-country option').count()) > 200, 'the server wrote the countries');
  await page.getByLabel('Họ và tên *').fill('Hà Văn Không Script');
  await page.getByLabel(/^Ngày sinh/).fill('1988-02-30');
  await page.getByLabel('Điện thoại').fill('+82 10 1234 5678');
  await page.getByLabel('Quốc gia *').selectOption('KR');
  await page.getByLabel('Diện *').selectOption('worker');
  await shot(page, 'public-register-nojs');
  await page.getByRole('button', { name: 'Gửi đăng ký' }).click();
  const dobError = page.locator('#r-date_of_birth-error');
  await dobError.waitFor();
  assert.match(await dobError.textContent(), /NNNN-TT-NN/);
  assert.equal(await page.getByLabel(/^Ngày sinh/).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('Họ và tên *').inputValue(), 'Hà Văn Không Script', 'what was typed is kept');
  assert.equal(await page.getByLabel('Quốc gia *').inputValue(), 'KR');
  assert.equal(await page.getByLabel('Diện *').inputValue(), 'worker');
  await page.getByText('Hãy sửa mục được đánh dấu bên dưới.').waitFor();
  assert.ok(await fitsWidth(page), 'the error page fits 360 px');
  await shot(page, 'public-register-nojs-error');
  await page.getByLabel(/^Ngày sinh/).fill('1988-02');
  await page.getByRole('button', { name: 'Gửi đăng ký' }).click();
  await page.getByRole('heading', { name: 'Đã đăng ký' }).waitFor();
  assert.equal(await page.locator('#register-form').isVisible(), false);
  const href = await page.locator('#manage-link').getAttribute('href');
  assert.match(href, new RegExp(`^${url}/register/[A-Za-z0-9_-]{43}$`));
  await shot(page, 'public-register-nojs-done');
  const reg = await fetch(href.replace('/register/', '/api/v1/public/registrations/'));
  assert.equal(reg.status, 200, 'the private link works');
  const body = await reg.json();
  assert.equal(body.person.full_name, 'Hà Văn Không Script');
  assert.equal(body.presence.country, 'KR');
  assert.deepEqual(body.person.phones, ['+82 10 1234 5678']);
  await context.close();
});

test('the plain form refuses a post that did not come from its own page (no form cookie)', async () => {
  const { url } = env;
  const page = await fetch(`${url}/register`);
  const html = await page.text();
  const token = /name="csrf" value="([0-9a-f]{64})"/.exec(html);
  assert.ok(token, 'the page carries a form token');
  assert.match(page.headers.get('set-cookie'), /baoho_form=[^;]+; Path=\/register; HttpOnly; SameSite=Strict/);
  const form = new URLSearchParams({ csrf: token[1], full_name: 'Kẻ Giả Mạo', country: 'KR', category: 'worker' });
  const forged = await fetch(`${url}/register`, { method: 'POST', body: form, headers: { Origin: 'https://evil.example' } });
  assert.equal(forged.status, 403, 'a token without its cookie is refused');
  assert.match(await forged.text(), /Biểu mẫu đã hết hạn/);
  const cookie = page.headers.get('set-cookie').split(';')[0];
  const ok = await fetch(`${url}/register`, { method: 'POST', body: form, headers: { Cookie: cookie } });
  assert.equal(ok.status, 200, 'the same post with the cookie of its page is accepted');
  assert.match(await ok.text(), /id="manage-link" href="[^"]+\/register\/[A-Za-z0-9_-]{43}"/);
  const json = await fetch(`${url}/register`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json', Cookie: cookie } });
  assert.equal(json.status, 415);
});
