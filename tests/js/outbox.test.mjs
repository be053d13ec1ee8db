// The outbox's rules (pwa/js/outbox.js, shared by the page and the service worker): what is sent, in which order,
// how often, and what each answer does to the item. The items live in a Map here instead of IndexedDB, and fetch
// answers as each test says.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClock, setGlobal } from './browser.mjs';
import * as outbox from '../../pwa/js/outbox.js';

const ME = 7;
let rows; // seq -> item, as stored (copies, as IndexedDB keeps them)
let posts; // what reached the server: [url, body, csrf header]
let answer; // (url, body) -> Response
let told; // the hooks' calls

/** An item of mine, as the app stores them. */
const text = (t, extra = {}) => ({ client_id: `c-${t}`, channel_id: 3, kind: 'text', text: t, created_at: Date.now(), ttl: 0, ...extra });
const refusal = (status, error, detail = `no: ${error}`) => Response.json({ error, detail }, { status });
const stored = () => [...rows.values()].map(({ seq, state, text: t, kind }) => ({ seq, state, kind, text: t }));
const sentTexts = () => posts.map(([, body]) => body?.text);

beforeEach(async () => {
  rows = new Map();
  let next = 0;
  outbox.useBackend({
    store: {
      all: async () => [...rows.values()].map((r) => structuredClone(r)),
      add: async (item) => { next += 1; rows.set(next, structuredClone({ ...item, seq: next })); return next; },
      put: async (item) => { rows.set(item.seq, structuredClone(item)); },
      del: async (seq) => { rows.delete(seq); },
    },
    csrf: async () => 'token-1',
  });
  posts = [];
  answer = (url, body) => Response.json({ id: 1, channel_id: 3, client_id: body?.client_id });
  told = [];
  Object.assign(outbox.hooks, {
    changed() {},
    sent: (m) => { told.push(['sent', m]); },
    acked: (a) => { told.push(['acked', a]); },
    unauthenticated: () => { told.push(['unauthenticated']); },
  });
  setGlobal('navigator', { onLine: true });
  setGlobal('fetch', async (url, init) => {
    const body = init.body === undefined ? undefined : JSON.parse(init.body);
    posts.push([url, body, init.headers['x-csrf-token']]);
    return answer(url, body);
  });
  outbox.setUser(ME);
  await outbox.reload();
  await outbox.flush(); // nothing queued: clears any retry the last test left
});

/** Stores items without sending (offline), then goes online. */
async function queued(...items) {
  navigator.onLine = false;
  for (const item of items) await outbox.enqueue(item);
  await outbox.flush();
  navigator.onLine = true;
}

test('queued sends go in the order they were made, each once, with the session token', async () => {
  const before = Date.now();
  await queued(text('one'), text('two'), { ...text('cue'), kind: 'cue', cue: 'wrap_up', ttl: 60 });
  const after = Date.now();
  assert.equal(posts.length, 0, 'offline: nothing is tried');
  await Promise.all([outbox.flush(), outbox.flush(), outbox.flush()]);
  await outbox.flush();
  // Each item carries its own time of making: in order, within the time they were queued.
  const at = posts.map(([, body]) => body.composed_at);
  assert.ok(at.every((t, i) => t >= (at[i - 1] ?? before) && t <= after), `composed_at ${at} within ${before}..${after}`);
  assert.deepEqual(posts, [
    ['/api/channels/3/messages', { client_id: 'c-one', kind: 'text', text: 'one', composed_at: at[0] }, 'token-1'],
    ['/api/channels/3/messages', { client_id: 'c-two', kind: 'text', text: 'two', composed_at: at[1] }, 'token-1'],
    ['/api/channels/3/messages', { client_id: 'c-cue', kind: 'cue', cue: 'wrap_up', composed_at: at[2] }, 'token-1'],
  ]);
  assert.deepEqual(stored(), []);
  assert.deepEqual(outbox.items, []);
  assert.deepEqual(told.map(([hook, m]) => [hook, m.client_id]), [['sent', 'c-one'], ['sent', 'c-two'], ['sent', 'c-cue']]);
});

