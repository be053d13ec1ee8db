// A live meeting on home and on the Meetings screen: what it is, how long it has run, and Join: where I am and what
// I do there, last time's choice preselected on this device, so that joining stays one tap; then its table mode.
import { h, toast } from '../ui.js';
import { S, channel, isLead } from '../store.js';
import { joinMeeting, errorText } from '../actions.js';
import { PLACES, ROLES, seatOf } from '../store/meeting.js';

const KEY = 'bc-seat';
/** @returns {[string, string]} my last place and role on this device */
function lastSeat() {
  let saved = '';
  try { saved = globalThis.localStorage?.getItem(KEY) || ''; } catch { /* private mode */ }
  const [place, role] = saved.split('/');
  return [place in PLACES ? place : 'room', role in ROLES ? role : 'speaking'];
}

/** @param {string} label @param {string} name @param {Record<string, string>} options @param {string} chosen */
const choice = (label, name, options, chosen) => h('label', { class: 'field' }, h('span', null, label),
  h('select', { name }, Object.entries(options).map(([value, text]) => h('option', { value, selected: value === chosen }, text))));

/** Join, or change where I am: then table mode for it. @param {View} v @param {Meeting} m @param {string} [button] @param {string} [why] */
export function seatForm(v, m, button = 'Join', why = '') {
  const seat = seatOf(m, S.me?.id);
  const [place, role] = seat ? [seat.place, seat.role] : lastSeat();
  const form = h('form', { class: 'seat-form' }, why ? h('p', { class: 'seat-why' }, why) : null, choice('Where I am', 'place', PLACES, place), choice('What I do', 'role', ROLES, role),
    h('button', { class: 'primary', type: 'submit' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const [p, r] = [String(data.get('place')), String(data.get('role'))];
    try { globalThis.localStorage?.setItem(KEY, `${p}/${r}`); } catch { /* private mode */ }
    try {
      await joinMeeting(m.id, p, r);
      v.go(`/meetings/${m.id}/table`);
    } catch (ex) { toast(errorText(ex)); }
  });
  return form;
}

/** "for 12 min" @param {number} ms */
export const ranFor = (ms) => ms < 60_000 ? 'just started' : `for ${Math.floor(ms / 60_000)} min`;

/** The live meeting's card: title, counterpart, how long it has run, Join (or back to its table); a lead's way back to hers. @param {View} v @param {Meeting} m */
export function liveCard(v, m) {
  const since = h('span', null, ranFor(Date.now() - (m.started_at || 0)));
  const timer = setInterval(() => { since.textContent = ranFor(Date.now() - (m.started_at || 0)); }, 15_000);
  v.cleanup(() => clearInterval(timer));
  return h('section', { class: 'card stack meeting-card', 'aria-labelledby': `meeting-${m.id}` },
    h('p', { class: 'kicker' }, h('span', { class: 'live-word' }, 'Live meeting'), ' · ', since),
    h('h2', { id: `meeting-${m.id}` }, m.title),
    m.counterpart ? h('p', { class: 'muted' }, `With ${m.counterpart}`) : null,
    seatOf(m, S.me?.id) ? h('a', { class: 'button primary', href: `/meetings/${m.id}/table` }, 'Back to the table')
      : channel(m.channel_id) ? seatForm(v, m) : h('p', { class: 'muted' }, 'Its cues go to a channel you are not in.'),
    isLead() && !seatOf(m, S.me?.id) ? h('a', { class: 'button secondary', href: `/meetings/${m.id}/table` }, 'Lead the table') : null);
}
