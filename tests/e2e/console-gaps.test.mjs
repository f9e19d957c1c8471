/*
 * console-gaps.test.mjs - what the console lacked until issue 7's last round, in a real browser
 * against a real server with the demo data: an officer edits a transport (its capacity, a
 * partner country's shared seats entered as rows, a row refused next to itself, a note cleared)
 * and a staging site, with the keyboard (a viewer is offered neither form); the composer and the alert's page give the recipients
 * per language (the page headed by the subject in the reader's language); a citizen changes the
 * language of their messages on the private manage page, on a 360 px phone, in Vietnamese and
 * English; an officer assigns a case to a user of the Consular Department (hq, no mission), who
 * then finds it in their own queue; the printable situation report fits a phone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LOGINS, login, newPage, shot, start } from './harness.mjs';

let env;
const HQ = 'Nguyễn Thị Lan (Cục Lãnh sự)';

before(async () => {
  env = await start();
});

after(async () => {
  if (env) await env.stop();
});

const fits = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/* POSTs body to path in page's session and returns the answer, checking its status. */
async function post(page, path, body, status = 201) {
  const res = await page.request.post(`${env.url}${path}`, { data: body });
  assert.equal(res.status(), status, await res.text());
  return res.json();
}

async function getJson(page, path) {
  const res = await page.request.get(`${env.url}${path}`);
  assert.equal(res.status(), 200, await res.text());
  return res.json();
}

