// Meeting mode's words and rules, pure (Node tests them): places and roles, the observer's pad, the floor line,
// waited times, "2nd buzz", the debrief's relative times.

// Rhythms of meeting mode's own, unlike every default cue's (api/cueset.py): the floor is mine; a request came in;
// not now (declined, taken back).
export const GO = [60, 60, 60, 60, 400];
export const ASKED = [40, 90, 40];
export const NOT_NOW = [200, 100, 60];
/** @type {Record<string, string>} */
export const PLACES = { room: 'In the room', call: 'On the call', remote: 'Supporting remotely' };
/** @type {Record<string, string>} */
export const ROLES = { speaking: 'Speaking', observing: 'Observing the other side', notes: 'Taking notes' };
/** "In the room · Speaking" @param {{place?: string | null, role?: string | null}} s */
export const seatText = (s) => [PLACES[s.place || ''] || s.place, ROLES[s.role || ''] || s.role].filter(Boolean).join(' · ');
export const OBSERVER_CUES = ['they_nervous', 'watch_lead', 'bluffing'];
export const FLOOR_CUE = 'let_me_talk';

/** An observer's pad puts the observer cues first (in that order); everyone else's keeps the team's order.
 * @template {{code: string}} C @param {C[]} cues @param {string | null | undefined} role @returns {C[]} */
export function padOrder(cues, role) {
  if (role !== 'observing') return cues;
  const rank = (/** @type {C} */ c) => { const i = OBSERVER_CUES.indexOf(c.code); return i < 0 ? OBSERVER_CUES.length : i; };
  return cues.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map((x) => x.c);
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st. @param {number} n */
export function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th'}`;
}

/** A span as a clock: 0:42, 12:05, 1:02:03. @param {number} ms */
export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60), ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** A debrief's time after the start: +03:12, +1:02:03. @param {number} ms */
export const relative = (ms) => `+${ms >= 3600_000 ? clock(ms) : clock(ms).padStart(5, '0')}`;

/** @param {Meeting | null | undefined} m @param {number | null | undefined} userId */
export const seatOf = (m, userId) => m?.seats.find((x) => x.user_id === userId) || null;

/** The team's live meeting, if any. @param {Record<number, Meeting>} meetings @param {number | null} teamId */
export const liveIn = (meetings, teamId) => Object.values(meetings).find((m) => m.team_id === teamId && m.state === 'live') || null;

/** Where the floor stands for me: what the meeting bar says, and the one thing I may do about it.
 * @param {Meeting} m @param {number | null | undefined} me @param {(id: number) => string} name
 * @returns {{text: string, act: 'release' | 'withdraw' | null}} */
export function floorLine(m, me, name) {
  if (m.floor?.user_id === me) return { text: 'You have the floor', act: 'release' };
  const at = m.queue.findIndex((r) => r.user_id === me);
  const held = m.floor ? `${name(m.floor.user_id)} has the floor` : '';
  if (at >= 0) return { text: [held, `You are ${ordinal(at + 1)} in line`].filter(Boolean).join(' · '), act: 'withdraw' };
  return { text: held || (m.queue.length ? `${m.queue.length} waiting for the floor` : 'The floor is open'), act: null };
}

/** Per person, for the sender of an urgent cue that insists: "Sam: got it · Lee: 2nd buzz".
 * @param {Escalation} e @param {number[]} recipients @param {{user_id: number}[]} acks @param {(id: number) => string} name */
export function escalationLine(e, recipients, acks, name) {
  return recipients.map((id) => `${name(id)}: ${acks.some((a) => a.user_id === id) ? 'got it'
    : e.pending.includes(id) || e.state === 'active' ? `${ordinal(e.buzzes)} buzz` : 'no answer'}`).join(' · ');
}

/** Another buzz is coming (not a minute past it: stale). @param {Escalation | null | undefined} e @param {number} now */
export const insisting = (e, now) => !!e && e.state === 'active' && e.next_at != null && e.next_at > now - 60_000;

/** Why it stopped buzzing, in words. @param {Escalation} e */
export const stoppedWhy = (e) => e.state === 'active' ? '' : ({
  acknowledged: 'Everyone got it', expired: 'Stopped: the cue expired', cancelled: 'Stopped buzzing',
  ended: 'Stopped: the meeting ended', done: 'Stopped: no more buzzes' }[e.reason || ''] || 'Stopped buzzing');

/** How fresh a phone's news is: "just now", "40 s ago", "3 min ago". @param {number | null} at @param {number} now */
export function heard(at, now) {
  if (at == null) return 'never heard';
  const s = Math.round((now - at) / 1000);
  return s < 5 ? 'heard just now' : s < 60 ? `heard ${s} s ago` : `heard ${Math.round(s / 60)} min ago`;
}

/** Ready: connected, and on screen or with push. @param {{live: boolean, visible: boolean, push: boolean, last_heard: number | null}} r @param {number} now */
export function readiness(r, now) {
  const ready = r.live && (r.visible || r.push);
  return { ready, text: [ready ? 'Ready' : 'Not ready', r.visible ? 'App open' : 'App not on screen', r.live ? 'connected' : 'not connected',
    r.push ? 'push notifications on' : 'no push notifications', heard(r.last_heard, now)].join(' · ') };
}
