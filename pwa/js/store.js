// The app's state on this device: cached in IndexedDB so the app opens offline, changed only through named actions
// (reducers of store/reduce.js, committed here), and announced to the screens by topic.
import { kv } from './db.js';
import * as outbox from './outbox.js';
import * as reduce from './store/reduce.js';

export { handlers, LEAD } from './store/reduce.js';
export const S = reduce.createState();
const dirty = new Set(); // channels whose message list is not saved yet
let saveTimer = 0;

/** @type {Map<string, Set<(arg: any) => void>>} */
const subs = new Map();
/** @param {string} topic @param {(arg: any) => void} fn */
export function on(topic, fn) {
  const set = subs.get(topic) || new Set();
  subs.set(topic, set.add(fn));
  return () => set.delete(fn);
}
/** @param {string} topic @param {any} [arg] */
export const emit = (topic, arg) => { for (const fn of subs.get(topic) || []) fn(arg); };

/**
 * Takes what a reducer did: saves it (now, or a moment later), runs its effects, then tells the screens.
 * @param {Change} c @param {{now?: boolean, effects?: Partial<Record<Effect, (arg: any) => unknown>>}} [how]
 */
export async function commit(c, { now = false, effects = {} } = {}) {
  for (const id of c.touched) dirty.add(id);
  if (now) await saveNow();
  else save();
  for (const [name, arg] of c.effects) await effects[name]?.(arg);
  for (const [topic, arg] of c.emits) emit(topic, arg);
}

export async function loadLocal() {
  const saved = await kv.get('state');
  if (saved) Object.assign(S, { meetings: {} }, saved, { live: 'offline', viewing: [], back: [], replaying: false });
  outbox.setUser(S.me?.id ?? null);
  await outbox.reload();
}

export function save() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 120);
}
export async function saveNow() {
  clearTimeout(saveTimer);
  const { me, teams, teamId, team, cursor, prefs, lastCue, lastChannel, meetings, contact } = S;
  /** @type {[string, unknown][]} */
  const entries = [['state', { me, teams, teamId, team, cursor, prefs, lastCue, lastChannel, meetings, contact }], ['uid', me?.id ?? null]];
  for (const id of dirty) entries.push([`m:${id}`, (S.messages.get(id) || []).slice(-reduce.KEEP)]);
  dirty.clear();
  await kv.setMany(entries);
}
addEventListener('pagehide', () => { clearTimeout(saveTimer); saveNow(); });

/** Forgets the session in memory: no save still pending may write it back after the device is wiped. */
export function forget() {
  clearTimeout(saveTimer);
  dirty.clear();
  reduce.wiped(S);
}

/** A channel's messages, read from the device the first time. @param {number} channelId @returns {Promise<Message[]>} */
export async function messagesOf(channelId) {
  if (!S.messages.has(channelId)) S.messages.set(channelId, (await kv.get(`m:${channelId}`)) || []);
  return S.messages.get(channelId) || [];
}
/** @param {number} channelId */
export const cachedMessages = (channelId) => S.messages.get(channelId) || [];

// Lookups over this device's state.
/** @param {number | null} [id] */
export const team = (id) => reduce.teamOf(S, id);
export const isLead = () => reduce.isLeadIn(S);
/** @param {number} id */
export const channel = (id) => reduce.channelOf(S, id);
/** @param {number} id */
export const leftChannel = (id) => reduce.leftChannelIn(S, id);
/** @param {number} userId @param {number} [teamId] */
export const displayName = (userId, teamId) => reduce.nameOf(S, userId, teamId);
/** @param {Channel | null} ch */
export const channelName = (ch) => reduce.titleOf(S, ch);
/** @param {string | null | undefined} code @param {number} [teamId] */
export const cueOf = (code, teamId) => reduce.cueIn(S, code || '', teamId);
/** @param {Message} m @param {Channel} ch */
export const isDelivered = (m, ch) => reduce.deliveredTo(S, m, ch);

// The screens' own actions.
/** @param {number} id */
export const channelOpened = (id) => commit(reduce.channelOpened(S, id));
/** @param {number} id */
export const channelClosed = (id) => commit(reduce.channelClosed(S, id));
/** @param {number} id */
export const channelVisited = (id) => commit(reduce.channelVisited(S, id));
/** @param {number | null} id */
export const teamChosen = (id) => commit(reduce.teamChosen(S, id));
/** @param {boolean} on */
export const neutralSet = (on) => commit(reduce.neutralSet(S, on));

// What the outbox reports (from this page or the service worker's flush).
outbox.hooks.sent = (m) => m && messagesOf(m.channel_id).then(() => commit(reduce.messageSent(S, m)));
outbox.hooks.acked = (d) => d && messagesOf(d.channel_id).then(() => commit(reduce.ackSaved(S, d)));
outbox.hooks.changed = () => emit('outbox');
outbox.hooks.unauthenticated = () => emit('unauthenticated');
