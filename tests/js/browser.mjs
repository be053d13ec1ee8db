// A pretend browser for the page modules under Node: only the globals they read, each one a plain object the
// test can look into and drive. Node's runner gives every test file its own process, so nothing leaks across files.

/** Sets a global even where Node defines it as a getter (navigator, from Node 21). */
export function setGlobal(name, value) {
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

/** window's own events (online, offline, focus, pagehide): `fire('online')` dispatches one. */
export function fakeWindow() {
  const target = new EventTarget();
  globalThis.self = globalThis;
  globalThis.addEventListener = target.addEventListener.bind(target);
  globalThis.removeEventListener = target.removeEventListener.bind(target);
  return { fire: (type) => target.dispatchEvent(new Event(type)) };
}

/** document: visibility, cookies, and elements by id. */
export function fakeDocument({ cookie = '', elements = {} } = {}) {
  const target = new EventTarget();
  const doc = {
    cookie,
    visibilityState: 'visible',
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    getElementById: (id) => elements[id] ?? null,
    show(visible) {
      doc.visibilityState = visible ? 'visible' : 'hidden';
      target.dispatchEvent(new Event('visibilitychange'));
    },
  };
  setGlobal('document', doc);
  return doc;
}

/** A WebSocket that never touches the network: `FakeSocket.all` lists every one opened, newest last. */
export class FakeSocket {
  static all = [];
  static get last() { return FakeSocket.all.at(-1); }

  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closed = false;
    FakeSocket.all.push(this);
  }

  send(data) { this.sent.push(JSON.parse(data)); }

  close() { this.closed = true; }

  /** The server accepts the socket. */
  accept() { this.readyState = 1; this.onopen?.(); }

  /** A frame from the server: an object (sent as JSON) or raw text. */
  frame(data) { this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) }); }

  /** The socket ends with this close code. */
  end(code) { this.readyState = 3; this.onclose?.({ code }); }
}

/** BroadcastChannel between the tabs of one origin: a message reaches every other channel of the same name. */
export class FakeChannel {
  static open = new Set();

  constructor(name) { this.name = name; FakeChannel.open.add(this); }

  postMessage(data) {
    for (const other of FakeChannel.open) if (other !== this && other.name === this.name) other.onmessage?.({ data });
  }

  close() { FakeChannel.open.delete(this); }
}

/**
 * setTimeout and clearTimeout on a clock the test moves: `tick(ms)` runs what falls due, in time order.
 * (Node's mock.timers would do, but its options differ between the Node versions a machine may have.)
 */
export function fakeClock() {
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  const due = new Map();
  let now = 0;
  let ids = 0;
  setGlobal('setTimeout', (fn, ms = 0) => { ids += 1; due.set(ids, { at: now + ms, fn }); return ids; });
  setGlobal('clearTimeout', (id) => { due.delete(id); });
  const nextDue = (end) => [...due].filter(([, t]) => t.at <= end).sort(([a, t], [b, u]) => t.at - u.at || a - b)[0];
  return {
    tick(ms) {
      const end = now + ms;
      for (let hit = nextDue(end); hit; hit = nextDue(end)) {
        const [id, timer] = hit;
        due.delete(id);
        now = timer.at;
        timer.fn();
      }
      now = end;
    },
    restore() { setGlobal('setTimeout', real.setTimeout); setGlobal('clearTimeout', real.clearTimeout); },
  };
}
