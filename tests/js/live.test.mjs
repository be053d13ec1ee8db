// The live socket (pwa/js/live.js): what it sends, where each frame goes, when it reconnects and when it must not.
import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeChannel, FakeSocket, fakeClock, fakeDocument, fakeWindow, setGlobal } from './browser.mjs';
import { backoffMs, connectLive } from '../../pwa/js/live.js';

let clock;
let win;
let doc;
let live;

beforeEach(() => {
  clock = fakeClock();
  FakeSocket.all = [];
  win = fakeWindow();
  doc = fakeDocument();
  setGlobal('navigator', { onLine: true });
  setGlobal('location', { protocol: 'https:', host: 'bc.test' });
  setGlobal('WebSocket', FakeSocket);
  setGlobal('BroadcastChannel', FakeChannel);
});

afterEach(() => {
  live?.stop();
  clock.restore();
});

/** Connects with a cursor of 42 and records everything the owner is told. */
function connect() {
  const told = { events: [], delivered: [], ready: [], states: [], opened: 0, unauthenticated: 0 };
  live = connectLive({
    cursor: () => 42,
    onEvent: (e) => told.events.push(e),
    onDelivered: (f) => told.delivered.push(f),
    onReady: (c) => told.ready.push(c),
    onState: (s) => told.states.push(s),
    onOpen: () => { told.opened += 1; },
    onUnauthenticated: () => { told.unauthenticated += 1; },
  });
  return told;
}

/** Opens the socket and takes it through the server's replay to "ready". */
function connectReady() {
  const told = connect();
  FakeSocket.last.accept();
  FakeSocket.last.frame({ type: 'ready', cursor: 42 });
  FakeSocket.last.sent.length = 0;
  return told;
}

test('it asks for what came after its cursor and says at once whether the app is on screen', () => {
  const told = connect();
  const sock = FakeSocket.last;
  assert.equal(sock.url, 'wss://bc.test/api/live?after=42');
  assert.deepEqual(told.states, ['connecting']);
  sock.accept();
  assert.deepEqual(sock.sent, [{ type: 'visibility', visible: true }]);
  assert.equal(told.opened, 1);
  doc.show(false);
  assert.deepEqual(sock.sent.at(-1), { type: 'visibility', visible: false });
});

test('ready hands over the cursor and makes it live; a ping is answered with a pong', () => {
  const told = connect();
  FakeSocket.last.accept();
  FakeSocket.last.frame({ type: 'ready', cursor: 57 });
  assert.deepEqual(told.ready, [57]);
  assert.equal(told.states.at(-1), 'live');
  FakeSocket.last.frame({ type: 'ping' });
  assert.deepEqual(FakeSocket.last.sent.at(-1), { type: 'pong' });
});

test('a stored event goes to onEvent, a delivered receipt to onDelivered, anything else nowhere', () => {
  const told = connectReady();
  const event = { cursor: 43, type: 'message', team_id: 1, channel_id: 2, data: {} };
  const receipt = { type: 'delivered', user_id: 3, channel_id: 2, through: 43 };
  FakeSocket.last.frame(event);
  FakeSocket.last.frame(receipt);
  FakeSocket.last.frame({ type: 'something_new' }); // neither a known frame nor a stored event
  FakeSocket.last.frame('{not json');
  const warn = mock.method(console, 'warn', () => {});
  FakeSocket.last.frame({ type: 'error', error: 'bad_frame', detail: 'Unknown frame.' });
  assert.equal(warn.mock.callCount(), 1);
  assert.deepEqual(told.events, [event]);
  assert.deepEqual(told.delivered, [receipt]);
  assert.deepEqual(FakeSocket.last.sent, []);
});

