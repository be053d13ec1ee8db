// Never a sound: vibration rhythms where the platform has them (Chrome on Android), a brief
// full-screen flash elsewhere.
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

export function flash(urgency = 'normal') {
  const el = /** @type {HTMLElement} */ (document.getElementById('flash'));
  el.hidden = false;
  el.className = 'flash';
  void el.offsetWidth; // restart the animation
  el.className = `flash on ${urgency}`;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { el.hidden = true; el.className = 'flash'; }, 1200);
}

// An incoming cue: its own rhythm, and the flash when there is no vibration (or always, in table mode).
/** @param {{ rhythm?: number[], urgency?: string } | null | undefined} cue */
export function signal(cue, { alwaysFlash = false, silentScreen = false } = {}) {
  const buzzed = buzz(cue?.rhythm || [200]);
  if (!silentScreen && (alwaysFlash || !buzzed)) flash(cue?.urgency);
  return buzzed;
}

// The sender's short tick when a cue leaves the pad.
export const tick = () => buzz(12);
