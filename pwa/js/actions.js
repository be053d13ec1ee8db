// What a person does that the server must hear of: one named function each (its request, then the state it
// changes), so the screens hold no URLs.
import { api, ApiError, setCsrf } from './api.js';
import { kv, outbox as outboxStore } from './db.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import { deviceName, uuid } from './ui.js';
import { S, commit, forget, teamChosen, messagesOf } from './store.js';
import * as reduce from './store/reduce.js';
import { refreshAll, refreshTeam, startLive, stopLive } from './store/sync.js';

/** What to tell a person about a failed action. @param {unknown} err */
export const errorText = (err) => (err instanceof ApiError ? err.message : 'Something went wrong.');

/** Creates the account or logs in, then catches up and goes live. @param {boolean} signup @param {object} data */
export async function enter(signup, data) {
  const session = await api('POST', signup ? '/accounts' : '/sessions', signup ? data : { ...data, device: deviceName() });
  try { localStorage.removeItem('bc-gone'); } catch { /* private mode */ } // a source's phone once (guest.js)
  if (S.me && S.me.id !== session.user.id) await wipe();
  outbox.setUser(session.user.id);
  await setCsrf(session.csrf_token);
  await commit(reduce.signedIn(S, session.user), { now: true });
  await refreshAll();
  startLive();
  push.check(session.user.id);
}

/** Nothing of the team's stays on the device: cached history, state and unsent messages go. */
export async function wipe() {
  stopLive();
  forget();
  outbox.setUser(null);
  await Promise.all([kv.clear(), outboxStore.clear()]);
  await outbox.reload();
}

export async function logOut() {
  await push.forget();
  try { await api('DELETE', `/sessions/${(await api('GET', '/me')).session_id}`); } catch { /* offline: forget locally */ }
  await wipe();
}

/** @returns {Promise<any[]>} */
export const devices = () => api('GET', '/sessions').catch(() => []);
/** @param {number} id */
export const signOutDevice = (id) => api('DELETE', `/sessions/${id}`);

// An invite opened before signing in waits on the device.
/** @returns {Promise<string | null>} */
export const pendingInvite = () => kv.get('pendingInvite');
/** @param {string | null} token */
export const keepInvite = (token) => kv.set('pendingInvite', token);

/** @param {string} name */
export async function createTeam(name) {
  await teamChosen((await api('POST', '/teams', { name })).id);
  await refreshAll();
}

/**
 * What an invite link is, before signing up: whose team, who invited, whether it still works.
 * @param {string} token @returns {Promise<{team_name: string, invited_by: string, role: string, usable: boolean, reason?: string}>}
 */
export const previewInvite = (token) => api('GET', `/invites/${encodeURIComponent(token)}`);

/** @param {string} token @returns {Promise<{id: number, name: string}>} */
export async function joinTeam(token) {
  try {
    const t = await api('POST', `/invites/${encodeURIComponent(token)}/accept`);
    await keepInvite(null);
    await teamChosen(t.id);
    await refreshAll();
    return t;
  } catch (ex) {
    await keepInvite(null);
    throw ex;
  }
}

/** @param {number} teamId @param {number} userId @param {string} role */
export const setRole = (teamId, userId, role) =>
  api('PATCH', `/teams/${teamId}/members/${userId}`, { role }).then(() => refreshTeam());
/** @param {number} teamId @param {number} userId */
export const removeMember = (teamId, userId) => api('DELETE', `/teams/${teamId}/members/${userId}`).then(() => refreshTeam());
/** @param {number} teamId */
export const leaveTeam = (teamId) => api('DELETE', `/teams/${teamId}/members/${S.me?.id}`).then(refreshAll);

/** @param {number} teamId @returns {Promise<any[]>} */
export const invites = (teamId) => api('GET', `/teams/${teamId}/invites`).catch(() => []);
/** @param {number} teamId @param {string} role */
export const createInvite = (teamId, role) =>
  api('POST', `/teams/${teamId}/invites`, { role, max_uses: 10, expires_in_seconds: 7 * 86400 });
/** @param {number} teamId @param {number} id */
export const revokeInvite = (teamId, id) => api('DELETE', `/teams/${teamId}/invites/${id}`);

/** @param {number} teamId @param {Cue[]} cues @returns {Promise<Cue[]>} the cues as stored */
export async function saveCues(teamId, cues) {
  const saved = await api('PUT', `/teams/${teamId}/cues`, { cues });
  await commit(reduce.cuesSaved(S, teamId, saved.cues));
  return saved.cues;
}

/** A new channel (or my direct one with someone): its id. @param {string} path @param {object} body @returns {Promise<number>} */
async function newChannel(path, body) {
  const ch = await api('POST', `/teams/${S.teamId}/${path}`, body);
  await refreshTeam();
  return ch.id;
}
/** @param {string} name @param {number[]} members */
export const createChannel = (name, members) => newChannel('channels', { name, members });
/** @param {number} userId */
export const openDirect = (userId) => newChannel('direct', { user_id: userId });

/** A group's people; the team is read again at once, not when the socket tells.
 * @param {Channel} ch @param {string} method @param {string} [tail] @param {object} [body] */
const manage = (ch, method, tail = '', body = undefined) =>
  api(method, `/channels/${ch.id}${tail}`, body).then(() => refreshTeam(ch.team_id));
/** @param {Channel} ch @param {string} name */
export const renameGroup = (ch, name) => manage(ch, 'PATCH', '', { name });
/** @param {Channel} ch @param {number} userId */
export const addToGroup = (ch, userId) => manage(ch, 'POST', '/members', { user_id: userId });
/** Someone, or me: I leave. @param {Channel} ch @param {number} userId */
export const removeFromGroup = (ch, userId) => manage(ch, 'DELETE', `/members/${userId}`);
/** @param {Channel} ch */
export const deleteGroup = (ch) => manage(ch, 'DELETE');

