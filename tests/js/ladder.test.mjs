// The receipt ladder under a message I sent (pwa/js/store/ladder.js): which rung it shows, and that it only climbs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ladder } from '../../pwa/js/store/ladder.js';

const ORDER = ['queued', 'sent', 'delivered', 'acked'];

test('a message still in the outbox is queued, whoever has what', () => {
  assert.deepEqual(ladder({ state: 'queued' }, [], true), { state: 'queued', step: 1, label: 'Queued' });
});

test('the server has it: sent, then delivered once another device has it', () => {
  assert.deepEqual(ladder(null, [], false), { state: 'sent', step: 2, label: 'Sent' });
  assert.deepEqual(ladder(undefined, [], true), { state: 'delivered', step: 3, label: 'Delivered' });
});

test('"got it" names who said it, delivered or not', () => {
  assert.deepEqual(ladder(null, ['Marc', 'Lea'], false), { state: 'acked', step: 4, label: 'Got it · Marc, Lea' });
});

test('a send that stopped is off the ladder (step 0) and says why', () => {
  assert.deepEqual(ladder({ state: 'expired' }, [], false), { state: 'expired', step: 0, label: 'Expired, not sent' });
  assert.deepEqual(ladder({ state: 'failed', error: 'Too long.' }, [], false),
    { state: 'failed', step: 0, label: 'Not sent: Too long.' });
});

test('the rungs follow the ladder as a message goes out, is delivered and answered', () => {
  const seen = [ladder({ state: 'queued' }, [], false), ladder(null, [], false), ladder(null, [], true), ladder(null, ['Marc'], true)];
  assert.deepEqual(seen.map((r) => r.state), ORDER);
  assert.deepEqual(seen.map((r) => r.step), [1, 2, 3, 4]);
});

// Who has it: tally and receiptLabel (the line under a message I sent, and its details on tap).
import { tally, receiptLabel, whoState } from '../../pwa/js/store/ladder.js';

const NAMES = { 2: 'Sam', 3: 'Lee', 4: 'Kim', 5: 'Ann', 6: 'Bo' };
const name = (id) => NAMES[id];
const ch = (receipts, ids = [1, 2, 3, 4]) => ({ member_ids: ids, receipts });

test('"Delivered 2/3 · Got it: Sam · Waiting: Lee": a got it counts as delivered, the sender is not counted', () => {
  const m = { sender_id: 1, cursor: 10, acks: [{ user_id: 2, at: 5 }] };
  const t = tally(m, ch([{ user_id: 1, delivered: 10, read: 10 }, { user_id: 2, delivered: 0, read: 0 }, { user_id: 3, delivered: 9, read: 9 }, { user_id: 4, delivered: 10, read: 0 }]));
  assert.equal(t.total, 3);
  assert.equal(t.delivered, 2);
  assert.deepEqual(t.all.map((w) => [w.user_id, w.state]), [[2, 'acked'], [4, 'delivered'], [3, 'waiting']]);
  assert.equal(receiptLabel(t, name), 'Delivered 2/3 · Got it: Sam · Waiting: Lee');
});

test('read receipts: a read mark at or past the message is "Read"; nobody has it yet is "Sent"', () => {
  const m = { sender_id: 1, cursor: 10 };
  const read = tally(m, ch([{ user_id: 2, delivered: 12, read: 10 }, { user_id: 3, delivered: 10, read: 9 }], [1, 2, 3]));
  assert.equal(receiptLabel(read, name), 'Delivered 2/2 · Read: Sam');
  assert.equal(receiptLabel(tally(m, ch([], [1, 2, 3])), name), 'Sent · Waiting: Sam, Lee');
});

test('more than three names end in "+n"; details say when each got it', () => {
  const m = { sender_id: 1, cursor: 3, acks: [2, 3, 4, 5, 6].map((user_id) => ({ user_id, at: user_id })) };
  const t = tally(m, ch([], [1, 2, 3, 4, 5, 6]));
  assert.equal(receiptLabel(t, name), 'Delivered 5/5 · Got it: Sam, Lee, Kim +2');
  assert.equal(whoState(t.all[0], (ms) => `t${ms}`), 'Got it t2');
  assert.equal(whoState({ user_id: 3, state: 'waiting', at: null }, String), 'Waiting');
});
