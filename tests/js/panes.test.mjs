// Channels side by side on a wide screen (pwa/js/panes.js): the path names them, left to right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PANES, panesOf, panesPath, besidePath, withoutPath, remember, backFrom, homePath, besideOpen } from '../../pwa/js/panes.js';

test('a path names each open channel once, left to right, at most three', () => {
  assert.equal(MAX_PANES, 3);
  assert.deepEqual(panesOf('3'), [3]);
  assert.deepEqual(panesOf('3/7/3/9/11'), [3, 7, 9]);
  assert.equal(panesPath([3, 7]), '/c/3/7');
  assert.equal(panesPath([]), '/');
});

test('opening beside adds at the right; with three open, the new one takes the rightmost place', () => {
  assert.equal(besidePath([3], 7), '/c/3/7');
  assert.equal(besidePath([3, 7], 9), '/c/3/7/9');
  assert.equal(besidePath([3, 7, 9], 11), '/c/3/7/11');
});

test('closing one leaves the others; closing the last goes home', () => {
  assert.equal(withoutPath([3, 7, 9], 7), '/c/3/9');
  assert.equal(withoutPath([3], 3), '/');
});

test("a screen opened from a pane goes back to the panes it was among; from a channel it left, to the others", () => {
  globalThis.matchMedia = /** @type {any} */ (() => ({ matches: true })); // a wide screen
  remember([3, 7]);
  assert.equal(backFrom(7), '/c/3/7');
  assert.equal(backFrom(7, true), '/c/3');
  assert.equal(backFrom(9), '/c/9'); // not among them: its channel
  assert.equal(homePath(), '/c/3/7'); // from home's search, say
  assert.equal(besideOpen(9), '/c/3/7/9'); // a channel just made
  globalThis.matchMedia = /** @type {any} */ (() => ({ matches: false })); // a phone
  assert.equal(backFrom(7), '/c/7');
  assert.equal(backFrom(7, true), '/');
  assert.equal(homePath(), '/');
  assert.equal(besideOpen(9), '/c/9');
});
