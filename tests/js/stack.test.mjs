import test from 'node:test';
import assert from 'node:assert/strict';
import { stacked, expiresAt, countLabel } from '../../pwa/js/store/stack.js';

test('cues stack oldest first, each once', () => {
  let s = stacked([], { id: 2, created_at: 200 });
  s = stacked(s, { id: 1, created_at: 100 });
  s = stacked(s, { id: 2, created_at: 200 });
  assert.deepEqual(s.map((m) => m.id), [1, 2]);
  assert.equal(countLabel(s.length), '2 cues');
  assert.equal(countLabel(1), '');
});

test('a cue stops asking when its time-to-live passes', () => {
  assert.equal(expiresAt({ created_at: 1000 }, 60), 61000);
});
