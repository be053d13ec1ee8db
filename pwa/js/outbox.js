// The offline outbox: every send is stored first (with its client_id), then posted in order. The page
// and the service worker both run this module (so no `window`/`document` here), under the 'bc-outbox'
// lock. Retries are safe: the server stores a client_id once, and an ack is idempotent.
import * as db from './db.js';

/**
 * @typedef {{ seq?: number, kind: 'text' | 'cue' | 'ack', client_id: string, channel_id: number, created_at: number,
 *   text?: string, cue?: string, ttl?: number, message_id?: number, uid?: number | null,
 *   state?: 'queued' | 'failed' | 'expired', force?: boolean, error?: string | null }} Item
 * @typedef {{ store: typeof db.outbox, csrf(): Promise<string> }} Backend
 * @typedef {'done' | 'retry' | 'unauthenticated'} Outcome what a flush left
 */

/** @type {Item[]} */
export let items = []; // mirror of the store, in send order
/** @type {{ changed(): void, sent(m: any): unknown, acked(a: any): unknown, unauthenticated(): void }} */
export const hooks = { changed() {}, sent() {}, acked() {}, unauthenticated() {} };
/** @type {{ running: Promise<Outcome> | null, again: boolean, delay: number, timer: any, uid: number | null }} */
const state = { running: null, again: false, delay: 0, timer: undefined, uid: null };

// The CSRF token is the copy setCsrf (api.js) keeps in IndexedDB: a worker cannot read the bc_csrf
// cookie the page used to send, and both hold the session's one token.
/** @type {Backend} */
let backend = { store: db.outbox, csrf: async () => (await db.kv.get('csrf')) || '' };

/** The unit tests keep items in memory. @param {Backend} b */
export function useBackend(b) {
  backend = b;
}

/** Whose items are sent. @param {number | null} uid */
export function setUser(uid) {
  state.uid = uid;
}

export async function reload() {
  items = await backend.store.all();
  hooks.changed();
}

// How far back the server keeps a send's written time (COMPOSED_MAX_AGE_MS in api/actions/messages.py): an item
// stays queued however old, but an older one is said to be written this long ago at most.
export const MAX_AGE_MS = 7 * 86400000;

/** With when it was written (the item's own time): sent later, it keeps it. @param {Item} item */
export function body(item) {
  return item.kind === 'cue'
    ? { client_id: item.client_id, kind: 'cue', cue: item.cue, composed_at: item.created_at }
    : { client_id: item.client_id, kind: 'text', text: item.text, composed_at: item.created_at };
}

/** A message to its channel, an ack to its message (no body). @param {Item} item @returns {[string, string | undefined]} */
export function target(item) {
  return item.kind === 'ack'
    ? [`/api/messages/${item.message_id}/ack`, undefined]
    : [`/api/channels/${item.channel_id}/messages`, JSON.stringify(body(item))];
}

/** @param {Item} item */
export function expired(item, now = Date.now()) {
  return item.kind === 'cue' && !item.force && now - item.created_at > (item.ttl ?? 0) * 1000;
}

/** @param {number} status @param {{ error?: string } | null} data @param {Item} item */
export function verdict(status, data, item) {
  if (status === 401) return 'unauthenticated'; // kept for the next sign-in
  if (status >= 500 || status === 429 || status === 408) return 'retry';
  if (status >= 200 && status < 300) return 'sent';
  // A refused ack (message gone, or mine) has nothing to retry; a message deleted since it was sent stays so.
  if (item.kind === 'ack' || data?.error === 'message_deleted') return 'dropped';
  return 'refused'; // failed, with the server's reason
}

/** 1 s, doubling, at most a minute. @param {number} delay */
export function nextDelay(delay) {
  return Math.min(60000, delay ? delay * 2 : 1000);
}

/** @param {Item} item */
export async function enqueue(item) {
  item.state = 'queued';
  item.uid = state.uid;
  item.seq = await backend.store.add(item);
  items.push(item);
  hooks.changed();
  requestBackgroundSync();
  flush();
}