test('received receipts: one frame per burst, with the highest cursor, never one the server was told already', () => {
  connectReady();
  const sock = FakeSocket.last;
  live.received(44);
  live.received(47);
  live.received(45);
  clock.tick(299);
  assert.deepEqual(sock.sent, []);
  clock.tick(1);
  assert.deepEqual(sock.sent, [{ type: 'received', cursor: 47 }]);
  live.received(46);
  clock.tick(1000);
  assert.equal(sock.sent.length, 1);
  live.received(50);
  clock.tick(300);
  assert.deepEqual(sock.sent.at(-1), { type: 'received', cursor: 50 });
});

test('a dropped socket reconnects after a backoff, from the cursor it has by then', () => {
  const told = connectReady();
  FakeSocket.last.end(1006);
  assert.equal(told.states.at(-1), 'offline');
  clock.tick(699); // the first wait is 1 s, less 30% at most
  assert.equal(FakeSocket.all.length, 1);
  clock.tick(601);
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(FakeSocket.last.url, 'wss://bc.test/api/live?after=42');
});

test('back online, the backoff starts over from 1 s', () => {
  connectReady();
  FakeSocket.last.end(1006);
  clock.tick(1300);
  FakeSocket.last.end(1006); // the second attempt fails too: the next wait is 2 s ± 30%
  clock.tick(2600);
  FakeSocket.last.end(1006);
  win.fire('offline');
  win.fire('online');
  const attempts = FakeSocket.all.length;
  FakeSocket.last.end(1006);
  clock.tick(1300);
  assert.equal(FakeSocket.all.length, attempts + 1);
});

test('4401 means log in again: the owner is told and it never reconnects', () => {
  const told = connectReady();
  FakeSocket.last.end(4401);
  assert.equal(told.unauthenticated, 1);
  assert.equal(told.states.at(-1), 'offline');
  clock.tick(120000);
  win.fire('online');
  win.fire('focus');
  assert.equal(FakeSocket.all.length, 1);
});

test('4410 (another tab took the socket) waits, and takes it back once focused', () => {
  const told = connectReady();
  FakeSocket.last.end(4410);
  assert.equal(told.states.at(-1), 'elsewhere');
  clock.tick(120000);
  assert.equal(FakeSocket.all.length, 1);
  win.fire('focus');
  assert.equal(FakeSocket.all.length, 2);
});

test('4410 waits until the tab holding the socket closes, then takes it', () => {
  connectReady();
  FakeSocket.last.end(4410);
  const otherTab = new FakeChannel('bc-live');
  otherTab.postMessage('freed');
  otherTab.close();
  assert.equal(FakeSocket.all.length, 2);
});

test('offline closes the socket at once; back online it reconnects without waiting', () => {
  const told = connectReady();
  const sock = FakeSocket.last;
  win.fire('offline');
  assert.ok(sock.closed);
  assert.equal(told.states.at(-1), 'offline');
  sock.end(1006); // the close arriving late changes nothing
  win.fire('online');
  assert.equal(FakeSocket.all.length, 2);
});

test('a socket silent for 65 s (three missed pings) is closed', () => {
  connectReady();
  clock.tick(64999);
  assert.ok(!FakeSocket.last.closed);
  FakeSocket.last.frame({ type: 'ping' }); // anything heard restarts the watch
  clock.tick(64999);
  assert.ok(!FakeSocket.last.closed);
  clock.tick(1);
  assert.ok(FakeSocket.last.closed);
});

test('stop closes the socket and nothing brings it back', () => {
  connectReady();
  const sock = FakeSocket.last;
  live.stop();
  assert.ok(sock.closed);
  sock.end(1006);
  win.fire('online');
  win.fire('focus');
  clock.tick(120000);
  assert.equal(FakeSocket.all.length, 1);
});

test('the backoff doubles from 1 s to at most 30 s, jittered by 30% either way', () => {
  const middle = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map((tries) => backoffMs(tries, middle)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(backoffMs(1, () => 0), 700);
  assert.equal(backoffMs(6, () => 0.999999), 30000 * (0.7 + 0.999999 * 0.6));
});
