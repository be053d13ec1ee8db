// Sources and the intel log (docs/sources.md), as the team sees them: each team's sources and entries in its
// TeamData (so leaving a team or a wipe forgets them), the events that change them, and the words for a grade and a
// track record. Never a source's notes: they come only in the handler's answers and stay on the screen that asked.
import { Change, teamOf } from './reduce.js';

/** @type {Record<string, string>} */
export const RELIABILITY = { A: 'completely reliable', B: 'usually reliable', C: 'fairly reliable', D: 'not usually reliable', E: 'unreliable', F: 'reliability cannot be judged' };
/** @type {Record<string, string>} */
export const CREDIBILITY = { 1: 'confirmed by other sources', 2: 'probably true', 3: 'possibly true', 4: 'doubtful', 5: 'improbable', 6: 'truth cannot be judged' };
const STATE_ORDER = { invited: 0, open: 0, ended: 1 };

/** "B2" and "usually reliable · probably true". @param {IntelEntry} e */
export const grade = (e) => [`${e.reliability}${e.credibility}`, `${RELIABILITY[e.reliability]} · ${CREDIBILITY[e.credibility]}`];

/** "5 entries · 3 corroborated · 1 contradicted · 1 known" (the counts that are not 0, after the entries). @param {SourceRecord} r */
export function recordText(r) {
  const rest = [[r.corroborated, 'corroborated'], [r.contradicted, 'contradicted'], [r.known, 'known']].filter(([n]) => n).map(([n, w]) => `${n} ${w}`);
  return [`${r.entries} ${r.entries === 1 ? 'entry' : 'entries'}`, ...rest].join(' · ');
}

/** Open (and invited) first, then ended; newest first in each, as the server lists them. @param {Source} a @param {Source} b */
const bySource = (a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.created_at - a.created_at || b.id - a.id;
/** @param {IntelEntry} a @param {IntelEntry} b */
const byEntry = (a, b) => b.created_at - a.created_at || b.id - a.id;

/** Keeps one row per id, the newest given, in order. @template {{id: number}} T @param {T[]} list @param {T} row @param {(a: T, b: T) => number} order */
function upsert(list, row, order) {
  const at = list.findIndex((x) => x.id === row.id);
  if (at >= 0) list[at] = row;
  else list.push(row);
  return list.sort(order);
}

/** A source as the team may keep it: a handler's answer loses its notes, link and channel here.
 * @param {Source | HandledSource} x @returns {Source} */
export function plain(x) {
  const { notes: _n, link: _l, channel_id: _c, ...rest } = /** @type {HandledSource} */ (x);
  return rest;
}

/** @param {State} s @param {number} teamId */
export const sourcesOf = (s, teamId) => (teamOf(s, teamId).sources ||= []);
/** @param {State} s @param {number} teamId */
export const intelOf = (s, teamId) => (teamOf(s, teamId).intel ||= []);

/** The `source` event, or a route's answer (a source made, renamed, handed over, ended). @param {State} s @param {Source | HandledSource} d */
export function sourceChanged(s, d) {
  upsert(sourcesOf(s, d.team_id), plain(d), bySource);
  return new Change().emit('sources', d.id);
}

/** The `intel` event, or a route's answer (an entry logged or assessed). @param {State} s @param {IntelEntry} d */
export function intelChanged(s, d) {
  upsert(intelOf(s, d.team_id), d, byEntry);
  return new Change().emit('intel', d.id);
}

/** A team's list, as read: those gone from it are gone. @param {State} s @param {number} teamId @param {Source[]} list */
export function sourcesLoaded(s, teamId, list) {
  teamOf(s, teamId).sources = list.map(plain).sort(bySource);
  return new Change().emit('sources');
}
/** @param {State} s @param {number} teamId @param {IntelEntry[]} list */
export function intelLoaded(s, teamId, list) {
  teamOf(s, teamId).intel = [...list].sort(byEntry);
  return new Change().emit('intel');
}

/** The source whose conversation this is, if I handle it: the channel is named after its pseudonym (distinct in the
 * team). @param {State} s @param {Channel} ch */
export const sourceOfChannel = (s, ch) => ch.kind !== 'source' ? null
  : sourcesOf(s, ch.team_id).find((x) => x.pseudonym === ch.name && x.handler_id === s.me?.id && x.state !== 'ended') || null;

/** Whether someone in a source's conversation is the source (not a teammate: a previous handler).
 * @param {State} s @param {Channel} ch @param {number} userId */
export const isSource = (s, ch, userId) => ch.kind === 'source' && userId !== s.me?.id
  && !teamOf(s, ch.team_id).members.some((x) => x.user_id === userId);
