// Backchannel's module service worker (README: How the pieces fit): precaches the shell listed in the generated /shell.js, serves it
// offline, never touches /api/, flushes the outbox on Background Sync and push, shows each push ("Got it" acks it).
// @ts-expect-error: no file, the server writes it
import * as shell from './shell.js';
import { connect, kv, op } from './js/db.js';
import * as outbox from './js/outbox.js';

/** @type {{ VERSION: string, SHELL: string[] }} */
const { VERSION, SHELL } = shell;

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));
const CACHE = `bc-shell-${VERSION}`;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('bc-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== sw.location.origin || url.pathname.startsWith('/api/')) return;
  const appRoute = request.mode === 'navigate' && !url.pathname.split('/').pop()?.includes('.');
  const key = appRoute ? '/index.html' : url.pathname;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key)).then((hit) => hit || fetch(request)),
  );
});

// --- outbox -----------------------------------------------------------------------------------------
// What the worker changes, the pages reload from IndexedDB: told once a turn.
let telling = false;
outbox.hooks.changed = () => {
  if (telling) return;
  telling = true;
  setTimeout(async () => {
    telling = false;
    for (const client of await sw.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'outbox' });
  });
};

// The user the page saved (null once signed out).
async function signedIn() {
  outbox.setUser((await kv.get('uid')) ?? null);
}

async function flush() {
  await signedIn();
  return outbox.flush();
}

/** @typedef {ExtendableEvent & { tag: string }} SyncEvent Background Sync's event (Chromium only) */
sw.addEventListener('sync', (event) => {
  const sync = /** @type {SyncEvent} */ (event);
  if (sync.tag !== 'outbox') return;
  sync.waitUntil(flush().then((outcome) => {
    if (outcome === 'retry') throw new Error('retry'); // the browser fires it again later
  }));
});
sw.addEventListener('message', (event) => {
  if (event.data?.type === 'flush') event.waitUntil(flush());
});

// "Got it" goes through the outbox: sent at once when online, on reconnect otherwise. Exactly once:
// one queued ack per message, and the server stores an ack once however often it is posted.
/** @param {{ message_id: number, channel_id: number }} data */
async function ackLater({ message_id, channel_id }) {
  await signedIn();
  await outbox.enqueueAck({ id: message_id, channel_id });
  await sendSoon();
}

