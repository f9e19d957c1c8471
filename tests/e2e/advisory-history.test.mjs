/*
 * advisory-history.test.mjs - the public travel advisories page shows each advisory's published
 * history without login: on a 360 px phone, in Vietnamese and in English, newest first, each
 * version with its level in words, its date in the reader's convention and its reason; the
 * history is fetched only when opened (a slow phone loads what it is asked for), opens with the
 * keyboard, and a long history comes ten versions at a time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, newPage, shot, start } from './harness.mjs';

let env;

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

const PHONE = { width: 360, height: 740 };

/* The text a reader of locale sees for an RFC 3339 time (as the page formats it). */
function dateIn(page, locale, ts) {
  return page.evaluate(
    ([l, t]) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(t)),
    [locale, ts],
  );
}

/* Opens the history of country's advisory with the keyboard; returns the li of the advisory. */
async function openHistory(page, country) {
  const li = page.locator(`li.advisory[data-country="${country}"]`);
  await li.waitFor();
  await li.locator('summary').first().focus();
  await page.keyboard.press('Enter');
  return li;
}

test('a citizen reads the history of Israel\'s advisory without login, in Vietnamese and in English', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, PHONE);
  const history = [];
  page.on('response', (r) => {
    if (r.url().includes('/history')) history.push(r);
  });
  await page.goto(`${url}/advisories`);
  const il = page.locator('li.advisory[data-country="IL"]');
  await il.waitFor();
  assert.equal(history.length, 0, 'no history is fetched before it is opened');
  await il.getByText('Lịch sử khuyến cáo (3 phiên bản)').waitFor();

  await openHistory(page, 'IL');
  const entries = il.locator('li.history-entry');
  await entries.nth(2).waitFor();
  assert.equal(await entries.count(), 3);
  assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => e.dataset.level)), ['4', '3', '2'], 'newest first');
  assert.equal(history.length, 1);
  assert.equal(history[0].status(), 200, 'the history answers without login');
  assert.match(history[0].headers()['cache-control'], /public/);
  await entries.nth(0).getByText('Mức 4 · Không đi đến / rời khỏi khu vực').waitFor();
  await entries.nth(0).getByText('hiện hành', { exact: false }).waitFor();
  await entries.nth(1).getByText('Mức 3 · Cân nhắc việc đi lại / tránh khu vực').waitFor();
  await entries.nth(1).getByText('Israel: cân nhắc việc đi lại').waitFor();
  await entries.nth(1).getByText('Lý do: Escalation of hostilities; commercial flights reduced.').waitFor();
  await entries.nth(2).getByText('Mức 2 · Tăng cường thận trọng').waitFor();
  const when = entries.nth(1).locator('time');
  assert.equal(await when.getAttribute('datetime'), '2023-10-16T06:00:00Z');
  assert.equal(await when.textContent(), await dateIn(page, 'vi-VN', '2023-10-16T06:00:00Z'), 'the date as a Vietnamese reader writes it');
  /* The full text of an old version opens on demand. */
  await entries.nth(2).locator('summary').click();
  await entries.nth(2).getByText('Toàn văn').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits 360 px');
  await shot(page, 'public-advisory-history');
  assert.equal(await page.getByText('Level 3').count(), 0, 'no English on the Vietnamese page');

  await page.goto(`${url}/advisories?lang=en`);
  const en = await openHistory(page, 'IL');
  await en.getByText('Advisory history (3 versions)').waitFor();
  const enEntries = en.locator('li.history-entry');
  await enEntries.nth(2).waitFor();
  await enEntries.nth(0).getByText('Level 4 · Do not travel / leave').waitFor();
  await enEntries.nth(0).getByText('current', { exact: false }).waitFor();
  await enEntries.nth(1).getByText('Israel: reconsider travel').waitFor();
  await enEntries.nth(2).getByText('Level 2 · Exercise increased caution').waitFor();
  const enWhen = await enEntries.nth(1).locator('time').textContent();
  assert.equal(enWhen, await page.evaluate((ts) => {
    const l = (navigator.languages || []).find((x) => x.startsWith('en')) || 'en';
    return new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ts));
  }, '2023-10-16T06:00:00Z'));
  assert.equal(await page.getByText('Israel: cân nhắc việc đi lại').count(), 0, 'no Vietnamese on the English page');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits 360 px in English');
  await shot(page, 'public-advisory-history-en');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a long history comes ten versions at a time, and the next ones take the focus', async () => {
  const { url, browser } = env;
  /* An officer publishes eleven versions of Jordan's advisory through the API. */
  const officer = await newPage(browser);
  const login = await officer.request.post(`${url}/api/v1/session`, {
    data: { email: LOGINS.hq[0], password: LOGINS.hq[1] },
  });
  assert.equal(login.status(), 201);
  for (let i = 1; i <= 11; i++) {
    const level = ((i - 1) % 4) + 1;
    const r = await officer.request.post(`${url}/api/v1/advisories`, {
      data: {
        country: 'JO', level, title_vi: `Jordan phiên bản ${i}`, title_en: `Jordan version ${i}`,
        text_vi: `Nội dung ${i}`, text_en: `Text ${i}`, reason: `Lý do ${i}`,
      },
    });
    assert.equal(r.status(), 201);
  }
  await officer.context().close();

  const page = await newPage(browser, PHONE);
  await page.goto(`${url}/advisories`);
  const jo = await openHistory(page, 'JO');
  const entries = jo.locator('li.history-entry');
  await entries.nth(9).waitFor();
  assert.equal(await entries.count(), 10);
  assert.equal(await entries.nth(0).getAttribute('data-version'), '11');
  const more = jo.getByRole('button', { name: 'Xem các phiên bản cũ hơn' });
  await more.focus();
  await page.keyboard.press('Enter');
  await entries.nth(10).waitFor();
  assert.equal(await entries.count(), 11);
  assert.equal(await entries.nth(10).getAttribute('data-version'), '1');
  await entries.nth(10).getByText('Jordan phiên bản 1').waitFor();
  assert.ok(await entries.nth(10).evaluate((el) => el === document.activeElement), 'the first new version has the focus');
  assert.ok(await more.isHidden(), 'no button once the oldest version is shown');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
