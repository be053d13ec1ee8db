// One WebSocket: replays what we missed after our cursor, then streams. Reconnects with backoff;
// close code 4401 means "log in again"; anything else is just "offline for now".
const WATCHDOG_MS = 65000; // the server pings every 20 s

export function connectLive({ cursor, onEvent, onReady, onState, onOpen, onUnauthenticated }) {
  let ws = null;
  let tries = 0;
  let retry = 0;
  let watchdog = 0;
  let stopped = false;

  const send = (frame) => ws?.readyState === 1 && ws.send(JSON.stringify(frame));
  const sendVisibility = () => send({ type: 'visibility', visible: document.visibilityState === 'visible' });

  function guard() {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => ws?.close(), WATCHDOG_MS);
  }

  function open() {
    clearTimeout(retry);
    if (stopped || ws || navigator.onLine === false) return;
    onState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const sock = new WebSocket(`${scheme}://${location.host}/api/live?after=${cursor()}`);
    ws = sock;
    sock.onopen = () => { guard(); sendVisibility(); onOpen(); };
    sock.onmessage = (e) => {
      guard();
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      if (frame.type === 'ping') send({ type: 'pong' });
      else if (frame.type === 'ready') { tries = 0; onReady(frame.cursor); onState('live'); }
      else if (frame.cursor) onEvent(frame);
    };
    sock.onclose = (e) => {
      clearTimeout(watchdog);
      if (ws !== sock) return;
      ws = null;
      if (e.code === 4401) { stopped = true; onState('offline'); onUnauthenticated(); return; }
      onState('offline');
      schedule();
    };
  }

  function schedule() {
    if (stopped) return;
    tries += 1;
    const wait = Math.min(30000, 500 * 2 ** Math.min(tries, 6)) * (0.7 + Math.random() * 0.6);
    retry = setTimeout(open, wait);
  }

  const onOnline = () => { tries = 0; open(); };
  const onOffline = () => { const s = ws; ws = null; s?.close(); onState('offline'); };
  const onVisible = () => { sendVisibility(); if (document.visibilityState === 'visible') open(); };
  addEventListener('online', onOnline);
  addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  open();

  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(watchdog);
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
      document.removeEventListener('visibilitychange', onVisible);
      const s = ws; ws = null; s?.close();
    },
  };
}
