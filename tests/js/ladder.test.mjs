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