test('an officer edits a transport: capacity, partner seats as rows, a bad row refused next to it, a note cleared', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const tr = await post(page, '/api/v1/transports', {
    mode: 'bus', provider: 'own', purpose: 'evacuation', reference: 'BUS-E2E1',
    origin: { place: 'Tel Aviv', country: 'IL' }, destination: { place: 'Amman', country: 'JO' },
    departure_at: '2026-12-02T06:00:00Z', capacity: 40, notes: 'Ghi chú cũ',
  });
  await page.goto(`${url}/console/evacuation/transports/${tr.id}`);
  await page.getByRole('heading', { level: 1, name: /BUS-E2E1/ }).waitFor();
  assert.equal(await page.locator('#transport-seats').textContent(), 'Không có');

  /* The form opens with the keyboard and holds what is stored. */
  const summary = page.locator('#transport-edit summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  const form = page.locator('#transport-edit form');
  const capacity = form.getByLabel('Số chỗ', { exact: true });
  assert.equal(await capacity.inputValue(), '40');
  assert.equal(await form.getByLabel('Ghi chú').inputValue(), 'Ghi chú cũ');
  assert.equal(await form.getByRole('group', { name: 'Điểm đến' }).getByLabel('Quốc gia').inputValue(), 'JO');
  await capacity.fill('45');
  await form.getByLabel('Ghi chú').fill('');

  /* Two partner rows; the second lacks its seats. */
  const seats = form.getByRole('group', { name: 'Ghế chia sẻ với nước đối tác' });
  await seats.getByRole('button', { name: 'Thêm một nước đối tác' }).click();
  const row1 = seats.getByRole('group', { name: 'Dòng 1' });
  assert.ok(await row1.getByLabel('Nước đối tác').evaluate((el) => el === document.activeElement), 'the new row has focus');
  await row1.getByLabel('Nước đối tác').selectOption('KR');
  await row1.getByLabel('Số ghế').fill('15');
  await row1.getByLabel('Chiều').selectOption('received');
  await seats.getByRole('button', { name: 'Thêm một nước đối tác' }).click();
  const row2 = seats.getByRole('group', { name: 'Dòng 2' });
  await row2.getByLabel('Nước đối tác').selectOption('LA');
  await form.getByRole('button', { name: 'Lưu chuyến đi' }).click();
  await seats.getByText('Dòng 2: Mục này bắt buộc.').waitFor();
  assert.equal(await row2.getByLabel('Số ghế').getAttribute('aria-invalid'), 'true');
  await shot(page, 'console-transport-edit-error');
  /* Removed with the keyboard; the first row stays as typed. */
  await seats.getByRole('button', { name: 'Bỏ dòng 2' }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await seats.getByRole('group', { name: 'Dòng 2' }).count(), 0);
  await form.getByRole('button', { name: 'Lưu chuyến đi' }).click();
  await page.locator('#transport-live').getByText('Đã lưu chuyến đi.').waitFor();
  await page.getByText('Đã dùng 0 trên 45 chỗ, còn trống 45.').waitFor();
  assert.equal(await page.locator('#transport-seats').textContent(), 'Hàn Quốc: 15 ghế, ta nhận của nước đó');
  const stored = await getJson(page, `/api/v1/transports/${tr.id}`);
  assert.equal(stored.capacity, 45);
  assert.deepEqual(stored.seats, [{ country: 'KR', seats: 15, direction: 'received' }]);
  assert.equal(stored.notes, null, 'an emptied note is cleared');
  assert.equal(stored.departure_at, '2026-12-02T06:00:00Z', 'the time survives the round trip');
  await shot(page, 'console-transport-edited');

  /* Opened again, the form holds the stored seats. */
  await page.locator('#transport-edit summary').click();
  const again = page.locator('#transport-edit form').getByRole('group', { name: 'Dòng 1' });
  assert.equal(await again.getByLabel('Nước đối tác').inputValue(), 'KR');
  assert.equal(await again.getByLabel('Số ghế').inputValue(), '15');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an officer edits a staging site; the page fits 360 px and reads in English', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const site = await post(page, '/api/v1/sites', { kind: 'shelter', name: 'Nhà văn hóa (E2E)', country: 'IL', capacity: 80, region: 'IL-TA' });
  await page.goto(`${url}/console/evacuation/sites/${site.id}`);
  await page.getByRole('heading', { level: 1, name: 'Nhà văn hóa (E2E)' }).waitFor();
  await page.getByText('Sửa điểm tập kết').click();
  const form = page.locator('#site-edit form');
  assert.equal(await form.getByLabel('Vùng, tỉnh').inputValue(), 'IL-TA');
  await form.getByLabel('Tên điểm tập kết').fill('Nhà văn hóa Jaffa (E2E)');
  await form.getByLabel('Sức chứa').fill('0');
  await form.getByRole('button', { name: 'Lưu điểm tập kết' }).click();
  await form.locator('#f-site-edit-capacity-error').waitFor();
  assert.equal(await form.getByLabel('Sức chứa').getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Sức chứa').fill('120');
  await form.getByLabel('Vùng, tỉnh').fill('');
  await form.getByRole('button', { name: 'Lưu điểm tập kết' }).click();
  await page.locator('#site-live').getByText('Đã lưu điểm tập kết.').waitFor();
  await page.getByRole('heading', { level: 1, name: 'Nhà văn hóa Jaffa (E2E)' }).waitFor();
  await page.getByText('Đang có 0 người trên sức chứa 120, còn trống 120.').waitFor();
  const stored = await getJson(page, `/api/v1/sites/${site.id}`);
  assert.equal(stored.capacity, 120);
  assert.equal(stored.region, null);
  await page.getByText('Sửa điểm tập kết').click();
  assert.ok(await fits(page), 'the site page with its form fits 360 px');
  await shot(page, 'console-site-edit-360');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByText('Edit this staging site').waitFor();
  const text = await page.locator('main').innerText();
  for (const word of ['Sửa', 'Lưu', 'Sức chứa', 'Vĩ độ', 'Ghi chú']) assert.ok(!text.includes(word), `no "${word}" in English`);
  assert.ok(await fits(page), 'the English site page fits 360 px');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the transport edit form with partner rows fits 360 px and reads in English', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const tr = await post(page, '/api/v1/transports', {
    mode: 'flight', provider: 'partner', partner_country: 'KR', purpose: 'repatriation', reference: 'KE-E2E2',
    origin: { place: 'Tel Aviv', country: 'IL' }, destination: { place: 'Hà Nội', country: 'VN' },
    departure_at: '2026-12-03T10:00:00Z', capacity: 200, seats: [{ country: 'KR', seats: 20, direction: 'offered' }],
  });
  await page.goto(`${url}/console/evacuation/transports/${tr.id}`);
  await page.getByRole('heading', { level: 1, name: /KE-E2E2/ }).waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  // The heading reads the same in both languages: wait for English text, not for the heading.
  await page.locator('#transport-seats').getByText('South Korea: 20 seats, offered to them').waitFor();
  assert.equal(await page.locator('#transport-seats').textContent(), 'South Korea: 20 seats, offered to them');
  await page.getByText('Edit this transport').click();
  const seats = page.locator('#transport-edit').getByRole('group', { name: 'Seats shared with partner countries' });
  await seats.getByRole('button', { name: 'Add a partner country' }).click();
  await seats.getByRole('group', { name: 'Row 2' }).waitFor();
  assert.ok(await fits(page), 'the edit form with two rows fits 360 px');
  await shot(page, 'console-transport-edit-en-360');
  const text = await page.locator('main').innerText();
  for (const word of ['Dòng', 'Ghế', 'Nước đối tác', 'Số ghế', 'Chiều', 'Lưu']) assert.ok(!text.includes(word), `no "${word}" in English`);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a viewer is offered no edit form on a transport or a site', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.viewer);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const tr = (await getJson(page, '/api/v1/transports?limit=1')).items[0];
  const site = (await getJson(page, '/api/v1/sites?limit=1')).items[0];
  assert.ok(tr && site, 'a demo transport and site');
  await page.goto(`${url}/console/evacuation/transports/${tr.id}`);
  await page.locator('#transport-capacity').waitFor();
  await page.locator('#transport-seats').waitFor();
  assert.equal(await page.locator('#transport-edit').count(), 0);
  await page.goto(`${url}/console/evacuation/sites/${site.id}`);
  await page.locator('#site-occupancy').waitFor();
  assert.equal(await page.locator('#site-edit').count(), 0);
  assert.equal(await page.locator('main form').count(), 0);
  await page.context().close();
});

