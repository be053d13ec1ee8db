// A meeting's debrief, read in two minutes: what went unanswered, the slowest answers, who held the floor and for
// how long; then the timeline ("+03:12 Sam asked for the floor"); exports; the owner may delete it all.
import { h, toast } from '../ui.js';
import { S, displayName, cueOf } from '../store.js';
import { debrief, deleteMeeting, errorText } from '../actions.js';
import { bar } from '../components/bar.js';
import { PLACES, ROLES, relative, ordinal } from '../store/meeting.js';

/** "4 s", "1 min 05 s" @param {number} ms */
// Floored, as api/debrief.py
export const span = (ms) => ms < 1000 ? 'under 1 s' : ms < 60_000 ? `${Math.floor(ms / 1000)} s` : `${Math.floor(ms / 60_000)} min ${String(Math.floor(ms / 1000) % 60).padStart(2, '0')} s`;

/** One line of the timeline, in words. @param {any} e @param {(id: number | null) => string} name @param {(e: any) => string} cue */
export function entryText(e, name, cue) {
  const who = name(e.user_id);
  /** @type {Record<string, () => string>} */
  const say = {
    started: () => 'The meeting started',
    ended: () => 'The meeting ended',
    joined: () => `${who} joined (${[PLACES[e.place], ROLES[e.role]].filter(Boolean).join(', ').toLowerCase()})`,
    cue: () => `${who} sent “${cue(e)}”`,
    ack: () => `${who}: got it, “${cue(e)}”${e.ms != null ? ` after ${span(e.ms)}` : ''}`,
    escalated: () => `${who} buzzed again for “${cue(e)}”${e.ms ? ` (${ordinal(e.ms)} buzz)` : ''}`,
    requested: () => `${who} asked for the floor`,
    withdrawn: () => `${who} withdrew ${who === 'You' ? 'your' : 'their'} request`,
    granted: () => `${who} got the floor`,
    declined: () => `${who === 'You' ? 'Your' : `${who}'s`} request was declined`,
    left: () => `${who} left the table`,
    released: () => `${who} released the floor`,
    taken: () => `The floor was taken back from ${who}`,
  };
  return (say[e.kind] || (() => e.label || e.kind))();
}

/** @param {string} title @param {Element[]} items @param {string} none */
const part = (title, items, none) => h('section', { class: 'card stack', 'aria-label': title }, h('h2', null, title),
  items.length ? h('ul', { class: 'plain' }, items) : h('p', { class: 'muted' }, none));

/** @param {View} v @param {number} id */
export async function debriefScreen(v, id) {
  const body = h('div', { class: 'content stack' }, h('p', { class: 'muted' }, 'Loading the debrief…'));
  const screen = h('main', { class: 'screen' }, bar(v, 'Debrief', { back: '/meetings' }), body);
  let d;
  try { d = await debrief(id); } catch (ex) {
    body.replaceChildren(h('p', null, errorText(ex)), h('a', { class: 'button secondary', href: '/meetings' }, 'Meetings'));
    return screen;
  }
  const m = /** @type {Meeting} */ (d.meeting);
  // Named by the server (the removed too)
  const name = (/** @type {number | null} */ uid) => uid == null ? 'Someone' : uid !== S.me?.id && d.names?.[uid] || displayName(uid, m.team_id);
  // An entry about a cue (its acknowledgement, a re-buzz) names it as the cue's own entry does.
  const labels = new Map((d.timeline || []).filter((/** @type {any} */ e) => e.kind === 'cue').map((/** @type {any} */ e) => [e.message_id, e.label || cueOf(e.cue, m.team_id).label]));
  const cue = (/** @type {any} */ e) => e.label || labels.get(e.message_id) || cueOf(e.cue, m.team_id).label;
  const at = (/** @type {number} */ ms) => h('span', { class: 'at' }, relative(ms));
  const length = m.ended_at && m.started_at ? ` · ${span(m.ended_at - m.started_at)} long` : '';
  const owner = S.teams.find((t) => t.id === m.team_id)?.role === 'owner';
  body.replaceChildren(
    h('h2', { class: 'debrief-title' }, m.title),
    h('p', { class: 'muted' }, [m.counterpart && `With ${m.counterpart}`, m.started_at && new Date(m.started_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })].filter(Boolean).join(' · ') + length),
    part('Urgent cues not acknowledged', (d.unacknowledged || []).map((/** @type {any} */ u) => h('li', null, at(u.at ?? 0), ' ',
      `${name(u.user_id ?? u.sender_id)} sent “${cue(u)}”`, (u.missing || u.pending || []).length ? `: no answer from ${(u.missing || u.pending).map(name).join(', ')}` : '')),
    'Every urgent cue was acknowledged.'),
    part('Slowest acknowledgements', (d.slowest || []).map((/** @type {any} */ s) => h('li', null, `${name(s.user_id)}: ${span(s.ms)} for “${cue(s)}”`)), 'No acknowledgements.'),
    part('Floor time', (d.floor_time || []).map((/** @type {any} */ f) => h('li', null, `${name(f.user_id)}: ${span(f.ms)}${f.turns > 1 ? ` (${f.turns} turns)` : ''}`)), 'No one held the floor.'),
    h('section', { class: 'card stack', 'aria-label': 'Timeline' }, h('h2', null, 'Timeline'),
      h('ol', { class: 'plain timeline' }, (d.timeline || []).map((/** @type {any} */ e) => h('li', null, at(e.at), ' ', entryText(e, name, cue))))),
    h('div', { class: 'row-actions' },
      h('a', { class: 'button secondary', href: `/api/meetings/${id}/debrief.md`, download: '' }, 'Export Markdown'),
      h('a', { class: 'button secondary', href: `/api/meetings/${id}/debrief.csv`, download: '' }, 'Export CSV')),
    owner ? h('button', { class: 'danger', type: 'button', onclick: () => confirm(`Delete the meeting ${m.title} and its timeline for everyone? It cannot be brought back.`)
      && deleteMeeting(id).then(() => { toast('Meeting deleted.'); v.go('/meetings', true); }, (ex) => toast(errorText(ex))) }, 'Delete meeting and timeline') : '');
  return screen;
}