// Background Sync sends the outbox on reconnect, but Chromium refuses it to a worker with no window
// open (and a worker has no `online` event): then stay awake two minutes while the outbox's backoff
// retries, polling while offline. What is left goes with the next push, sync or launch.
async function sendSoon() {
  if (await outbox.requestBackgroundSync()) return outbox.flush();
  const until = Date.now() + 120000;
  while ((outbox.retrying() || (await outbox.flush()) === 'retry') && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// --- push -------------------------------------------------------------------------------------------
// Every push shows a notification (iOS revokes a subscription after silent ones). The payload is
// api/push/payload.py's: {title, body, tag, url, message_id, channel_id, team_id, kind, urgency,
// renotify, rhythm, cue?}. A push also wakes the outbox.
/**
 * @typedef {{ title?: string, body?: string, tag?: string, url?: string, message_id?: number, channel_id?: number,
 *   kind?: string, renotify?: boolean, rhythm?: number[] }} PushPayload
 * @typedef {{ url: string, message_id: number | null, channel_id: number | null, kind: string | null }} NotificationData
 */
/** @param {PushMessageData | null} data */
async function pushed(data) {
  /** @type {PushPayload} */
  let p = {};
  try { p = data?.json() || {}; } catch { p = {}; }
  if (p.kind === 'recall') return recalled(p);
  const cue = p.kind === 'cue';
  const title = p.title || (cue ? 'New cue' : 'New message');
  const base = {
    tag: p.tag || 'backchannel',
    data: { url: p.url || '/', message_id: p.message_id ?? null, channel_id: p.channel_id ?? null, kind: p.kind || null },
    icon: '/icons/icon-192.png',
    // The phone may buzz; its own sound setting decides the rest (keep it on vibrate). A source's phone never makes
    // a sound for it (docs/sources.md).
    silent: !!(await kv.get('state'))?.contact,
  };
  /** @type {NotificationOptions & { renotify: boolean, vibrate?: number[], actions?: { action: string, title: string }[] }} */
  const full = {
    ...base,
    body: p.body || '',
    renotify: !!p.renotify && !!p.tag, // a cue buzzes again even when it replaces the channel's last one
  };
  if (Array.isArray(p.rhythm) && p.rhythm.length) full.vibrate = p.rhythm;
  if (cue && p.message_id) full.actions = [{ action: 'ack', title: 'Got it' }];
  const shown = sw.registration.showNotification(title, full)
    .catch(() => sw.registration.showNotification(title, base)); // never a push without a notification
  await Promise.all([shown, flush().catch(() => {})]);
}

// Its sender recalled a cue: its notification goes. A push must still show one (iOS revokes silent ones), so a
// silent "Cue recalled" takes its place, or a slot of its own when the channel's notification is a newer message's.
/** @param {PushPayload} p */
async function recalled(p) {
  const shown = await sw.registration.getNotifications();
  const mine = shown.filter((n) => n.data?.message_id === p.message_id);
  for (const n of mine) n.close();
  const data = { url: p.url || '/', message_id: p.message_id ?? null, channel_id: p.channel_id ?? null, kind: 'recall' };
  await sw.registration.showNotification(p.title || 'Cue recalled', {
    body: p.body || '', tag: mine.length ? p.tag : 'recalled', data, silent: true, icon: '/icons/icon-192.png',
  });
}

sw.addEventListener('push', (event) => event.waitUntil(pushed(event.data)));

// A tap on a notification, or on its "Got it" action. The listener only forwards here, so a test can
// run exactly this with a notification from registration.getNotifications() (headless Chromium has
// no way to click one).
/** @param {Notification} notification @param {string} action */
async function notificationClicked(notification, action) {
  notification.close();
  const data = /** @type {Partial<NotificationData>} */ (notification.data || {});
  if (action === 'ack' && data.message_id && data.channel_id) return ackLater({ message_id: data.message_id, channel_id: data.channel_id });
  return openApp(data.url);
}

sw.addEventListener('notificationclick', (event) => event.waitUntil(notificationClicked(event.notification, event.action)));

/** @param {string | undefined} url */
async function openApp(url) {
  let target = new URL(url || '/', sw.location.origin);
  if (target.origin !== sw.location.origin) target = new URL('/', sw.location.origin);
  const path = target.pathname + target.search;
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((c) => c.visibilityState === 'visible') || windows[0];
  if (!open) return sw.clients.openWindow(path);
  open.postMessage({ type: 'open', url: path }); // the app routes /channels/<id> itself
  await open.focus().catch(() => {}); // allowed from a real click only
}

// The push service replaced or dropped our subscription: subscribe again with the same key and tell
// the server (cookie session + the CSRF token the app keeps in IndexedDB).
/** @typedef {ExtendableEvent & { oldSubscription: PushSubscription | null, newSubscription: PushSubscription | null }} SubscriptionChange */
/** @param {SubscriptionChange} event */
async function resubscribed(event) {
  const [csrf, pushKey] = await Promise.all([kv.get('csrf'), kv.get('pushKey')]);
  /** @type {string} */
  let key = pushKey;
  const old = event.oldSubscription;
  let sub = event.newSubscription;
  if (!sub) {
    if (!key && !old?.options?.applicationServerKey) key = (await (await fetch('/api/push/key')).json()).key;
    const applicationServerKey = old?.options?.applicationServerKey
      || Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    sub = await sw.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
  /** @param {string} method @param {object} body */
  const send = (method, body) => fetch('/api/push/subscriptions', {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' },
    body: JSON.stringify(body),
  });
  const { endpoint, keys, expirationTime } = sub.toJSON();
  const res = await send('POST', { endpoint, keys, expirationTime: expirationTime ?? null });
  if (!res.ok) throw new Error(`subscription refused (${res.status})`);
  if (old?.endpoint && old.endpoint !== endpoint) await send('DELETE', { endpoint: old.endpoint }).catch(() => {});
}

sw.addEventListener('pushsubscriptionchange', (event) => {
  const change = /** @type {SubscriptionChange} */ (/** @type {unknown} */ (event));
  change.waitUntil(resubscribed(change));
});

// For the e2e tests, which run these in the worker (a module's names are not globals).
Object.assign(sw, { idb: connect, op, notificationClicked, resubscribed });
