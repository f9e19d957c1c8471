/*
 * crisis.test.mjs - a crisis from opening to answers, in a real browser against a real server
 * whose text messages go to a stand-in SMS gateway: an officer opens a crisis by choosing a
 * country and a region and sees its funnel; the Consular Department publishes a travel advisory
 * (and a second version) with its CAP message, seen on the public page and on the dashboard map;
 * the officer composes an alert (live audience count, SMS counter, unaccented text), sends it and
 * follows it; the citizen answers from the link of the text message on a 360 px phone; the
 * alert's, the crisis's and the dashboard's counts move; a viewer sees figures but no button to act.
 *
 * The crisis is drawn around one person made for the test (a region of their own), so that every
 * expected figure is known: 1 in the area, nobody reached before the alert, then 1 needing help.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start } from './harness.mjs';

let env;
const REGION = 'Kibbutz Thử Nghiệm E2E';
const CRISIS = 'Động đất tại Galilee (thử nghiệm)';
const PHONE = '+972 50 111 2233';
const state = { crisisUrl: null };

before(async () => {
  env = await start({ sms: true });
});

after(async () => {
  if (env) await env.stop();
});

/* The figure of one step of the first funnel on the page. */
async function step(page, name, scope = page) {
  return (await scope.locator(`.funnel li[data-step="${name}"] .funnel-figure`).first().textContent()).trim();
}

