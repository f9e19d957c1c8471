/*
 * casesubject.test.mjs - in a real browser against a real server with the demo data: a hotline
 * officer opening a missing-person report gives, in the same new-case form, what the caller
 * knows of the missing person (the case's subject: name, sex, partial date of birth, province,
 * ID number), and finds them on the case's page; the fields are offered for that type only. A
 * date of birth the API would refuse is said next to its field before anything is sent, and a
 * refusal only the API knows (an ID number too short) is shown next to its field, the folded
 * fields unfolded to show it; no case is opened either time. The console's rule for dates of
 * birth is held to the API's, date by date.
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

/* A page on the new-case form, logged in as the Israel embassy's officer. */
async function newCaseForm() {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  await page.goto(`${url}/console/cases/new`);
  await page.getByRole('heading', { level: 1, name: 'Mở vụ việc' }).waitFor();
  return page;
}

/* The statuses of the answers to POST /api/v1/cases, as they arrive. */
function caseCreations(page) {
  const statuses = [];
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/v1/cases') statuses.push(res.status());
  });
  return statuses;
}

test('an officer opens a missing-person case with the missing person\'s details from the new-case form and finds them on its page', async () => {
  const page = await newCaseForm();
  const fold = page.locator('#case-new-subject');
  /* Not offered for a type without a subject at intake (the first type, an evacuation request). */
  assert.equal(await fold.isVisible(), false);
  await page.getByLabel('Loại vụ việc').selectOption('missing_person_report');
  await fold.waitFor();
  assert.equal(await fold.getAttribute('open'), null, 'folded until opened');
  await fold.locator('summary', { hasText: 'Người mất tích' }).click();

  const summary = 'Anh trai báo em mất liên lạc ở Myawaddy (E2E)';
  await page.getByLabel('Tóm tắt').fill(summary);
  await page.getByLabel('Họ tên người gọi').fill('Lò Văn Sáng');
  await page.getByLabel('Quan hệ với người cần giúp').fill('anh trai');
  await fold.getByLabel('Họ và tên').fill('Lò Văn Pấng');
  await fold.getByLabel('Giới tính').selectOption('M');
  await fold.getByLabel('Ngày sinh').fill('1991-07');
  await fold.getByLabel('Tỉnh, thành quê quán').fill('Hà Giang');
  await fold.getByLabel('Số hộ chiếu hoặc CCCD').fill('c 765 4321');
  await shot(page, 'console-case-new-subject');
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();

  await page.getByRole('heading', { level: 1, name: summary }).waitFor();
  const facts = page.locator('#case-subject');
  await facts.getByText('Lò Văn Pấng').waitFor();
  await facts.locator('[data-field="id_number"]').getByText('C7654321').waitFor();
  await facts.locator('[data-field="home_province"]').getByText('Hà Giang').waitFor();
  assert.match(await facts.locator('[data-field="date_of_birth"]').textContent(), /1991/);
  const id = page.url().split('/').pop();
  const kase = await (await page.request.get(`${env.url}/api/v1/cases/${id}`)).json();
  assert.equal(kase.type, 'missing_person_report');
  assert.equal(kase.caller.name, 'Lò Văn Sáng');
  assert.deepEqual(kase.subject, { full_name: 'Lò Văn Pấng', sex: 'M', date_of_birth: '1991-07', home_province: 'Hà Giang', id_number: 'C7654321' });
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a date of birth that is not one is refused next to its field and opens no case, as is a refusal of the API', async () => {
  const page = await newCaseForm();
  const sent = caseCreations(page);
  const fold = page.locator('#case-new-subject');
  await page.getByLabel('Loại vụ việc').selectOption('missing_person_report');
  await fold.locator('summary', { hasText: 'Người mất tích' }).click();
  await page.getByLabel('Tóm tắt').fill('Mẹ báo con gái mất tích (E2E, ngày sinh sai)');
  await fold.getByLabel('Họ và tên').fill('Lò Thị Dung');
  await fold.getByLabel('Ngày sinh').fill('17/05/1990');
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();

  /* Said next to the field, in the words the API's refusal would earn; nothing sent. */
  const dob = fold.getByLabel('Ngày sinh');
  await page.waitForFunction(() => document.getElementById('f-subject-date_of_birth').getAttribute('aria-invalid') === 'true');
  assert.equal(
    await page.locator('#f-subject-date_of_birth-error').textContent(),
    'Ngày viết dạng NNNN, NNNN-TT hoặc NNNN-TT-NN, ví dụ 1990-05-17.',
  );
  assert.equal(await dob.evaluate((el) => el === document.activeElement), true, 'the field has the focus');
  await shot(page, 'console-case-new-subject-bad-date');
  assert.deepEqual(sent, []);
  assert.match(page.url(), /\/console\/cases\/new$/);

  /* A future date is refused too; then a good date, and an ID number only the API refuses, the
   * fields folded again: the refusal unfolds them and is shown next to the number. */
  await dob.fill('2099');
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();
  await page.waitForFunction(() => document.getElementById('f-subject-date_of_birth-error').textContent === 'Ngày không được ở tương lai.');
  assert.deepEqual(sent, []);
  await dob.fill('1990-05-17');
  await fold.getByLabel('Số hộ chiếu hoặc CCCD').fill('12-3');
  await fold.locator('summary', { hasText: 'Người mất tích' }).click();
  assert.equal(await fold.getAttribute('open'), null, 'folded again');
  await page.getByRole('button', { name: 'Mở vụ việc' }).click();
  await page.waitForFunction(() => document.getElementById('f-subject-id_number').getAttribute('aria-invalid') === 'true');
  assert.notEqual(await fold.getAttribute('open'), null, 'unfolded to show the refusal');
  assert.equal(await page.locator('#f-subject-id_number-error').isVisible(), true);
  assert.equal(await page.locator('#f-subject-date_of_birth-error').isVisible(), false, 'the date is no longer refused');
  assert.deepEqual(sent, [422]);
  assert.match(page.url(), /\/console\/cases\/new$/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the console refuses a date of birth exactly when the API does, for the same reason', async () => {
  const { url, browser } = env;
  const page = await newPage(browser);
  await login(page, url, LOGINS.israel);
  await page.getByRole('heading', { level: 1, name: 'Tổng quan' }).waitFor();
  const res = await page.request.post(`${url}/api/v1/cases`, {
    data: { type: 'missing_person_report', summary: 'Đối chiếu quy tắc ngày sinh (E2E)', subject: { full_name: 'Lò Văn Một' } },
  });
  assert.equal(res.status(), 201);
  const kase = await res.json();
  const year = new Date().getUTCFullYear();
  const dates = [
    '1990', '1990-05', '1990-05-17', '2000-02-29', '1900-02-29', '1990-02-29', '1990-04-31', '1990-13', '1990-00',
    '1990-5', '17/05/1990', '19900517', '1849', '1850', '1899-12-31', '1900', `${year}`, `${year + 1}`,
    '2099-01-01', '2200', '2201', 'năm 1990',
  ];
  /* The API's verdict: the dictionary key its refusal earns (validation.js), or null. */
  const api = [];
  for (const d of dates) {
    const r = await page.request.patch(`${url}/api/v1/cases/${kase.id}`, { data: { subject: { full_name: 'Lò Văn Một', date_of_birth: d } } });
    if (r.status() === 200) {
      api.push(null);
      continue;
    }
    assert.equal(r.status(), 422, d);
    const { error } = await r.json();
    assert.equal(error.field, 'subject.date_of_birth', d);
    api.push(/in the future/.test(error.message) ? 'error.future' : /after 1900/.test(error.message) ? 'error.too_old' : /date written/.test(error.message) ? 'error.date' : error.message);
  }
  const shown = await page.evaluate(async (list) => {
    const { birthDateProblem } = await import('/assets/js/console/case-subject.js');
    return list.map((d) => birthDateProblem(d));
  }, dates);
  assert.deepEqual(
    dates.map((d, i) => [d, shown[i]]),
    dates.map((d, i) => [d, api[i]]),
  );
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
