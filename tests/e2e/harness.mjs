/*
 * harness.mjs - what the end-to-end tests share: a real `baoho serve --demo` on a free port
 * with a temporary database, Debian's Chromium driven by playwright-core, and screenshots kept
 * as artifacts, with each server's log (server-PORT.log: its access lines carry no personal
 * data), so that a test that timed out waiting for an answer can be read afterwards.
 *
 * Environment: BAOHO_BIN (the binary, required), BAOHO_E2E_ARTIFACTS (where screenshots go,
 * default build/e2e-artifacts), CHROMIUM (default /usr/bin/chromium).
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const ARTIFACTS = process.env.BAOHO_E2E_ARTIFACTS || join(ROOT, 'build', 'e2e-artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const STARTUP_MS = 15000;

/* The demo logins printed by `baoho demo` (src/cli/demo.c). */
export const LOGINS = {
  admin: ['admin@baoho.example', 'demo-admin-2023'],
  hq: ['hq@baoho.example', 'demo-hq-2023'],
  israel: ['israel@baoho.example', 'demo-israel-2023'],
  viewer: ['viewer@baoho.example', 'demo-viewer-2023'],
};

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitHealthy(url, child) {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`baoho exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch (e) {
      /* Not listening yet. */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`baoho did not answer ${url}/healthz within ${STARTUP_MS} ms`);
}

/*
 * A stand-in for the SMS gateway (the protocol of src/delivery/sms.h): it accepts every message
 * with 200 and keeps {to, text} in messages, in arrival order. The signature is not checked here:
 * the API tests do that.
 */
async function smsGateway() {
  const messages = [];
  let n = 0;
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        const m = JSON.parse(body);
        messages.push({ to: m.to, text: m.text });
      } catch (e) {
        /* A body that is not JSON is a bug of the server under test: the tests see no message. */
      }
      n += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `stub-${n}` }));
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/sms`, messages, close: () => new Promise((ok) => {
    server.closeAllConnections();
    server.close(ok);
  }) };
}

/*
 * Starts baoho with demo data and Chromium. Returns {url, browser, stop(), sms}; stop() ends
 * both and removes the temporary directory. With {sms: true} baoho sends its text messages to a
 * stand-in gateway whose messages (sms.messages) carry the check-in links.
 */
export async function start({ sms: withSms = false } = {}) {
  const bin = process.env.BAOHO_BIN;
  if (!bin) throw new Error('BAOHO_BIN must name the baoho binary');
  accessSync(bin, constants.X_OK);
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'baoho-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = [];
  const sms = withSms ? await smsGateway() : null;
  const args = ['serve', '--demo', '--db', join(dir, 'e2e.db'), '--listen', `127.0.0.1:${port}`];
  if (sms) args.push('--sms-url', sms.url, '--sms-secret', 'e2e-gateway-secret-0123456789');
  const child = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('error', (e) => log.push(`cannot start ${bin}: ${e.message}\n`));
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  try {
    await waitHealthy(url, child);
  } catch (e) {
    child.kill('SIGTERM');
    throw new Error(`${e.message}\n${log.join('')}`);
  }
  /* Playwright gives Chromium a new, empty profile directory of its own at every launch. */
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: STARTUP_MS,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (e) {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  async function stop() {
    await browser.close().catch(() => {});
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    writeFileSync(join(ARTIFACTS, `server-${port}.log`), log.join(''));
    if (sms) await sms.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { url, browser, stop, log, sms };
}

/*
 * A new page in a fresh browser context (no cookies, no storage). Failed requests and console
 * errors, and any Content-Security-Policy violation, are collected in page.problems.
 */
export async function newPage(browser, { width = 1280, height = 900, locale = 'vi-VN' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    /* A 4xx answer the page expects (401 before login, 403, 422) is not a problem. */
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  return page;
}

/* Saves a full-page screenshot as ARTIFACTS/name.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/* Logs in through the console's login page. */
export async function login(page, url, [email, password]) {
  await page.goto(`${url}/console/login`);
  await page.getByLabel(/Thư điện tử|E-mail/).fill(email);
  await page.getByLabel(/Mật khẩu|Password/).fill(password);
  await page.getByRole('button', { name: /Đăng nhập|Log in/ }).click();
}

/* Removes Vietnamese diacritics (and đ) the way a hurried officer types a name. */
export function unaccent(s) {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}