async function waitFor(fn, what, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an officer opens a crisis by choosing a country and a region, and sees its funnel', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  /* The one citizen of the test's region, with a phone for the alert. */
  const created = await page.request.post(`${url}/api/v1/persons`, {
    data: {
      full_name: 'Lò Thị Thử',
      phones: [PHONE],
      presence: { country: 'IL', region: REGION, city: 'Safed', category: 'worker', from: '2023-01' },
    },
  });
  assert.equal(created.status(), 201, await created.text());

  await page.getByRole('navigation').getByRole('link', { name: 'Khủng hoảng', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Khủng hoảng' }).waitFor();
  await page.getByRole('link', { name: 'Mở khủng hoảng' }).click();
  await page.getByRole('heading', { level: 1, name: 'Mở khủng hoảng' }).waitFor();
  await page.getByLabel('Loại').selectOption('natural_disaster');
  await page.getByLabel('Tên', { exact: true }).fill(CRISIS);
  await page.getByLabel('Quốc gia', { exact: true }).selectOption('IL');
  await page.getByRole('button', { name: 'Thêm quốc gia' }).click();
  await page.locator('ul.chosen').getByText('Israel').waitFor();
  await page.getByLabel('Vùng', { exact: true }).fill(REGION);
  await shot(page, 'console-crisis-new');
  await page.getByRole('button', { name: 'Mở khủng hoảng' }).click();
  await page.getByRole('heading', { level: 1, name: CRISIS }).waitFor();
  state.crisisUrl = page.url();
  assert.match(state.crisisUrl, /\/console\/crises\/[a-z0-9]+$/);
  await page.getByRole('heading', { name: 'Nắm tình hình công dân' }).waitFor();
  assert.equal(await step(page, 'in_area'), '1', 'the test citizen is in the area');
  assert.equal(await step(page, 'reached'), '0', 'nobody is reached before an alert');
  assert.equal(await step(page, 'need_help'), '0');
  await page.getByText('Đến nay, trong số 1 công dân trong khu vực').waitFor();
  await shot(page, 'console-crisis');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the Consular Department publishes an advisory with its CAP message; the public page and the map show its level', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Khuyến cáo', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Khuyến cáo đi lại' }).waitFor();
  await page.getByRole('link', { name: 'Khuyến cáo mới' }).click();
  await page.getByRole('heading', { level: 1, name: 'Khuyến cáo mới' }).waitFor();
  await page.getByLabel('Quốc gia', { exact: true }).selectOption('JP');
  await page.getByLabel(/Mức 3/).check();
  await page.locator('#f-title_vi').fill('Nhật Bản: cân nhắc việc đi lại');
  await page.locator('#f-title_en').fill('Japan: reconsider travel');
  await page.locator('#f-text_vi').fill('Động đất mạnh ở miền Bắc; tránh vùng ven biển.');
  await page.locator('#f-text_en').fill('A strong earthquake in the north; avoid the coast.');
  const preview = page.locator('#cap-preview');
  await preview.getByText('severity: Severe', { exact: false }).waitFor();
  await preview.getByText('msgType: Alert', { exact: false }).waitFor();
  await preview.getByText('Japan: reconsider travel').waitFor();
  await shot(page, 'console-advisory-edit');
  await page.getByRole('button', { name: 'Công bố' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nhật Bản: cân nhắc việc đi lại' }).waitFor();
  const cap = page.locator('#cap-xml');
  await waitFor(async () => /<severity>Severe<\/severity>/.test(await cap.textContent()), 'the CAP message');
  assert.match(await cap.textContent(), /<msgType>Alert<\/msgType>/);
  await shot(page, 'console-advisory');

  /* A second version raises the level: the CAP message becomes an Update. */
  await page.getByRole('link', { name: 'Ra phiên bản mới' }).click();
  await page.getByRole('heading', { level: 1, name: /Khuyến cáo mới cho Nhật Bản/ }).waitFor();
  assert.equal(await page.locator('#f-title_en').inputValue(), 'Japan: reconsider travel', 'the form starts from the last version');
  await page.getByLabel(/Mức 4/).check();
  await page.locator('#f-title_vi').fill('Nhật Bản: không đi đến vùng ven biển');
  await page.locator('#f-title_en').fill('Japan: do not travel to the coast');
  await preview.getByText('msgType: Update', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Công bố' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nhật Bản: không đi đến vùng ven biển' }).waitFor();
  await waitFor(async () => /<msgType>Update<\/msgType>/.test(await cap.textContent()), 'the CAP update');
  assert.equal(await page.locator('.timeline li').count(), 2, 'both versions are in the history');

  /* The public page, without login, in Vietnamese and in English. */
  const pub = await newPage(browser, { width: 360, height: 740 });
  await pub.goto(`${url}/advisories`);
  const jp = pub.locator('li.advisory[data-country="JP"]');
  await jp.waitFor();
  assert.equal(await jp.getAttribute('data-level'), '4');
  await jp.getByText('Mức 4 · Không đi đến / rời khỏi khu vực').waitFor();
  await jp.getByText('Nhật Bản: không đi đến vùng ven biển').waitFor();
  assert.ok(await pub.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits 360 px');
  await shot(pub, 'public-advisories');
  await pub.goto(`${url}/advisories?lang=en`);
  await pub.locator('li.advisory[data-country="JP"]').getByText('Japan: do not travel to the coast').waitFor();
  await pub.getByText('Level 4 · Do not travel / leave').first().waitFor();
  assert.equal(await pub.getByText('Nhật Bản').count(), 0, 'no Vietnamese on the English page');
  assert.deepEqual(pub.problems, []);
  await pub.context().close();

  /* The dashboard's map colours Japan by its level. */
  await page.getByRole('navigation').getByRole('link', { name: 'Tổng quan', exact: true }).click();
  const japan = page.locator('figure.map path[data-country="JP"]');
  await japan.waitFor();
  assert.equal(await japan.getAttribute('data-level'), '4');
  assert.match(await japan.getAttribute('class'), /\blv4\b/);
  assert.ok((await page.locator('figure.map circle.citizens').count()) >= 2, 'circles sized by citizens');
  await page.locator('figure.map').getByText('chưa có khuyến cáo').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an officer composes and sends an alert, a citizen answers from the SMS link on a phone, and the counts move', async () => {
  const { url, browser, sms } = env;
  assert.ok(state.crisisUrl, 'the crisis of the first test');
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(state.crisisUrl);
  await page.getByRole('link', { name: 'Soạn cảnh báo' }).click();
  await page.getByRole('heading', { level: 1, name: 'Soạn cảnh báo' }).waitFor();
  const audience = page.locator('#alert-audience');
  await audience.getByText('Số người nhận: 1 (').waitFor();

  await page.locator('#f-subject_vi').fill('Động đất: bạn có an toàn không?');
  await page.locator('#f-subject_en').fill('Earthquake: are you safe?');
  await page.locator('#f-body_vi').fill('Đã xảy ra động đất mạnh. Xin cho biết bạn có an toàn không.');
  await page.locator('#f-body_en').fill('A strong earthquake has happened. Please tell us whether you are safe.');
  const counterVi = page.locator('#sms-counter-vi');
  await counterVi.getByText('không dấu (GSM-7)').waitFor();
  await page.locator('#f-sms_vi').fill('Động đất tại Galilee. Bạn an toàn không?');
  await counterVi.getByText('có dấu (UCS-2)').waitFor();
  const ucs2 = await counterVi.locator('.sms-figures').textContent();
  assert.match(ucs2, /SMS: [2-9] phần/, 'accented with its link costs several parts');
  await shot(page, 'console-alert-compose');
  await counterVi.getByRole('button', { name: 'Dùng bản không dấu' }).click();
  assert.equal(await page.locator('#f-sms_vi').inputValue(), 'Dong dat tai Galilee. Ban an toan khong?');
  await counterVi.getByText('không dấu (GSM-7)').waitFor();
  assert.match(await counterVi.locator('.sms-figures').textContent(), /SMS: 1 phần/);
  await page.getByLabel('Thư điện tử', { exact: true }).uncheck();
  await audience.getByText('0 thư điện tử, 1 tin nhắn SMS').waitFor();

  await page.getByRole('button', { name: 'Gửi cảnh báo' }).click();
  await page.getByText('Gửi cảnh báo này? Số người nhận: 1.').waitFor();
  await page.getByRole('button', { name: 'Xác nhận gửi' }).click();
  await page.getByRole('heading', { level: 1, name: 'Động đất: bạn có an toàn không?' }).waitFor();
  assert.match(page.url(), /\/console\/alerts\/[a-z0-9]+$/);
  await page.locator('#delivery-sms dd[data-key="sent"]').getByText('1', { exact: true }).waitFor({ timeout: 20000 });
  await shot(page, 'console-alert');

  /* The text message the gateway received carries the citizen's link. */
  const message = await waitFor(() => sms.messages.find((m) => m.to === PHONE.replace(/ /g, '')), 'the text message');
  assert.match(message.text, /^Dong dat tai Galilee\. Ban an toan khong\? http/);
  const link = /(https?:\/\/\S+\/c\/[A-Za-z0-9_-]{43})/.exec(message.text);
  assert.ok(link, `a check-in link in: ${message.text}`);

  const phone = await newPage(browser, { width: 360, height: 740 });
  await phone.goto(link[1]);
  await phone.getByRole('heading', { level: 1, name: 'Bạn có an toàn không?' }).waitFor();
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'fits 360 px');
  await shot(phone, 'public-checkin');
  await phone.getByLabel('Tôi cần giúp đỡ').check();
  await phone.getByLabel('Lời nhắn (không bắt buộc)').fill('Nhà bị sập, tôi đang ở ngoài đường.');
  await phone.getByRole('button', { name: 'Gửi' }).click();
  await phone.getByText('Cảm ơn bạn. Câu trả lời đã được ghi nhận.').waitFor();
  await shot(phone, 'public-checkin-done');
  await phone.context().close();

  /* The alert's page follows the answer by itself. */
  await page.locator('#answers dd[data-key="need_help"]').getByText('1', { exact: true }).waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#answers dd[data-key="no_answer"]').textContent(), '0');

  /* The crisis's funnel and the dashboard moved. */
  await page.goto(state.crisisUrl);
  await page.getByRole('heading', { level: 1, name: CRISIS }).waitFor();
  assert.equal(await step(page, 'reached'), '1');
  assert.equal(await step(page, 'accounted'), '1');
  assert.equal(await step(page, 'need_help'), '1');
  await page.locator('figure.curve circle.dot-help').first().waitFor();
  const lastHour = page.locator('figure.curve tbody tr').last();
  assert.equal(await lastHour.locator('td').nth(2).textContent(), '1', 'the curve counts the answer');
  /* The alert is listed on its crisis's page and leads back to its figures. */
  const sent = page.locator('ul.alert-list').getByRole('link', { name: 'Động đất: bạn có an toàn không?' });
  await sent.waitFor();
  assert.match(await sent.getAttribute('href'), /^\/console\/alerts\/[a-z0-9]+$/);
  await page.getByRole('button', { name: 'Xem danh sách' }).click();
  await page.locator('ul.needs-help').getByRole('link', { name: 'Lò Thị Thử' }).waitFor();
  await shot(page, 'console-crisis-after');
  await page.getByRole('navigation').getByRole('link', { name: 'Tổng quan', exact: true }).click();
  const card = page.locator('.crisis-cards > li', { has: page.getByRole('link', { name: CRISIS }) });
  await card.waitFor();
  assert.equal(await step(page, 'need_help', card), '1');
  assert.equal(await step(page, 'reached', card), '1');
  await shot(page, 'console-dashboard-crises');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer sees crises and advisories but nothing to act with, and is refused the alert composer', async () => {
  const { url, browser } = env;
  assert.ok(state.crisisUrl, 'the crisis of the first test');
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Khủng hoảng', exact: true }).click();
  await page.getByRole('link', { name: CRISIS }).click();
  await page.getByRole('heading', { level: 1, name: CRISIS }).waitFor();
  await page.getByRole('heading', { name: 'Nắm tình hình công dân' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Soạn cảnh báo' }).count(), 0, 'no compose button for a viewer');
  await page.getByRole('navigation').getByRole('link', { name: 'Khủng hoảng', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Khủng hoảng' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Mở khủng hoảng' }).count(), 0, 'no way to open a crisis');
  await page.getByRole('navigation').getByRole('link', { name: 'Khuyến cáo', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Khuyến cáo đi lại' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Khuyến cáo mới' }).count(), 0, 'no way to publish');
  await page.goto(`${state.crisisUrl}/alert`);
  await page.getByRole('heading', { level: 1, name: 'Không được phép' }).waitFor();
  assert.equal(await page.locator('#f-subject_vi').count(), 0);
  await shot(page, 'console-viewer-crisis-forbidden');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the crisis and alert screens are in English without a Vietnamese word left, and fit 360 px', async () => {
  const { url, browser } = env;
  assert.ok(state.crisisUrl, 'the crisis of the first test');
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.goto(state.crisisUrl);
  await page.getByRole('heading', { name: 'Accounting for citizens' }).waitFor();
  await page.getByText('So far, of the 1 citizen in the area').waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the crisis page fits 360 px');
  await shot(page, 'console-crisis-en-360');
  await page.getByRole('link', { name: 'Compose an alert' }).click();
  await page.getByRole('heading', { level: 1, name: 'Compose an alert' }).waitFor();
  await page.locator('#alert-audience').getByText('Recipients: 1 (').waitFor();
  const text = await page.locator('main').innerText();
  for (const word of ['Tiêu đề', 'Gửi cảnh báo', 'người nhận', 'Tin nhắn']) {
    assert.ok(!text.includes(word), `no "${word}" on the English screen`);
  }
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'the composer fits 360 px');
  await shot(page, 'console-alert-compose-en-360');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
