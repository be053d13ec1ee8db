// Backchannel service worker: precaches the versioned app shell, serves it offline (deep links
// too), never touches /api/, flushes the outbox on Background Sync and push, and shows every push
// as a notification ("Got it" on a cue acks it, through the outbox).
// Bump VERSION whenever a file of the shell changes (a test checks every shell file is listed).
const VERSION = 'v4';
const CACHE = `bc-shell-${VERSION}`;
const SHELL = [
  '/index.html',
  '/manifest.webmanifest',
  '/css/app.css',
  '/js/app.js',
  '/js/api.js',
  '/js/db.js',
  '/js/haptics.js',
  '/js/live.js',
  '/js/outbox.js',
  '/js/push.js',
  '/js/store.js',
  '/js/ui.js',
  '/js/views.js',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/maskable-512.png',
  '/icons/apple-touch-icon.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('bc-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  const appRoute = request.mode === 'navigate' && !url.pathname.split('/').pop().includes('.');
  const key = appRoute ? '/index.html' : url.pathname;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key)).then((hit) => hit || fetch(request)),
  );
});

// --- outbox (the page's js/outbox.js does the same; both hold the 'bc-outbox' lock) ---------------
function idb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('backchannel', 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function op(db, store, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

async function flushOnce() {
  const db = await idb();
  const csrf = await op(db, 'kv', 'readonly', (s) => s.get('csrf'));
  const uid = await op(db, 'kv', 'readonly', (s) => s.get('uid'));
  const items = await op(db, 'outbox', 'readonly', (s) => s.getAll());
  let changed = false;
  try {
    for (const item of items) {
      if (item.uid !== uid || item.state !== 'queued') continue;
      changed = true;
      if (item.kind === 'cue' && !item.force && Date.now() - item.created_at > item.ttl * 1000) {
        item.state = 'expired';
        await op(db, 'outbox', 'readwrite', (s) => s.put(item));
        continue;
      }
      const ack = item.kind === 'ack';
      const body = item.kind === 'cue'
        ? { client_id: item.client_id, kind: 'cue', cue: item.cue }
        : { client_id: item.client_id, kind: 'text', text: item.text };
      const res = await fetch(ack ? `/api/messages/${item.message_id}/ack` : `/api/channels/${item.channel_id}/messages`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' },
        body: ack ? undefined : JSON.stringify(body),
      });
      if (res.status === 401) {
        return;
      } else if (res.status >= 500 || res.status === 429 || res.status === 408) {
        throw new Error(`retry later (${res.status})`);
      }
      const data = await res.json().catch(() => null);
      if (res.ok || ack || data?.error === 'message_deleted') {
        // A refused ack (message gone, or mine) has nothing to retry; a message deleted since it was sent stays so.
        await op(db, 'outbox', 'readwrite', (s) => s.delete(item.seq));
      } else {
        item.state = 'failed';
        item.error = data?.detail || `Refused (${res.status}).`;
        await op(db, 'outbox', 'readwrite', (s) => s.put(item));
      }
    }
  } finally {
    db.close();
    if (changed) {
      for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'outbox' });
    }
  }
}

function flush() {
  return self.navigator.locks ? self.navigator.locks.request('bc-outbox', flushOnce) : flushOnce();
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') event.waitUntil(flush()); // a rejection makes the browser retry later
});
self.addEventListener('message', (event) => {
  if (event.data?.type === 'flush') event.waitUntil(flush());
});

// --- push -------------------------------------------------------------------------------------------
// Every push shows a notification (iOS revokes a subscription after silent ones). The payload is
// api/push/payload.py's: {title, body, tag, url, message_id, channel_id, team_id, kind, urgency,
// renotify, rhythm, cue?}. A push also wakes the outbox.
async function pushed(data) {
  let p = {};
  try { p = data?.json() || {}; } catch { p = {}; }
  const cue = p.kind === 'cue';
  const title = p.title || (cue ? 'New cue' : 'New message');
  const base = {
    tag: p.tag || 'backchannel',
    data: { url: p.url || '/', message_id: p.message_id ?? null, channel_id: p.channel_id ?? null, kind: p.kind || null },
    icon: '/icons/icon-192.png',
    silent: false, // the phone may buzz; its own sound setting decides the rest (keep it on vibrate)
  };
  const full = {
    ...base,
    body: p.body || '',
    renotify: !!p.renotify && !!p.tag, // a cue buzzes again even when it replaces the channel's last one
  };
  if (Array.isArray(p.rhythm) && p.rhythm.length) full.vibrate = p.rhythm;
  if (cue && p.message_id) full.actions = [{ action: 'ack', title: 'Got it' }];
  const shown = self.registration.showNotification(title, full)
    .catch(() => self.registration.showNotification(title, base)); // never a push without a notification
  await Promise.all([shown, flush().catch(() => {})]);
}

