// Turning buzzes on (pwa/js/push.js enable): the permission prompt's answers, offline, and a push service that
// never answers, whose late subscription must not leave the switch saying less than the browser holds.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClock, setGlobal } from './browser.mjs';
import { enable, limits, PushError } from '../../pwa/js/push.js';

let clock;
let subscribed;
let subscription; // what the push service will answer: settle it with .resolve(sub)

beforeEach(() => {
  clock = fakeClock();
  subscribed = [];
  subscription = later();
  const pushManager = {
    getSubscription: async () => null,
    subscribe: (options) => { subscribed.push(options); return subscription.promise; },
  };
  setGlobal('navigator', { onLine: true, serviceWorker: { ready: Promise.resolve({ pushManager }) } });
  setGlobal('Notification', { permission: 'granted', requestPermission: async () => 'granted' });
});

afterEach(() => clock.restore());

/** A promise settled by the test (Promise.withResolvers, before Node 22). */
function later() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((r) => setImmediate(r));

test('a prompt answered "block" leaves the switch blocked; one dismissed asks for another tap', async () => {
  Notification.permission = 'default';
  Notification.requestPermission = async () => 'denied';
  assert.equal(await enable(1, 'AQID'), 'blocked');
  Notification.requestPermission = async () => 'default';
  await assert.rejects(enable(1, 'AQID'), (e) => e instanceof PushError && /Tap again/.test(e.message));
  assert.deepEqual(subscribed, []);
});

test('offline, it says so and never asks the push service', async () => {
  navigator.onLine = false;
  await assert.rejects(enable(1, 'AQID'), (e) => e instanceof PushError && /offline/.test(e.message));
  assert.deepEqual(subscribed, []);
});

test("it subscribes with the server's key, decoded from base64url", async () => {
  enable(1, 'AQID_-8').catch(() => {});
  await settle();
  assert.deepEqual(subscribed, [{ userVisibleOnly: true, applicationServerKey: Uint8Array.from([1, 2, 3, 255, 239]) }]);
  clock.tick(limits.subscribeMs);
});

test('a push service that never answers is given up on in time, and a subscription arriving later is undone', async () => {
  const turningOn = enable(1, 'AQID');
  await settle();
  clock.tick(limits.subscribeMs - 1);
  let settled = false;
  turningOn.catch(() => {}).finally(() => { settled = true; });
  await settle();
  assert.ok(!settled);
  clock.tick(1);
  await assert.rejects(turningOn, (e) => e instanceof PushError && /did not answer/.test(e.message));
  const late = { unsubscribed: 0, unsubscribe: async () => { late.unsubscribed += 1; return true; } };
  subscription.resolve(late);
  await settle();
  assert.equal(late.unsubscribed, 1);
});
