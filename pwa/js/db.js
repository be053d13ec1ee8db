// A few promise-based IndexedDB helpers (in the spirit of `idb`), for the page and the service
// worker alike (sw.js imports them): no `window` or `document` here.
const NAME = 'backchannel';
const VERSION = 1;
/** @type {Promise<IDBDatabase> | null} */
let opening = null;

/** A new connection. @returns {Promise<IDBDatabase>} */
export function connect() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The shared connection, given up when a newer version needs it. */
export function openDB() {
  opening ||= connect().then((db) => {
    db.onversionchange = () => { db.close(); opening = null; };
    return db;
  }, (err) => { opening = null; throw err; });
  return opening;
}

/**
 * One transaction: once committed, what `fn` returned (a request's result).
 * @template T @param {IDBDatabase} db @param {string} store @param {IDBTransactionMode} mode
 * @param {(s: IDBObjectStore) => IDBRequest<T> | T} fn @returns {Promise<T>}
 */
export async function op(db, store, mode, fn) {
  const tx = db.transaction(store, mode);
  const out = fn(tx.objectStore(store));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
  return out instanceof IDBRequest ? out.result : out;
}

/** @template T @param {string} store @param {IDBTransactionMode} mode @param {(s: IDBObjectStore) => IDBRequest<T> | T} fn */
async function run(store, mode, fn) {
  return op(await openDB(), store, mode, fn);
}

export const kv = {
  /** @param {string} key @returns {Promise<any>} */
  get: (key) => run('kv', 'readonly', (s) => s.get(key)),
  /** @param {string} key @param {unknown} value */
  set: (key, value) => run('kv', 'readwrite', (s) => s.put(value, key)),
  /** @param {Iterable<[string, unknown]>} entries */
  setMany: (entries) => run('kv', 'readwrite', (s) => { for (const [k, v] of entries) s.put(v, k); }),
  clear: () => run('kv', 'readwrite', (s) => s.clear()),
};

/** @typedef {import('./outbox.js').Item} Item */
export const outbox = {
  /** In send order. @returns {Promise<Item[]>} */
  all: () => run('outbox', 'readonly', (s) => s.getAll()),
  /** @param {Item} item @returns {Promise<number>} */
  add: (item) => run('outbox', 'readwrite', (s) => /** @type {IDBRequest<number>} */ (s.add(item))),
  /** @param {Item} item */
  put: (item) => run('outbox', 'readwrite', (s) => s.put(item)),
  /** @param {number} seq */
  del: (seq) => run('outbox', 'readwrite', (s) => s.delete(seq)),
  clear: () => run('outbox', 'readwrite', (s) => s.clear()),
};