/** "Got it" while offline: one queued ack per message is enough. @param {{ id: number, channel_id: number }} m */
export async function enqueueAck(m) {
  if (state.uid == null) return; // signed out on this device: nobody to ack as
  items = await backend.store.all();
  if (items.some((i) => i.kind === 'ack' && i.message_id === m.id && i.uid === state.uid && i.state === 'queued')) return;
  await enqueue({ kind: 'ack', client_id: `ack-${m.id}`, message_id: m.id, channel_id: m.channel_id, created_at: Date.now() });
}

/** @param {Item} item */
export async function sendAnyway(item) {
  Object.assign(item, { force: true, state: 'queued', error: null });
  await backend.store.put(item);
  hooks.changed();
  flush();
}

/** The server has it (its live event came first). @param {string} clientId */
export async function settled(clientId) {
  const hit = items.find((i) => i.client_id === clientId);
  if (hit) await discard(hit);
}

/** @param {Item} item */
export async function discard(item) {
  await backend.store.del(/** @type {number} */ (item.seq));
  items = items.filter((i) => i.seq !== item.seq);
  hooks.changed();
}

/** @typedef {ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }} SyncRegistration */
/** Background Sync: the browser flushes when back online, app closed or not; false where it will not. */
export async function requestBackgroundSync() {
  const worker = /** @type {{ registration?: SyncRegistration }} */ (globalThis); // a service worker's own
  try {
    const reg = worker.registration ?? /** @type {SyncRegistration | undefined} */ (await globalThis.navigator?.serviceWorker?.ready);
    if (!reg?.sync) return false; // Chromium only
    await reg.sync.register('outbox');
    return true;
  } catch {
    return false; // not permitted
  }
}

/** Later calls join the one running. */
export function flush() {
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    /** @type {Outcome} */
    let outcome;
    do {
      state.again = false;
      const locks = globalThis.navigator?.locks;
      outcome = await (locks ? locks.request('bc-outbox', flushOnce) : flushOnce());
    } while (state.again);
    return outcome;
  })().finally(() => { state.running = null; });
  return state.running;
}

/** A retry is scheduled. */
export function retrying() {
  return state.timer !== undefined;
}

function retryLater() {
  state.delay = nextDelay(state.delay);
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.timer = undefined;
    flush();
  }, state.delay * (0.8 + Math.random() * 0.4));
}

/** @returns {Promise<Outcome>} */
async function flushOnce() {
  clearTimeout(state.timer);
  state.timer = undefined;
  if (globalThis.navigator?.onLine === false) return 'retry'; // the page waits for `online`, the worker polls
  if (state.uid == null) return 'done';
  items = await backend.store.all();
  hooks.changed();
  for (const item of items) {
    if (item.uid !== state.uid || item.state !== 'queued') continue;
    if (expired(item)) {
      item.state = 'expired';
      await backend.store.put(item);
      hooks.changed();
      continue;
    }
    const outcome = await send(item);
    if (outcome !== 'done') return outcome;
  }
  state.delay = 0;
  return 'done';
}

/** @param {Item} item @returns {Promise<Outcome>} */
async function send(item) {
  const [url, payload] = target(item);
  const headers = { 'content-type': 'application/json', 'x-csrf-token': await backend.csrf() };
  const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body: payload }).catch(() => null);
  const data = await res?.json().catch(() => null);
  const v = res ? verdict(res.status, data, item) : 'retry'; // no answer: no network
  if (v === 'unauthenticated') hooks.unauthenticated();
  if (v === 'retry') retryLater();
  if (v === 'unauthenticated' || v === 'retry') return v;
  if (v === 'refused') {
    item.state = 'failed';
    item.error = data?.detail || `Refused (${res?.status}).`;
    await backend.store.put(item);
  } else {
    await backend.store.del(/** @type {number} */ (item.seq));
    if (v === 'sent') await (item.kind === 'ack' ? hooks.acked(data) : hooks.sent(data));
    items = items.filter((i) => i.seq !== item.seq);
  }
  hooks.changed();
  return 'done';
}
