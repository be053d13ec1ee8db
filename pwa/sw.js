// Backchannel service worker: precaches the versioned app shell, serves it offline (deep links
// too), never touches /api/, and flushes the outbox on Background Sync.
// Bump VERSION whenever a file of the shell changes (a test checks every shell file is listed).
const VERSION = 'v1';
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
      const body = item.kind === 'cue'
        ? { client_id: item.client_id, kind: 'cue', cue: item.cue }
        : { client_id: item.client_id, kind: 'text', text: item.text };
      const res = await fetch(`/api/channels/${item.channel_id}/messages`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf || '' },
        body: JSON.stringify(body),
      });
      if (res.ok) {
        await op(db, 'outbox', 'readwrite', (s) => s.delete(item.seq));
      } else if (res.status === 401) {
        return;
      } else if (res.status >= 500 || res.status === 429 || res.status === 408) {
        throw new Error(`retry later (${res.status})`);
      } else {
        const data = await res.json().catch(() => null);
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
