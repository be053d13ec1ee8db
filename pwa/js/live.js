// One WebSocket: replays what we missed after our cursor, then streams. Reconnects with backoff;
// close code 4401 means "log in again", 4410 "another tab has it"; anything else is just "offline for now".
const WATCHDOG_MS = 65000; // the server pings every 20 s
const RECEIPT_MS = 300; // batch "received" receipts: one frame at most every 300 ms

// The socket's live-only frames (no cursor, never stored: GET /api/events lists them; a test holds this table to it).
/** @type {LiveFrameHandlers} */
export const frames = {
  ping: (live) => live.send({ type: 'pong' }),
  pong() {},
  ready: (live, frame) => live.ready(frame.cursor),
  delivered: (live, frame) => live.delivered(frame),
  error: (live, frame) => console.warn('live socket refused a frame:', frame.error, frame.detail),
};

// The wait before reconnect attempt `tries`: doubling from 1 s up to 30 s, jittered ±30% so that phones cut off
// together do not all come back in the same instant.
/** @param {number} tries */
export const backoffMs = (tries, random = Math.random) => Math.min(30000, 500 * 2 ** Math.min(tries, 6)) * (0.7 + random() * 0.6);

/** @param {LiveOptions} options @returns {Live} */
export function connectLive({ cursor, onEvent, onDelivered, onReady, onState, onOpen, onUnauthenticated }) {
  /** @type {WebSocket | null} */
  let ws = null;
  let want = 0; // the highest cursor processed here
  let told = 0; // the highest cursor reported to the server
  let receipt = 0; // the one pending receipt timer
  let tries = 0;
  let retry = 0;
  let watchdog = 0;
  let stopped = false;
  let elsewhere = false; // another tab of this session took this one's socket (4410)

  const send = (/** @type {object} */ frame) => {
    if (ws?.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  };
  const sendVisibility = () => send({ type: 'visibility', visible: document.visibilityState === 'visible' });

  // "This device has every event up to N": at most one frame waiting, sent once the burst settles.
  function received(/** @type {number} */ n) {
    if (n > want) want = n;
    if (receipt || want <= told) return;
    receipt = setTimeout(() => {
      receipt = 0;
      const n = want;
      if (send({ type: 'received', cursor: n })) told = n;
    }, RECEIPT_MS);
  }

  function guard() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => ws?.close(), WATCHDOG_MS);
  }

  function open() {
    clearTimeout(retry);
    elsewhere = false;
    if (stopped || ws || navigator.onLine === false) return;
    onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const sock = new WebSocket(`${scheme}://${location.host}/api/live?after=${cursor()}`);
    ws = sock;
    sock.onopen = () => { guard(); sendVisibility(); onOpen(); };
    sock.onmessage = (e) => {
      guard();
      /** @type {any} a live-only frame or a stored event, as the server sent it */
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      const handler = /** @type {Record<string, Function | undefined>} */ (frames)[frame.type];
      if (handler) handler(live, frame);
      else if (frame.cursor) onEvent(frame); // a stored event
    };
    sock.onclose = (e) => {
      clearTimeout(watchdog);
      if (ws !== sock) return;
      ws = null;
      if (e.code === 4401) { stopped = true; onState('offline'); onUnauthenticated(); return; }
      // 4410: a newer tab or window of this session took this socket's place. Retrying would take it back and
      // start a tug of war between tabs; this one says so and reconnects when it is shown or focused again.
      if (e.code === 4410) { elsewhere = true; onState('elsewhere'); return; }
      onState('offline');
      schedule();
    };
  }

  function schedule() {
    if (stopped) return;
    tries += 1;
    retry = setTimeout(open, backoffMs(tries));
  }

  /** @type {LiveLink} */
  const live = {
    send,
    ready(cursor) { tries = 0; onReady(cursor); onState('live'); received(0); },
    delivered: (frame) => onDelivered?.(frame),
  };

  const onOnline = () => { tries = 0; open(); };
  const onOffline = () => { const s = ws; ws = null; s?.close(); onState('offline'); };
  const onVisible = () => { sendVisibility(); if (document.visibilityState === 'visible') open(); };
  const onFocus = () => open(); // the window in use takes the socket back (see 4410 above)
  // A tab that closes frees its socket: a tab waiting "elsewhere" takes it (tabs of one origin share this channel).
  const tabs = 'BroadcastChannel' in self ? new BroadcastChannel('bc-live') : null;
  const onFreed = () => { if (elsewhere) open(); };
  const onHide = () => { if (ws) tabs?.postMessage('freed'); };
  if (tabs) tabs.onmessage = onFreed;
  addEventListener('pagehide', onHide);
  addEventListener('online', onOnline);
  addEventListener('focus', onFocus);
  addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  open();

  return {
    received,
    stop() {
      stopped = true;
      clearTimeout(receipt);
      clearTimeout(retry);
      clearTimeout(watchdog);
      removeEventListener('online', onOnline);
      removeEventListener('focus', onFocus);
      removeEventListener('pagehide', onHide);
      tabs?.close();
      removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisible);
      const s = ws; ws = null; s?.close();
    },
  };
}
