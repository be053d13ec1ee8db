// Never a sound: vibration rhythms where the platform has them (Chrome on Android). Discreet by default: the
// full-screen flash is opt-in per device (a setting kept in this browser); without it, a device that vibrates shows
// nothing and one that cannot (iOS) shows a small, dim mark in a corner.
export const canVibrate = typeof globalThis.navigator?.vibrate === 'function';
let flashTimer = 0;

/** @param {VibratePattern} pattern @returns {boolean} whether the device vibrates */
export function buzz(pattern) {
  if (!canVibrate) return false;
  try {
    return navigator.vibrate(pattern) !== false;
  } catch {
    return false;
  }
}

const KEY = 'bc-visual-cue';
export const visualCue = {
  get on() { try { return globalThis.localStorage?.getItem(KEY) === '1'; } catch { return false; } },
  /** @param {boolean} on */
  set(on) { try { globalThis.localStorage?.setItem(KEY, on ? '1' : '0'); } catch { /* private mode: stays off */ } },
};

export function flash(urgency = 'normal', dim = false) {
  const el = /** @type {HTMLElement} */ (document.getElementById('flash'));
  el.hidden = false;
  el.className = 'flash';
  void el.offsetWidth; // restart the animation
  el.className = `flash on ${urgency}${dim ? ' dim' : ''}`;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { el.hidden = true; el.className = 'flash'; }, 1200);
}

// An incoming cue: its own rhythm; the flash if this device opted in (or `alwaysFlash`: the settings' test), else a
// dim mark when there is no vibration; nothing while the screen must stay neutral.
/** @param {{ rhythm?: number[], urgency?: string } | null | undefined} cue */
export function signal(cue, { alwaysFlash = false, silentScreen = false } = {}) {
  const buzzed = buzz(cue?.rhythm || [200]);
  if (silentScreen) return buzzed;
  if (alwaysFlash || visualCue.on) flash(cue?.urgency);
  else if (!buzzed) flash(cue?.urgency, true);
  return buzzed;
}

// The sender's short tick when a cue leaves the pad.
export const tick = () => buzz(12);
