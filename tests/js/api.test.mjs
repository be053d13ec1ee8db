// HTTP to the server (pwa/js/api.js): the headers every call carries, what an answer resolves to, and the one
// error type every failure becomes.
import { beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeDocument, setGlobal } from './browser.mjs';
import { api, ApiError, hooks, setCsrf } from '../../pwa/js/api.js';

let calls;
let answer;

beforeEach(() => {
  calls = [];
  answer = () => Response.json({ ok: true });
  fakeDocument({ cookie: 'theme=dark; bc_csrf=from%20cookie' });
  setGlobal('navigator', { onLine: true });
  setGlobal('fetch', async (url, init) => { calls.push({ url, ...init }); return answer(); });
});

/** setCsrf keeps the token for the next calls at once, then stores it in IndexedDB, which Node has not. */
const useCsrf = (token) => setCsrf(token).catch(() => {});

test('offline, a call fails at once with "offline" and never reaches fetch', async () => {
  navigator.onLine = false;
  const err = await api('GET', '/me').catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.deepEqual([err.status, err.code, err.message], [0, 'offline', 'You are offline.']);
  assert.equal(calls.length, 0);
});

test('a read asks for JSON under /api with the session cookie, and sends no body and no CSRF token', async () => {
  await api('GET', '/me');
  assert.deepEqual(calls, [{
    url: '/api/me', method: 'GET', headers: { accept: 'application/json' }, credentials: 'same-origin', body: undefined,
  }]);
});

test('a write sends its body as JSON with the CSRF token from sign-in', async () => {
  await useCsrf('from-session');
  await api('POST', '/channels/3/messages', { kind: 'text', text: 'hi' });
  assert.deepEqual(calls[0].headers,
    { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': 'from-session' });
  assert.equal(calls[0].body, '{"kind":"text","text":"hi"}');
});

test('without a token from sign-in a write takes the CSRF cookie; a write without a body has no content type', async () => {
  await useCsrf(null);
  await api('DELETE', '/channels/3/messages');
  assert.deepEqual(calls[0].headers, { accept: 'application/json', 'x-csrf-token': 'from cookie' });
  assert.equal(calls[0].body, undefined);
});

test('an answer resolves to its JSON; 204, or a body that is not JSON, to null', async () => {
  answer = () => Response.json({ id: 7 }, { status: 201 });
  assert.deepEqual(await api('POST', '/teams', { name: 'A' }), { id: 7 });
  answer = () => new Response(null, { status: 204 });
  assert.equal(await api('DELETE', '/push/subscriptions'), null);
  answer = () => new Response('<html>', { status: 200 });
  assert.equal(await api('GET', '/me'), null);
});

test("an error answer becomes an ApiError with the server's code, sentence and fields", async () => {
  answer = () => Response.json(
    { error: 'invalid', detail: 'The name is too long.', fields: { name: 'too long' } }, { status: 422 });
  const err = await api('POST', '/teams', { name: 'x'.repeat(99) }).catch((e) => e);
  assert.ok(err instanceof ApiError);
  assert.deepEqual([err.status, err.code, err.message, err.fields],
    [422, 'invalid', 'The name is too long.', { name: 'too long' }]);
});

test('an error answer not in the error shape (a proxy page) still says what happened', async () => {
  answer = () => new Response('Bad gateway', { status: 502 });
  const err = await api('GET', '/me').catch((e) => e);
  assert.deepEqual([err.status, err.code, err.message, err.fields], [502, 'http', 'The server answered 502.', {}]);
});

test('a request that never reaches the server (the network is gone) is "offline"', async () => {
  setGlobal('fetch', async () => { throw new TypeError('Failed to fetch'); });
  const err = await api('GET', '/me').catch((e) => e);
  assert.deepEqual([err.status, err.code], [0, 'offline']);
});

test('only a 401 "unauthenticated" (the session is gone) calls the log-in hook', async () => {
  const hook = mock.method(hooks, 'unauthenticated', () => {});
  for (const [status, error] of [[401, 'bad_credentials'], [403, 'unauthenticated'], [401, 'unauthenticated']]) {
    answer = () => Response.json({ error, detail: '.' }, { status });
    await api('GET', '/me').catch(() => {});
  }
  assert.equal(hook.mock.callCount(), 1);
});