/** @param {number} channelId @param {string} text */
export const sendText = (channelId, text) =>
  outbox.enqueue({ client_id: uuid(), channel_id: channelId, kind: 'text', text, created_at: Date.now(), ttl: 0 });
/** @param {number} channelId @param {Cue} cue */
export const sendCue = (channelId, cue) =>
  outbox.enqueue({ client_id: uuid(), channel_id: channelId, kind: 'cue', cue: cue.code, created_at: Date.now(), ttl: cue.ttl_seconds });

/** Recalls my mis-tapped cue (the server allows it for LIMITS.recallSeconds after it was sent). @param {Message} m */
export async function recall(m) {
  /** @type {{message_id: number, channel_id: number, at: number}} */
  const done = await api('POST', `/messages/${m.id}/recall`);
  await messagesOf(done.channel_id);
  await commit(reduce.handlers.message_recalled(S, done, /** @type {any} */ (null), /** @type {any} */ (null)));
}

/** "Got it": sent now, or queued in the outbox when offline (an ack is idempotent on the server). @param {Message} m */
export async function ack(m) {
  /** @type {AckDone} */
  let done;
  try {
    done = await api('POST', `/messages/${m.id}/ack`);
  } catch (ex) {
    if (/** @type {ApiError} */ (ex).status !== 0) throw ex;
    await outbox.enqueueAck(m);
    done = { message_id: m.id, channel_id: m.channel_id, user_id: S.me?.id ?? 0, at: Date.now() };
  }
  await messagesOf(done.channel_id);
  await commit(reduce.ackSaved(S, done));
}

/** @param {string} level */
export async function setPushLevel(level) {
  await commit(reduce.pushLevelSet(S, (await api('PUT', '/push/level', { level })).level));
}

/** The server's choice, unless `stale()` says the person chose meanwhile. @param {() => boolean} stale @returns {Promise<string>} */
export async function loadPushLevel(stale) {
  const { level } = await api('GET', '/push/level');
  if (!stale()) await commit(reduce.pushLevelSet(S, level));
  return level;
}

// --- my account: name, password, devices ---------------------------------------------------------
/** A new display name, for me and my teams. @param {string} displayName */
export async function renameMe(displayName) {
  const user = await api('PATCH', '/me', { display_name: displayName });
  await commit(reduce.signedIn(S, user), { now: true });
}
/** Every other device is signed out. @param {string} current @param {string} next */
export const changePassword = (current, next) => api('PUT', '/me/password', { current_password: current, new_password: next });
/** @param {number} id @param {string} device */
export const renameDevice = (id, device) => api('PATCH', `/sessions/${id}`, { device });
/** Tells the server this device is still here (its "last seen"), even when only the live socket is busy. */
export const stillHere = () => api('GET', '/me').then(() => {}, () => {});

/** Messages in my channels of the team holding every word of `q`, newest first.
 * @param {number} teamId @param {string} q @param {number} limit @returns {Promise<SearchHit[]>} */
export const searchMessages = (teamId, q, limit) =>
  api('GET', `/teams/${teamId}/search?q=${encodeURIComponent(q)}&limit=${limit}`).then((r) => r.results);

// --- meetings (docs/meetings.md) ------------------------------------------------------------------
/** A route's answer is the meeting's whole state: kept at once, not when the socket tells.
 * @param {string} method @param {string} path @param {object} [body] @returns {Promise<Meeting>} */
async function meetingCall(method, path, body) {
  const m = await api(method, path, body);
  await commit(reduce.meetingLoaded(S, m));
  return m;
}
/** @param {number} teamId @param {{title: string, counterpart: string, planned_at?: number | null, channel_id?: number}} body */
export const planMeeting = (teamId, body) => meetingCall('POST', `/teams/${teamId}/meetings`, body);
/** @param {number} teamId */
export const loadMeetings = async (teamId) => commit(reduce.meetingsLoaded(S, teamId, await api('GET', `/teams/${teamId}/meetings`)));
/** @param {number} id @param {'start' | 'end' | 'floor/release' | 'floor/take'} what */
export const meetingDo = (id, what) => meetingCall('POST', `/meetings/${id}/${what}`);
/** @param {number} id @param {string} place @param {string} role */
export const joinMeeting = (id, place, role) => meetingCall('POST', `/meetings/${id}/join`, { place, role });
/** Asks for the floor, or withdraws my request. @param {number} id @param {boolean} [withdraw] */
export const askFloor = (id, withdraw = false) => meetingCall(withdraw ? 'DELETE' : 'POST', `/meetings/${id}/floor`);
/** @param {number} id @param {'grant' | 'decline'} what @param {number} userId */
export const answerFloor = (id, what, userId) => meetingCall('POST', `/meetings/${id}/floor/${what}`, { user_id: userId });
/** @param {number} id @returns {Promise<Roster>} */
export const roster = (id) => api('GET', `/meetings/${id}/roster`);
/** @param {number} id @returns {Promise<any>} */
export const debrief = (id) => api('GET', `/meetings/${id}/debrief`);
/** The owner deletes a meeting with its timeline. @param {number} id */
export async function deleteMeeting(id) {
  const d = await api('DELETE', `/meetings/${id}`);
  await commit(reduce.handlers.meeting_deleted(S, d, /** @type {any} */ (null), /** @type {any} */ (null)));
}
/** The sender stops an urgent cue's re-buzzing. @param {number} messageId */
export const stopBuzzing = async (messageId) => commit(reduce.escalationSaved(S, await api('DELETE', `/messages/${messageId}/escalation`)));
