// The cue pad: one button per cue of the team; a tap sends it at once (through the outbox) with a tick.
import { h } from '../ui.js';
import { tick } from '../haptics.js';
import { team } from '../store.js';
import { sendCue } from '../actions.js';

// A second tap on the same cue this soon is the same tap (a double tap, a bounce): one cue, not two.
export const ONE_TAP_MS = 1000;

/** In a meeting, the pad's order (an observer's cues first), and a cue handled `instead` of sent ("Let me talk"
 * asks for the floor): it returns true when it took the tap.
 * @typedef {{order?: (cues: Cue[]) => Cue[], instead?: (cue: Cue) => boolean}} PadOptions */
/** @param {number} channelId @param {number} teamId @param {PadOptions} [opts] @returns {{pad: HTMLElement, paint: () => void}} */
export function cuePad(channelId, teamId, { order = (c) => c, instead = () => false } = {}) {
  const pad = h('div', { class: 'pad', role: 'group', 'aria-label': 'Cue pad' });
  /** @type {Map<string, number>} */
  const lastTap = new Map();
  const paint = () => pad.replaceChildren(...order(team(teamId).cues).map((cue) => h('button', {
    class: `cue-btn ${cue.urgency}`, type: 'button', 'aria-label': `Send cue: ${cue.label}`,
    onclick: (/** @type {MouseEvent} */ e) => {
      const now = Date.now();
      if (now - (lastTap.get(cue.code) ?? -Infinity) < ONE_TAP_MS) return;
      lastTap.set(cue.code, now);
      tick();
      if (!instead(cue)) sendCue(channelId, cue);
      const b = /** @type {HTMLElement} */ (e.currentTarget);
      b.classList.remove('sent');
      void b.offsetWidth; // restarts the "sent" animation
      b.classList.add('sent');
    },
  }, cue.label)));
  // More cues than fit (a phone, a long set): the pad says so until its last row is in view.
  const more = () => pad.toggleAttribute('data-more', pad.scrollTop + pad.clientHeight < pad.scrollHeight - 4);
  pad.addEventListener('scroll', more, { passive: true });
  new ResizeObserver(more).observe(pad);
  const paintAll = () => { paint(); more(); };
  paintAll();
  return { pad, paint: paintAll };
}
