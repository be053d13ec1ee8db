// A few promise-based IndexedDB helpers (in the spirit of `idb`). The service worker opens the same
// database (see sw.js): keep the name, version and stores in step with it.
const NAME = 'backchannel';
const VERSION = 1;
let opening = null;

export function openDB() {
  opening ||= new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opening;
}

async function run(store, mode, fn) {
  const tx = (await openDB()).transaction(store, mode);
  const out = fn(tx.objectStore(store));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
  return out instanceof IDBRequest ? out.result : out;
}

export const kv = {
  get: (key) => run('kv', 'readonly', (s) => s.get(key)),
  set: (key, value) => run('kv', 'readwrite', (s) => s.put(value, key)),
  setMany: (entries) => run('kv', 'readwrite', (s) => { for (const [k, v] of entries) s.put(v, k); }),
  clear: () => run('kv', 'readwrite', (s) => s.clear()),
};

export const outbox = {
  all: () => run('outbox', 'readonly', (s) => s.getAll()), // in key (= send) order
  add: (item) => run('outbox', 'readwrite', (s) => s.add(item)),
  put: (item) => run('outbox', 'readwrite', (s) => s.put(item)),
  del: (seq) => run('outbox', 'readwrite', (s) => s.delete(seq)),
  clear: () => run('outbox', 'readwrite', (s) => s.clear()),
};
