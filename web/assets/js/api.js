/*
 * api.js - calls to baoho's JSON API. Every call sends Content-Type: application/json (the API
 * takes no other body, which with the SameSite=Strict session cookie makes it CSRF-safe) and
 * asks the browser not to cache the answer. Errors are thrown as ApiError with the API's code
 * and the field it names.
 */
export class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = (error && error.code) || 'http_error';
    this.field = (error && error.field) || null;
  }
}

let onUnauthenticated = null;

/* Sets what happens when a call answers 401 (the session has expired): fn(error). */
export function setUnauthenticatedHandler(fn) {
  onUnauthenticated = fn;
}

/*
 * Calls method path with body (an object, or undefined) and returns the parsed answer. Throws
 * ApiError on an error status; a 401 also calls the unauthenticated handler unless quiet.
 */
export async function api(method, path, body, { quiet = false } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, { code: 'network', message: String(e) });
  }
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
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
