// Table mode in a meeting: the meeting bar (title, live time, where the floor stands for me, Release / Withdraw),
// and for a lead the floor queue in order (waited time ticking; Grant / Decline; Take back), the roster (who
// joined, where, doing what, whether their phone is ready; who has not) and End meeting.
import { h, toast } from '../ui.js';
import { S, displayName, team, isLead } from '../store.js';
import { meetingDo, askFloor, answerFloor, roster, errorText } from '../actions.js';
import { seatForm } from './meeting.js';
import { seatText, clock, floorLine, seatOf, readiness, ordinal } from '../store/meeting.js';

const say = (/** @type {unknown} */ ex) => toast(errorText(ex));
/** A span whose clock ticks from `since` (table mode moves them all each second). @param {number} since */
const ticking = (since) => h('span', { class: 'tick', 'data-since': String(since) }, clock(Date.now() - since));
/** @param {Element} root */
export const tickAll = (root) => root.querySelectorAll('[data-since]').forEach((el) => { el.textContent = clock(Date.now() - +(/** @type {HTMLElement} */ (el).dataset.since || 0)); });

/** @param {string} label @param {() => Promise<unknown>} run @param {string} [cls] @param {string} [aria] */
const act = (label, run, cls = 'small secondary', aria) => h('button', { class: cls, type: 'button', 'aria-label': aria, onclick: () => run().catch(say) }, label);

/** @param {View} v @param {Meeting} m */
export function meetingBar(v, m) {
  const me = S.me?.id;
  const name = (/** @type {number} */ id) => displayName(id, m.team_id);
  if (m.state !== 'live') {
    return h('section', { class: 'meeting-bar', 'aria-label': 'Meeting' }, h('p', null, `${m.title} · ${m.state === 'ended' ? 'Ended' : 'Not started yet'}`),
      m.state === 'ended' ? h('a', { class: 'button small secondary', href: `/meetings/${m.id}/debrief` }, 'Debrief') : null);
  }
  const line = floorLine(m, me, name);
  const seated = !!seatOf(m, me);
  return h('section', { class: 'meeting-bar', 'aria-label': 'Meeting' },
    h('p', { class: 'meeting-time' }, `Live `, ticking(m.started_at || 0)),
    seated ? h('p', { class: `floor ${line.act === 'release' ? 'mine' : ''}`, role: 'status', 'aria-label': 'Floor' }, line.text,
      line.act === 'release' ? act('Release', () => meetingDo(m.id, 'floor/release'), 'small primary', 'Release the floor') : null,
      line.act === 'withdraw' ? act('Withdraw', () => askFloor(m.id, true), 'small secondary', 'Withdraw my request') : null)
      : joinLater(v, m));
}

/** The seat form; a lead's behind a button (it would push her part off a phone). @param {View} v @param {Meeting} m
 * @returns {Element} */
function joinLater(v, m) {
  if (!isLead() || joinOpen.has(m.id)) return seatForm(v, m, 'Join', 'Not joined yet: join to ask for the floor.');
  const b = h('button', { class: 'small secondary', type: 'button', onclick: () => { joinOpen.add(m.id); b.replaceWith(joinLater(v, m)); } }, 'Join the table');
  return b;
}
const joinOpen = new Set();

/** The lead's part: the queue and the floor, the roster, End meeting. @param {View} v @param {Meeting} m */
export function leadPanel(v, m) {
  if (m.state !== 'live' || !isLead()) return null;
  const name = (/** @type {number} */ id) => displayName(id, m.team_id);
  const queue = h('ol', { class: 'queue', 'aria-label': 'Floor queue' }, m.queue.map((r, i) => h('li', { class: 'queue-item' },
    h('span', { class: 'row-main' }, `${ordinal(i + 1)} · ${name(r.user_id)}`, h('small', null, 'waited ', ticking(r.requested_at))),
    act('Grant', () => answerFloor(m.id, 'grant', r.user_id), 'small primary', `Grant the floor to ${name(r.user_id)}`),
    act('Decline', () => answerFloor(m.id, 'decline', r.user_id), 'small secondary', `Decline ${name(r.user_id)}`))));
  const members = team(m.team_id).members;
  return h('section', { class: 'lead-panel', 'aria-label': 'Lead' },
    m.floor ? h('p', { class: 'floor-held' }, `${name(m.floor.user_id)} has the floor · `, ticking(m.floor.since), ' ',
      act('Take back', () => meetingDo(m.id, 'floor/take'), 'small secondary', `Take the floor back from ${name(m.floor.user_id)}`)) : null,
    m.queue.length ? queue : h('p', { class: 'muted' }, 'No one is waiting for the floor.'),
    rosterBox(v, m, `${m.seats.length} of ${members.length} joined`),
    act('End meeting', () => endMeeting(v, m), 'small secondary end'));
}

/** @param {View} v @param {Meeting} m */
export async function endMeeting(v, m) {
  if (!confirm(`End ${m.title} for everyone? Its debrief opens here.`)) return;
  await meetingDo(m.id, 'end');
  v.go(`/meetings/${m.id}/debrief`);
}

/** Who joined and whether their phone is ready, read every few seconds while open. @param {View} v @param {Meeting} m @param {string} count */
function rosterBox(v, m, count) {
  const list = h('ul', { class: 'roster' });
  const box = h('details', { class: 'roster-box', open: openRoster.has(m.id) }, h('summary', null, `Roster · ${count}`), list);
  let timer = 0;
  const name = (/** @type {number} */ id) => displayName(id, m.team_id);
  const paint = (/** @type {Roster} */ r) => {
      const now = Date.now();
      list.replaceChildren(...r.seats.map((s) => h('li', null, h('strong', null, name(s.user_id)), ` · ${seatText(s)}`,
        h('small', { class: readiness(s.ready, now).ready ? 'ready' : 'not-ready' }, readiness(s.ready, now).text))),
      ...r.absent.map((id) => h('li', { class: 'absent' }, h('strong', null, name(id)), ' · Not joined')));
  };
  const load = async () => {
    clearTimeout(timer);
    if (!box.open || !box.isConnected) return;
    try {
      const r = await roster(m.id);
      rosters.set(m.id, r);
      paint(r);
    } catch (ex) { list.replaceChildren(h('li', { class: 'muted' }, errorText(ex))); }
    timer = setTimeout(load, 4000);
  };
  box.addEventListener('toggle', () => { if (box.open) { openRoster.add(m.id); load(); } else openRoster.delete(m.id); });
  const had = rosters.get(m.id);
  if (had) paint(had);
  if (box.open) timer = setTimeout(load, 0);
  v.cleanup(() => clearTimeout(timer));
  return box;
}
/** Meetings whose roster the lead left open (it stays open when the panel is drawn anew). */
const openRoster = new Set();
/** @type {Map<number, Roster>} the last roster read, shown at once when the panel is drawn anew */
const rosters = new Map();