test("another user's items and items no longer queued stay where they are", async () => {
  await queued(text('mine'));
  outbox.setUser(8);
  await queued(text('theirs'));
  outbox.setUser(ME);
  assert.equal(await outbox.flush(), 'done');
  assert.deepEqual(sentTexts(), ['mine']);
  assert.deepEqual(stored().map((r) => r.text), ['theirs']);
  outbox.setUser(null);
  assert.equal(await outbox.flush(), 'done', 'signed out: nothing is sent');
  assert.deepEqual(sentTexts(), ['mine']);
});

test('a server error, a throttle, a timeout or no network keeps the item and everything after it, in order', async () => {
  for (const failure of [() => new Response('', { status: 503 }), () => refusal(429, 'rate_limited'),
    () => new Response('', { status: 408 }), () => { throw new TypeError('Failed to fetch'); }]) {
    await queued(text('first'), text('second'));
    posts = [];
    answer = failure;
    assert.equal(await outbox.flush(), 'retry');
    assert.deepEqual(sentTexts(), ['first'], 'the second waits for the first');
    assert.deepEqual(stored().map((r) => [r.text, r.state]), [['first', 'queued'], ['second', 'queued']]);
    answer = (url, body) => Response.json({ client_id: body.client_id });
    assert.equal(await outbox.flush(), 'done');
    assert.deepEqual(sentTexts(), ['first', 'first', 'second']);
  }
});

test('retries back off from 1 s, doubling to a minute with a fifth either way, and stop once a send goes', async () => {
  assert.deepEqual([0, 1000, 2000, 32000, 60000].map(outbox.nextDelay), [1000, 2000, 4000, 60000, 60000]);
  const clock = fakeClock();
  try {
    await queued(text('late'));
    answer = () => new Response('', { status: 502 });
    await outbox.flush();
    assert.ok(outbox.retrying());
    const tries = () => posts.length;
    for (const delay of [1000, 2000, 4000, 8000]) {
      const before = tries();
      clock.tick(delay * 0.8 - 1);
      await settle();
      assert.equal(tries(), before, `not before ${delay * 0.8} ms`);
      clock.tick(delay * 0.4 + 1);
      await settle();
      assert.equal(tries(), before + 1, `by ${delay * 1.2} ms`);
    }
    answer = (url, body) => Response.json({ client_id: body.client_id });
    clock.tick(16000 * 1.2);
    await settle();
    assert.equal(outbox.retrying(), false);
    assert.deepEqual(stored(), []);
    answer = () => new Response('', { status: 502 });
    await queued(text('next'));
    await outbox.flush();
    const before = posts.length;
    clock.tick(1200); // the backoff starts again from 1 s
    await settle();
    assert.equal(posts.length, before + 1);
  } finally {
    clock.restore();
  }
});

test('401: the item stays queued for the next sign-in, nothing after it is tried, and the app is told', async () => {
  await queued(text('first'), text('second'));
  answer = () => refusal(401, 'unauthenticated');
  assert.equal(await outbox.flush(), 'unauthenticated');
  assert.deepEqual(sentTexts(), ['first']);
  assert.deepEqual(stored().map((r) => r.state), ['queued', 'queued']);
  assert.deepEqual(told, [['unauthenticated']]);
  assert.equal(outbox.retrying(), false, 'no retry until the user signs in again');
});

test('a refused message (409 client_id_reused) fails with the server\'s reason; the next still goes', async () => {
  await queued(text('refused'), text('fine'));
  answer = (url, body) => (body.text === 'refused' ? refusal(409, 'client_id_reused', 'Used already.') : Response.json({}));
  assert.equal(await outbox.flush(), 'done');
  const [failed] = [...rows.values()];
  assert.deepEqual([failed.text, failed.state, failed.error], ['refused', 'failed', 'Used already.']);
  assert.deepEqual(sentTexts(), ['refused', 'fine']);
  await outbox.flush();
  assert.deepEqual(sentTexts(), ['refused', 'fine'], 'a failed item is not retried by itself');

  answer = () => Response.json({});
  await outbox.sendAnyway(outbox.items.find((i) => i.text === 'refused'));
  await outbox.flush();
  assert.deepEqual(sentTexts(), ['refused', 'fine', 'refused']);
  assert.deepEqual(stored(), []);
});

test('a refusal without a reason says its status', async () => {
  await queued(text('odd'));
  answer = () => new Response('nope', { status: 422 });
  await outbox.flush();
  assert.equal([...rows.values()][0].error, 'Refused (422).');
});

