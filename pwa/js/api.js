// HTTP to the server: JSON in and out, the CSRF header on every write, one error type.
import { kv } from './db.js';

let csrf = '';
export const hooks = { unauthenticated() {} };

/** @param {string | null | undefined} token */
export function setCsrf(token) {
  csrf = token || '';
  return kv.set('csrf', csrf);
}

/** @param {string} name */
export function cookie(name) {
  const hit = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : '';
}

export class ApiError extends Error {
  /** @param {number} status 0: offline @param {ApiErrorBody | null} [body] */
  constructor(status, body) {
    super(body?.detail || (status ? `The server answered ${status}.` : 'You are offline.'));
    this.status = status;
    this.code = body?.error || (status ? 'http' : 'offline');
    this.fields = body?.fields || {};
  }
}

export function online() {
  return navigator.onLine !== false;
}

// Resolves the answer's JSON (null for 204 or no JSON), shaped as the route says; the caller names its type.
/** @param {string} method @param {string} path @param {unknown} [body] @returns {Promise<any>} */
export async function api(method, path, body) {
  if (!online()) throw new ApiError(0);
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf || cookie('bc_csrf');
  let res;
  try {
    res = await fetch('/api' + path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0);
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && err.code === 'unauthenticated') hooks.unauthenticated();
    throw err;
  }
  return data;
}
