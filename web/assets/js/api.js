/*
 * api.js - calls to baoho's JSON API. Every call sends Content-Type: application/json (the API
 * takes no other body, which with the SameSite=Strict session cookie makes it CSRF-safe) and
 * asks the browser not to cache the answer. Errors are thrown as ApiError with the API's code
 * and the field it names.
 *
 * Every write (POST, PUT, PATCH, DELETE) carries an Idempotency-Key (docs/api.md): a fresh
 * random one per logical action, unless the caller hands one in to repeat an action it already
 * tried. A write whose answer was lost (the network failed) or that the server could not finish
 * (503 with Retry-After, or 409 idempotency_in_progress while the first attempt still runs) is
 * sent once more, automatically, with the same key: the server then answers with the outcome
 * of the first attempt, or does the write now, but never does it twice.
 */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || 'http_error';
    this.field = (error && error.field) || null;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/* Bytes of randomness in a key (128 bits, written as a version 4 UUID). */
const KEY_BYTES = 16;
/* The wait before repeating a write whose answer the network lost. */
const NETWORK_RETRY_MS = 1000;
/* The longest Retry-After honoured; a longer one is answered to the caller instead. */
const RETRY_AFTER_MAX_S = 10;

let onUnauthenticated = null;

/* Sets what happens when a call answers 401 (the session has expired): fn(error). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

/* A new idempotency key: 128 random bits from crypto.getRandomValues, as a version 4 UUID. */
export function newIdempotencyKey() {
  const b = new Uint8Array(KEY_BYTES);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/* The seconds a Retry-After header asks to wait (a number or an HTTP date), or null. */
function retryAfterSeconds(res) {
  const v = res.headers.get('Retry-After');
  if (v === null) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function sleep(ms) {
  return new Promise((ok) => setTimeout(ok, ms));
}

async function readJson(res) {
  if (res.status === 204) return null;
  try {
    return await res.json();
  } catch (e) {
    return null;
  }
}

/*
 * Calls method path with body (an object, or undefined) and returns the parsed answer. Throws
 * ApiError on an error status; a 401 also calls the unauthenticated handler unless quiet. A
 * write sends idempotencyKey (a new one when not given) and is repeated once with it when the
 * network fails or the server asks to retry (see the top of this file).
 */
export async function api(method, path, body, { quiet = false, idempotencyKey = null } = {}) {
  const write = WRITES.has(method);
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (write) headers['Idempotency-Key'] = idempotencyKey || newIdempotencyKey();
  const init = {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
  };
  let res;
  let data = null;
  for (let attempt = 0; ; attempt++) {
    const last = !write || attempt > 0;
    try {
      res = await fetch(path, init);
    } catch (e) {
      if (last) throw new ApiError(0, { code: 'network', message: String(e) });
      await sleep(NETWORK_RETRY_MS);
      continue;
    }
    data = await readJson(res);
    const busy =
      res.status === 503 ||
      (res.status === 409 && data && data.error && data.error.code === 'idempotency_in_progress');
    const wait = busy ? retryAfterSeconds(res) : null;
    if (last || wait === null || wait > RETRY_AFTER_MAX_S) break;
    await sleep(wait * 1000);
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && data.error);
    if (res.status === 401 && !quiet && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  return data;
}

/* Builds a query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