test('the composer and the alert page give the recipients per language', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  /* Two citizens in Cyprus, one reading English. */
  for (const [name, lang, phone] of [['Lê Văn Síp', 'vi', '+357 99 200 001'], ['Anna Síp', 'en', '+357 99 200 002']]) {
    await post(page, '/api/v1/persons', {
      full_name: name, phones: [phone], preferred_language: lang,
      presence: { country: 'CY', category: 'tourist', from: '2026-11' },
    });
  }
  const crisis = await post(page, '/api/v1/crises', { name: 'Cháy rừng Síp (E2E)', kind: 'natural_disaster', countries: ['CY'] });
  await page.goto(`${url}/console/crises/${crisis.id}/alert`);
  await page.getByRole('heading', { level: 1, name: 'Soạn cảnh báo' }).waitFor();
  await page.locator('#alert-audience').getByText('Theo ngôn ngữ: 1 người đọc tiếng Việt, 1 người đọc tiếng Anh.').waitFor();
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('#alert-audience').getByText('By language: 1 read Vietnamese, 1 read English.').waitFor();
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await page.locator('#alert-audience').getByText('Theo ngôn ngữ:').waitFor();
  await shot(page, 'console-alert-compose-languages');

  const sent = await post(
    page,
    `/api/v1/crises/${crisis.id}/alerts`,
    { subject_vi: 'Cháy rừng', subject_en: 'Forest fire', body_vi: 'Hãy rời khu rừng.', body_en: 'Leave the forest.', channels: ['sms'] },
    202,
  );
  assert.deepEqual(sent.languages, { vi: 1, en: 1 });
  await page.goto(`${url}/console/alerts/${sent.id}`);
  await page.getByRole('heading', { level: 1, name: 'Cháy rừng' }).waitFor();
  assert.equal(await page.locator('#alert-languages').textContent(), '1 tiếng Việt · 1 tiếng Anh');
  await shot(page, 'console-alert-languages');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('#alert-languages').getByText('1 Vietnamese · 1 English').waitFor();
  /* The English reader's heading is the English subject, marked as English. */
  const heading = page.getByRole('heading', { level: 1, name: 'Forest fire' });
  await heading.waitFor();
  assert.equal(await heading.getAttribute('lang'), 'en');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a citizen changes the language of their messages on the manage page, on a phone', async () => {
  const { url, browser } = env;
  const res = await fetch(`${url}/api/v1/public/registrations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      person: { full_name: 'Phan Thị Ngữ', phones: ['+972 50 765 4321'] },
      presence: { country: 'IL', category: 'student', city: 'Haifa', from: '2026-09' },
    }),
  });
  const answer = await res.text();
  assert.equal(res.status, 201, answer);
  const { manage_token: token } = JSON.parse(answer);
  const page = await newPage(browser, { width: 360, height: 740 });
  await page.goto(`${url}/register/${token}`);
  await page.getByRole('heading', { level: 1, name: 'Đăng ký của bạn' }).waitFor();
  const details = page.locator('#m-details');
  await details.getByText('Tiếng Việt').waitFor();
  const language = page.getByLabel('Ngôn ngữ nhận tin');
  assert.equal(await language.inputValue(), 'vi');
  await language.focus();
  await language.selectOption('en');
  await page.getByRole('button', { name: 'Lưu thay đổi' }).click();
  await page.getByText('Đã lưu thay đổi.').waitFor();
  await details.getByText('English').waitFor();
  const stored = await (await fetch(`${url}/api/v1/public/registrations/${token}`)).json();
  assert.equal(stored.person.preferred_language, 'en');
  assert.ok(await fits(page), 'the manage page fits 360 px');
  await shot(page, 'public-manage-language');
  await page.goto(`${url}/register/${token}?lang=en`);
  await page.getByRole('heading', { level: 1, name: 'Your registration' }).waitFor();
  assert.equal(await page.getByLabel('Language of messages').inputValue(), 'en');
  await page.getByLabel('Language of messages').selectOption('vi');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Your changes are saved.').waitFor();
  const back = await (await fetch(`${url}/api/v1/public/registrations/${token}`)).json();
  assert.equal(back.person.preferred_language, 'vi');
  assert.ok(await fits(page), 'the English manage page fits 360 px');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an officer assigns a case to the Consular Department, who finds it in their queue', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const summary = 'Xin Cục Lãnh sự hỗ trợ (E2E)';
  const k = await post(page, '/api/v1/cases', { type: 'other', summary, caller: { name: 'Người gọi E2E' } });
  await page.goto(`${url}/console/cases/${k.id}`);
  await page.getByRole('heading', { level: 1, name: summary }).waitFor();
  const assignee = page.getByLabel('Giao cho');
  assert.deepEqual(await assignee.locator('optgroup[label="Cục Lãnh sự"] option').allTextContents(), [HQ]);
  await assignee.selectOption({ label: HQ });
  await page.getByRole('button', { name: 'Phân công', exact: true }).click();
  await page.locator('#case-live').getByText('Đã cập nhật người phụ trách.').waitFor();
  assert.equal((await page.locator('#case-assignee').textContent()).trim(), HQ);
  await shot(page, 'console-case-assigned-hq');
  /* Held by hq now: hq is no longer offered, nobody and me are. */
  assert.deepEqual(await page.getByLabel('Giao cho').locator('option').allTextContents(), ['Không giao cho ai', 'Tôi (Trần Văn Minh (ĐSQ Israel))']);
  assert.deepEqual(page.problems, []);
  await page.context().close();

  const hq = await newPage(browser);
  await login(hq, url, LOGINS.hq);
  await hq.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await hq.goto(`${url}/console/cases?queue=mine`);
  await hq.getByRole('link', { name: summary }).waitFor();
  assert.deepEqual(hq.problems, []);
  await hq.context().close();
});

test('the printable situation report fits a 360 px phone: its wide tables scroll inside themselves', async () => {
  const { url, browser } = env;
  const page = await newPage(browser, { width: 360, height: 740 });
  await login(page, url, LOGINS.hq);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const crises = await getJson(page, '/api/v1/crises?status=open');
  assert.ok(crises.items.length > 0, 'a demo crisis');
  for (const lang of ['vi', 'en']) {
    await page.goto(`${url}/api/v1/crises/${crises.items[0].id}/sitrep?format=html&lang=${lang}`);
    await page.locator('table').first().waitFor();
    assert.ok(await fits(page), `the ${lang} report fits 360 px`);
  }
  await shot(page, 'sitrep-360-en');
  await page.context().close();
});
