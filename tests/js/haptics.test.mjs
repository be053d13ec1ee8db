// Cues felt, never heard (pwa/js/haptics.js): a cue's own rhythm where the device vibrates, the flash where it
// cannot (or always, in table mode), and nothing on screen while the screen must stay neutral.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeClock, fakeDocument, setGlobal } from './browser.mjs';

let clock;
let screen;
let vibrations;

beforeEach(() => {
  clock = fakeClock();
  screen = { hidden: true, className: 'flash', offsetWidth: 0 };
  fakeDocument({ elements: { flash: screen } });
  vibrations = [];
});

afterEach(() => clock.restore());

/** haptics.js as a device with a vibration motor (`vibrate` answers) or without one (null): a fresh module each. */
let loads = 0;
async function device(vibrate) {
  setGlobal('navigator', vibrate ? { vibrate: (p) => { vibrations.push(p); return vibrate(p); } } : {});
  loads += 1;
  return import(`../../pwa/js/haptics.js?device=${loads}`);
}

const flashed = () => !screen.hidden && screen.className.startsWith('flash on');

test("a cue vibrates its own rhythm and does not flash; one without a rhythm gets the default buzz", async () => {
  const haptics = await device(() => true);
  assert.equal(haptics.signal({ rhythm: [100, 50, 100], urgency: 'high' }), true);
  assert.equal(haptics.signal(undefined), true);
  assert.deepEqual(vibrations, [[100, 50, 100], [200]]);
  assert.ok(!flashed());
});

test('without vibration a cue shows a small, dim mark (not the full flash), in its urgency, for 1.2 s', async () => {
  const haptics = await device(null);
  assert.equal(haptics.canVibrate, false);
  assert.equal(haptics.signal({ rhythm: [300], urgency: 'high' }), false);
  assert.ok(flashed());
  assert.equal(screen.className, 'flash on high dim');
  clock.tick(1199);
  assert.ok(flashed());
  clock.tick(1);
  assert.deepEqual([screen.hidden, screen.className], [true, 'flash']);
});

test('a vibration the browser refuses (false, or an exception) counts as none: the dim mark shows instead', async () => {
  for (const refuse of [() => false, () => { throw new Error('blocked'); }]) {
    const haptics = await device(refuse);
    screen.hidden = true;
    assert.equal(haptics.signal({ rhythm: [300] }), false);
    assert.equal(screen.className, 'flash on normal dim');
  }
});

test('a device that vibrates shows nothing by default; the full flash is its opt-in; a neutral screen never flashes', async () => {
  const haptics = await device(() => true);
  haptics.signal({ rhythm: [300] });
  assert.ok(!flashed());
  const kept = new Map();
  setGlobal('localStorage', { getItem: (k) => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, v) });
  haptics.visualCue.set(true);
  haptics.signal({ rhythm: [300] });
  assert.equal(screen.className, 'flash on normal');
  haptics.visualCue.set(false);
  screen.hidden = true;
  haptics.signal({ rhythm: [300] }, { alwaysFlash: true });
  assert.ok(flashed());
  screen.hidden = true;
  const silent = await device(null);
  silent.signal({ rhythm: [300] }, { alwaysFlash: true, silentScreen: true });
  assert.ok(screen.hidden);
});

test("a new flash restarts the old one's time on screen", async () => {
  const haptics = await device(null);
  haptics.flash();
  clock.tick(1000);
  haptics.flash('high');
  clock.tick(1000);
  assert.equal(screen.className, 'flash on high');
  clock.tick(200);
  assert.ok(screen.hidden);
});

test("the sender's tick is one short buzz", async () => {
  const haptics = await device(() => true);
  haptics.tick();
  assert.deepEqual(vibrations, [12]);
});