self.addEventListener('push', (event) => event.waitUntil(pushed(event.data)));

// A tap on a notification, or on its "Got it" action. The listener only forwards here, so a test can
// run exactly this with a notification from registration.getNotifications() (headless Chromium has
// no way to click one).
async function notificationClicked(notification, action) {
  notification.close();
  const data = notification.data || {};
  if (action === 'ack' && data.message_id) return ackLater(data);
  return openApp(data.url);
}

self.addEventListener('notificationclick', (event) => event.waitUntil(notificationClicked(event.notification, event.action)));

// "Got it" goes through the outbox: sent at once when online, on reconnect otherwise. Exactly once:
// one queued ack per message, and the server stores an ack once however often it is posted.
async function ackLater({ message_id, channel_id }) {
  const db = await idb();
  try {
    const uid = await op(db, 'kv', 'readonly', (s) => s.get('uid'));
    if (uid == null) return; // signed out on this device: nobody to ack as
    const items = await op(db, 'outbox', 'readonly', (s) => s.getAll());
    if (!items.some((i) => i.kind === 'ack' && i.message_id === message_id && i.uid === uid && i.state === 'queued')) {
      await op(db, 'outbox', 'readwrite', (s) => s.add({
        kind: 'ack', client_id: `ack-${message_id}`, message_id, channel_id, uid, state: 'queued', created_at: Date.now(),
      }));
    }
  } finally {
    db.close();
  }
  await sendSoon();
}

// Background Sync sends the outbox on reconnect, but Chromium refuses to register it from a worker
// with no window open (and a worker has no `online` event): then keep trying for two minutes here.
// Whatever is left goes with the next push, the next sync or the app's next launch.
async function sendSoon() {
  if (await self.registration.sync?.register('outbox').then(() => true, () => false)) return flush().catch(() => {});
  const until = Date.now() + 120000;
  let wait = 1000;
  let next = 0;
  while (Date.now() < until) {
    if (self.navigator.onLine !== false && Date.now() >= next) {
      try {
        return await flush();
      } catch {
        next = Date.now() + wait;
        wait = Math.min(wait * 2, 15000);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function openApp(url) {
  let target = new URL(url || '/', self.location.origin);
  if (target.origin !== self.location.origin) target = new URL('/', self.location.origin);
  const path = target.pathname + target.search;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((c) => c.visibilityState === 'visible') || windows[0];
  if (!open) return self.clients.openWindow(path);
  open.postMessage({ type: 'open', url: path }); // the app routes /channels/<id> itself
  await open.focus().catch(() => {}); // allowed from a real click only
}

// The push service replaced or dropped our subscription: subscribe again with the same key and tell
// the server (cookie session + the CSRF token the app keeps in IndexedDB).
async function resubscribed(event) {
  const db = await idb();
  let csrf, key;
  try {
    csrf = await op(db, 'kv', 'readonly', (s) => s.get('csrf'));
    key = await op(db, 'kv', 'readonly', (s) => s.get('pushKey'));
  } finally {
    db.close();
  }
  const old = event.oldSubscription;
  let sub = event.newSubscription;
  if (!sub) {
    if (!key && !old?.options?.applicationServerKey) key = (await (await fetch('/api/push/key')).json()).key;
    const applicationServerKey = old?.options?.applicationServerKey
      || Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    sub = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey });
  }
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

self.addEventListener('pushsubscriptionchange', (event) => event.waitUntil(resubscribed(event)));
