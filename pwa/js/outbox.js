// The offline outbox: every send is stored here first (with its client_id), then posted in order.
// Flushes on launch, `online`, page visible, WebSocket open, the service worker's `sync` and `push`,
// and with backoff while failing. Retries are safe: the server stores a client_id once, and an ack
// ("got it", kind 'ack', also queued by the notification's action in sw.js) is idempotent.
import { outbox as store } from './db.js';
import { cookie, online } from './api.js';

export let items = []; // mirror of the store, in send order
export const hooks = { changed() {}, sent() {}, acked() {}, unauthenticated() {} };
const state = { running: null, again: false, delay: 0, timer: 0, uid: null };

export function setUser(uid) {
  state.uid = uid;
}

export async function reload() {
  items = await store.all();
  hooks.changed();
}

export function body(item) {
  return item.kind === 'cue'
    ? { client_id: item.client_id, kind: 'cue', cue: item.cue }
    : { client_id: item.client_id, kind: 'text', text: item.text };
}

// Where an item goes: a message to its channel, an ack to its message (no body).
export function target(item) {
  return item.kind === 'ack'
    ? [`/api/messages/${item.message_id}/ack`, undefined]
    : [`/api/channels/${item.channel_id}/messages`, JSON.stringify(body(item))];
}

export function expired(item, now = Date.now()) {
  return item.kind === 'cue' && !item.force && now - item.created_at > item.ttl * 1000;
}

export async function enqueue(item) {
  item.state = 'queued';
  item.uid = state.uid;
  item.seq = await store.add(item);
  items.push(item);
  hooks.changed();
  requestBackgroundSync();
  flush();
}

// "Got it" while offline: one queued ack per message is enough.
export async function enqueueAck(m) {
  items = await store.all();
  if (items.some((i) => i.kind === 'ack' && i.message_id === m.id && i.uid === state.uid && i.state === 'queued')) return;
  await enqueue({ kind: 'ack', client_id: `ack-${m.id}`, message_id: m.id, channel_id: m.channel_id, created_at: Date.now() });
}

export async function sendAnyway(item) {
  Object.assign(item, { force: true, state: 'queued', error: null });
  await store.put(item);
  hooks.changed();
  flush();
}

export async function discard(item) {
  await store.del(item.seq);
  items = items.filter((i) => i.seq !== item.seq);
  hooks.changed();
}

// The server already holds this message (its live event arrived first): forget the local copy.
export async function settled(clientId) {
  const hit = items.find((i) => i.client_id === clientId);
  if (!hit) return;
  await store.del(hit.seq);
  items = items.filter((i) => i !== hit);
  hooks.changed();
}

function requestBackgroundSync() {
  navigator.serviceWorker?.ready
    .then((reg) => reg.sync?.register('outbox'))
    .catch(() => {}); // not offered, or not permitted: the other triggers cover it
}

export function flush() {
  if (state.running) {
    state.again = true;
    return state.running;
  }
  state.running = (async () => {
    do {
      state.again = false;
      const locks = navigator.locks;
      await (locks ? locks.request('bc-outbox', flushOnce) : flushOnce());
    } while (state.again);
  })().finally(() => { state.running = null; });
  return state.running;
}

function retryLater() {
  state.delay = Math.min(60000, state.delay ? state.delay * 2 : 1000);
  clearTimeout(state.timer);
  state.timer = setTimeout(flush, state.delay * (0.8 + Math.random() * 0.4));
}

async function flushOnce() {
  clearTimeout(state.timer);
  if (!online() || state.uid == null) return;
  items = await store.all();
  hooks.changed();
  for (const item of items) {
    if (item.uid !== state.uid || item.state !== 'queued') continue;
    if (expired(item)) {
      item.state = 'expired';
      await store.put(item);
      hooks.changed();
      continue;
    }
    const [url, payload] = target(item);
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': cookie('bc_csrf') },
        body: payload,
      });
    } catch {
      retryLater();
      return;
    }
    const data = await res.json().catch(() => null);
    if (res.status === 401) {
      hooks.unauthenticated();
      return;
    } else if (res.status >= 500 || res.status === 429 || res.status === 408) {
      retryLater();
      return;
    } else if (res.ok || item.kind === 'ack' || data?.error === 'message_deleted') {
      // A refused ack (message gone, or mine) has nothing to retry; a message deleted since it was sent stays so.
      await store.del(item.seq);
      if (res.ok) await (item.kind === 'ack' ? hooks.acked(data) : hooks.sent(data));
      items = items.filter((i) => i.seq !== item.seq);
      hooks.changed();
    } else {
      item.state = 'failed';
      item.error = data?.detail || `Refused (${res.status}).`;
      await store.put(item);
      hooks.changed();
    }
  }
  state.delay = 0;
}