test('410 message_deleted: the retry of a message deleted since is settled, not failed, and not told as sent', async () => {
  await queued(text('gone'));
  answer = () => refusal(410, 'message_deleted');
  assert.equal(await outbox.flush(), 'done');
  assert.deepEqual(stored(), []);
  assert.deepEqual(told, []);
});

test('an ack posts to its message with no body, once per message however often it is tapped', async () => {
  navigator.onLine = false;
  await outbox.enqueueAck({ id: 42, channel_id: 3 });
  await outbox.enqueueAck({ id: 42, channel_id: 3 });
  await outbox.enqueueAck({ id: 43, channel_id: 3 });
  assert.deepEqual(stored().map((r) => [r.kind, r.state]), [['ack', 'queued'], ['ack', 'queued']]);
  navigator.onLine = true;
  answer = (url) => (url.includes('/43/') ? refusal(409, 'own_message') : Response.json({ message_id: 42 }));
  await outbox.flush();
  assert.deepEqual(posts, [['/api/messages/42/ack', undefined, 'token-1'], ['/api/messages/43/ack', undefined, 'token-1']]);
  assert.deepEqual(stored(), [], 'a refused ack has nothing to retry');
  assert.deepEqual(told, [['acked', { message_id: 42 }]]);
});

test('signed out, an ack is not queued (nobody to ack as)', async () => {
  outbox.setUser(null);
  await outbox.enqueueAck({ id: 42, channel_id: 3 });
  assert.deepEqual(stored(), []);
});

test('a cue past its time to live is not sent but kept as expired, until sent anyway', async () => {
  const cue = { ...text('cue'), kind: 'cue', cue: 'stop', ttl: 30, created_at: Date.now() - 31000 };
  assert.equal(outbox.expired(cue), true);
  assert.equal(outbox.expired({ ...cue, ttl: 60 }), false);
  assert.equal(outbox.expired({ ...cue, kind: 'text' }), false, 'a text never expires');
  await queued(cue);
  await outbox.flush();
  assert.deepEqual(posts, []);
  assert.deepEqual(stored().map((r) => r.state), ['expired']);
  await outbox.sendAnyway(outbox.items[0]);
  await outbox.flush();
  assert.equal(posts.length, 1);
  assert.deepEqual(stored(), []);
});

test('settled forgets the local copy of a message the server already has; discard forgets any item', async () => {
  await queued(text('echoed'), text('dropped'));
  await outbox.settled('c-echoed');
  await outbox.settled('c-unknown');
  assert.deepEqual(stored().map((r) => r.text), ['dropped']);
  await outbox.discard(outbox.items[0]);
  assert.deepEqual([stored(), outbox.items], [[], []]);
});

test('what each answer means for its item', () => {
  const msg = text('x');
  const ack = { ...msg, kind: 'ack' };
  const cases = [
    [200, null, msg, 'sent'], [201, null, ack, 'sent'], [401, null, msg, 'unauthenticated'],
    [500, null, msg, 'retry'], [503, null, ack, 'retry'], [429, null, msg, 'retry'], [408, null, msg, 'retry'],
    [410, { error: 'message_deleted' }, msg, 'dropped'], [404, { error: 'not_found' }, ack, 'dropped'],
    [409, { error: 'own_message' }, ack, 'dropped'], [409, { error: 'client_id_reused' }, msg, 'refused'],
    [403, { error: 'csrf_failed' }, msg, 'refused'], [404, { error: 'not_found' }, msg, 'refused'],
  ];
  for (const [status, data, item, verdict] of cases) assert.equal(outbox.verdict(status, data, item), verdict, `${status} ${item.kind}`);
});

/** Lets the promise chains a timer started run to their end. */
async function settle() {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

test('a send carries when it was written (the item\'s own time), however late it goes out', () => {
  const written = Date.now() - 5 * 60000;
  assert.deepEqual(JSON.parse(outbox.target(text('late', { created_at: written }))[1]),
    { client_id: 'c-late', kind: 'text', text: 'late', composed_at: written });
  assert.equal(JSON.parse(outbox.target({ ...text('cue'), kind: 'cue', cue: 'stop', created_at: written })[1]).composed_at, written);
  assert.equal(outbox.MAX_AGE_MS, 7 * 86400000); // COMPOSED_MAX_AGE_MS on the server (a unit test holds them equal)
});
