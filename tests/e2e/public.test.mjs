/*
 * public.test.mjs - the citizens' pages on a phone-sized screen (360 x 740): register a stay
 * abroad, open the private manage link, change it and end the trip; and what the register page
 * says when JavaScript is off.
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
  await page.getByRole('button', { name: 'Gửi đăng ký' }).click();
  await page.getByRole('heading', { name: 'Đã đăng ký' }).waitFor();
  const link = page.locator('#manage-link');
  const href = await link.getAttribute('href');
  assert.match(href, new RegExp(`^${url}/register/[A-Za-z0-9_-]+$`));
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

test('without JavaScript the register page explains how else to register', async () => {
  const { url, browser } = env;
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${url}/register`);
  await page.getByText('Biểu mẫu này cần JavaScript để gửi.').waitFor();
  assert.equal(await page.locator('#register-form').isVisible(), false);
  await shot(page, 'public-register-nojs');
  await context.close();
});
