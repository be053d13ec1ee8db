// The app's state: what we know (cached in IndexedDB so the app opens offline), how it changes
// (server events, applied in cursor order), and the actions the screens call.
import { kv, outbox as outboxStore } from './db.js';
import { api, setCsrf, online } from './api.js';
import * as outbox from './outbox.js';
import { connectLive } from './live.js';
import { uuid } from './ui.js';

const KEEP = 150; // messages kept per channel on the device
export const LEAD = new Set(['owner', 'lead']);

export const S = {
  me: null, // {id, username, display_name}
  teams: [], // [{id, name, role}]
  teamId: null,
  team: {}, // id -> {channels, cues, members}
  cursor: null, // the last event applied
  prefs: { level: 'hidden' }, // what my pushes say (the server keeps it: GET/PUT /api/push/level)
  lastCue: null, // for table mode
  live: 'offline',
  viewing: null, // the open channel's id
  replaying: false,
};
const messages = new Map(); // channel id -> [message] by cursor
const dirty = new Set();
let saveTimer = 0;
let queue = Promise.resolve();
let socket = null;

// --- tiny pub/sub ---------------------------------------------------------------------------------
const subs = new Map();
export function on(topic, fn) {
  if (!subs.has(topic)) subs.set(topic, new Set());
  subs.get(topic).add(fn);
  return () => subs.get(topic).delete(fn);
}
export function emit(topic, arg) {
  for (const fn of subs.get(topic) || []) fn(arg);
}

// --- persistence ----------------------------------------------------------------------------------
export async function loadLocal() {
  const saved = await kv.get('state');
  if (saved) Object.assign(S, saved, { live: 'offline', viewing: null, replaying: false });
  outbox.setUser(S.me?.id ?? null);
  await outbox.reload();
}

export function save() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveNow, 120);
}
export async function saveNow() {
  clearTimeout(saveTimer);
  const { me, teams, teamId, team, cursor, prefs, lastCue, lastChannel } = S;
  const entries = [['state', { me, teams, teamId, team, cursor, prefs, lastCue, lastChannel }], ['uid', me?.id ?? null]];
  for (const id of dirty) entries.push([`m:${id}`, messages.get(id) || []]);
  dirty.clear();
  await kv.setMany(entries);
}
addEventListener('pagehide', () => { clearTimeout(saveTimer); saveNow(); });

// --- lookups --------------------------------------------------------------------------------------
export const team = (id = S.teamId) => (S.team[id] ||= { channels: [], cues: [], members: [] });
export const myRole = (id = S.teamId) => S.teams.find((t) => t.id === id)?.role;
export const isLead = (id = S.teamId) => LEAD.has(myRole(id));
export function channel(id) {
  for (const t of Object.values(S.team)) {
    const hit = t.channels.find((c) => c.id === id);
    if (hit) return hit;
  }
  return null;
}
export function member(userId, teamId = S.teamId) {
  return team(teamId).members.find((m) => m.user_id === userId);
}
export function displayName(userId, teamId) {
  if (userId === S.me?.id) return 'You';
  return member(userId, teamId)?.display_name || 'A teammate';
}
export function channelName(ch) {
  if (!ch) return 'Channel';
  if (ch.kind !== 'direct') return ch.name;
  const other = ch.member_ids.find((id) => id !== S.me?.id);
  return other ? displayName(other, ch.team_id) : 'Just you';
}
export function cueOf(code, teamId = S.teamId) {
  return team(teamId).cues.find((c) => c.code === code) || { code, label: code.replace(/_/g, ' '), rhythm: [200], urgency: 'normal', ttl_seconds: 120 };
}
export async function messagesOf(channelId) {
  if (!messages.has(channelId)) messages.set(channelId, (await kv.get(`m:${channelId}`)) || []);
  return messages.get(channelId);
}
export const cachedMessages = (channelId) => messages.get(channelId) || [];

function upsertMessage(m) {
  const list = messages.get(m.channel_id) || [];
  const at = list.findIndex((x) => x.id === m.id);
  if (at >= 0) list[at] = { ...m, acks: mergeAcks(list[at].acks, m.acks) };
  else list.push(m);
  // Sorted after an update too: it puts right a copy cached while events carried no cursor.
  list.sort((a, b) => a.cursor - b.cursor);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
  messages.set(m.channel_id, list);
  dirty.add(m.channel_id);
  return at < 0;
}
function mergeAcks(a = [], b = []) {
  const out = [...a];
  for (const ack of b) if (!out.some((x) => x.user_id === ack.user_id)) out.push(ack);
  return out;
}

// --- session --------------------------------------------------------------------------------------
export async function signIn(session) {
  if (S.me && S.me.id !== session.user.id) await wipe();
  S.me = session.user;
  outbox.setUser(S.me.id);
  await setCsrf(session.csrf_token);
  await saveNow();
}

export async function wipe() {
  socket?.stop();
  socket = null;
  messages.clear();
  Object.assign(S, { me: null, teams: [], teamId: null, team: {}, cursor: null, lastCue: null, live: 'offline' });
  outbox.setUser(null);
  await Promise.all([kv.clear(), outboxStore.clear()]);
  await outbox.reload();
}

export async function refreshMe() {
  const me = await api('GET', '/me');
  S.me = me.user;
  outbox.setUser(S.me.id);
  await setCsrf(me.csrf_token);
  S.teams = me.teams;
  for (const id of Object.keys(S.team)) if (!S.teams.some((t) => t.id === +id)) delete S.team[id];
  if (!S.teams.some((t) => t.id === S.teamId)) S.teamId = S.teams[0]?.id ?? null;
  await saveNow();
  emit('teams');
  return me;
}

export async function refreshTeam(id = S.teamId) {
  if (id == null) return;
  const [info, channels, cues] = await Promise.all([
    api('GET', `/teams/${id}`), api('GET', `/teams/${id}/channels`), api('GET', `/teams/${id}/cues`),
  ]);
  Object.assign(team(id), { members: info.members, channels, cues: cues.cues });
  const summary = S.teams.find((t) => t.id === id);
  if (summary) Object.assign(summary, { name: info.name, role: info.role });
  await saveNow();
  emit('teams');
  emit('channels');
  emit('cues');
}

export async function refreshAll() {
  await refreshMe();
  await Promise.all(S.teams.map((t) => refreshTeam(t.id)));
}

// --- live -----------------------------------------------------------------------------------------
export function startLive() {
  if (socket || !S.me) return;
  socket = connectLive({
    cursor: () => S.cursor || 0,
    onOpen() {
      S.replaying = true;
      outbox.flush();
    },
    onEvent(ev) {
      queue = queue.then(async () => {
        await apply(ev);
        socket?.received(ev.cursor);
      }).catch((err) => console.warn('event skipped', err));
    },
    onDelivered: delivered,
    onReady(cursor) {
      queue = queue.then(async () => {
        S.replaying = false;
        S.cursor = Math.max(S.cursor || 0, cursor);
        save();
        if (online()) await refreshAll().catch(() => {});
        if (S.viewing) markRead(S.viewing);
      });
    },
    onState(state) {
      S.live = state;
      emit('live');
    },
    onUnauthenticated: () => emit('unauthenticated'),
  });
}
export function stopLive() {
  socket?.stop();
  socket = null;
}

async function apply(ev) {
  if (S.cursor != null && ev.cursor <= S.cursor) return;
  const handler = handlers[ev.type];
  if (handler) await handler(ev.data, ev);
  else console.warn('no handler for event type', ev.type);
  S.cursor = Math.max(S.cursor || 0, ev.cursor);
  save();
}

// One handler per event type the server stores (GET /api/events lists them; a test holds this table to it).
export const handlers = {
  async message(d) {
    const list = await messagesOf(d.channel_id);
    const fresh = !list.some((m) => m.id === d.id);
    upsertMessage(d);
    if (d.sender_id === S.me.id) {
      await outbox.settled(d.client_id);
    } else if (fresh) {
      const ch = channel(d.channel_id);
      const looking = S.viewing === d.channel_id && document.visibilityState === 'visible';
      if (ch && !looking && !S.replaying) ch.unread += 1;
      if (looking) markRead(d.channel_id);
      if (d.kind === 'cue') maybeAlert(d);
    }
    emit('messages', d.channel_id);
    emit('channels');
  },
  async ack(d) {
    const list = await messagesOf(d.channel_id);
    const m = list.find((x) => x.id === d.message_id);
    if (m) {
      m.acks = mergeAcks(m.acks, [{ user_id: d.user_id, at: d.at }]);
      dirty.add(d.channel_id);
      emit('messages', d.channel_id);
    }
    if (d.user_id === S.me.id) emit('acked', d.message_id); // e.g. "Got it" from a notification
  },
  // The owner deleted the channel's history: forget it here too, on screen and in IndexedDB.
  history_cleared(d) {
    messages.set(d.channel_id, []);
    dirty.add(d.channel_id);
    const ch = channel(d.channel_id);
    if (ch) ch.unread = 0;
    if (S.lastCue?.message.channel_id === d.channel_id) S.lastCue = null;
    emit('messages', d.channel_id);
    emit('channels');
    emit('history_cleared', d.channel_id);
  },
  channel(d, ev) {
    const t = team(ev.team_id);
    const at = t.channels.findIndex((c) => c.id === d.id);
    if (!d.member_ids.includes(S.me.id)) {
      if (at >= 0) t.channels.splice(at, 1);
    } else if (at >= 0) {
      Object.assign(t.channels[at], d);
    } else {
      t.channels.push({ ...d, unread: 0, last_read: 0 });
    }
    emit('channels');
  },
  channel_removed(d, ev) {
    if (d.user_id !== S.me.id) return;
    const t = team(ev.team_id);
    t.channels = t.channels.filter((c) => c.id !== d.channel_id);
    emit('channels');
  },
  member(d, ev) {
    const t = team(ev.team_id);
    const at = t.members.findIndex((m) => m.user_id === d.user_id);
    if (at >= 0) t.members[at] = d;
    else t.members.push(d);
    if (d.user_id === S.me.id) {
      const summary = S.teams.find((x) => x.id === ev.team_id);
      if (summary) summary.role = d.role;
      else if (!S.replaying) refreshAll().catch(() => {});
    }
    emit('team');
    emit('teams');
  },
  member_removed(d, ev) {
    if (S.teams.some((t) => t.id === ev.team_id)) {
      team(ev.team_id).members = team(ev.team_id).members.filter((m) => m.user_id !== d.user_id);
    }
    emit('team');
  },
  team_removed(d, ev) {
    if (d.user_id !== S.me.id) return;
    const was = S.teams.find((t) => t.id === ev.team_id); // not a team left long ago (a new device replays all)
    S.teams = S.teams.filter((t) => t.id !== ev.team_id);
    if (was) emit('removed', was.name);
    delete S.team[ev.team_id];
    if (S.teamId === ev.team_id) S.teamId = S.teams[0]?.id ?? null;
    emit('teams');
    emit('channels');
  },
  cues(d, ev) {
    team(ev.team_id).cues = d.cues;
    emit('cues');
  },
};

// A teammate's device has every event of this channel up to `cursor`: raise their receipt in it.
function delivered({ user_id, channel_id, through: cursor }) {
  for (const t of Object.values(S.team)) {
    for (const ch of t.channels) {
      if (ch.id !== channel_id || !ch.member_ids.includes(user_id)) continue;
      const receipts = (ch.receipts ||= []);
      const r = receipts.find((x) => x.user_id === user_id);
      if (r && r.delivered >= cursor) continue;
      if (r) r.delivered = cursor;
      else receipts.push({ user_id, delivered: cursor, read: 0 });
      emit('messages', ch.id);
    }
  }
  save();
}

// Has anyone else in the channel got this message on a device?
export function isDelivered(m, ch) {
  return (channel(ch.id) || ch).receipts?.some((r) => r.user_id !== S.me.id && r.delivered >= m.cursor) ?? false;
}

function maybeAlert(m) {
  const cue = cueOf(m.cue, m.team_id);
  if (Date.now() - m.created_at > cue.ttl_seconds * 1000) return;
  if (m.acks?.some((a) => a.user_id === S.me.id)) return;
  S.lastCue = { message: m, at: Date.now() };
  emit('alert', m);
}

// --- actions --------------------------------------------------------------------------------------
export async function loadHistory(channelId) {
  const page = await api('GET', `/channels/${channelId}/messages?limit=50`);
  await messagesOf(channelId);
  for (const m of page.messages) upsertMessage(m);
  save();
  emit('messages', channelId);
}

const readTimers = new Map();
export function markRead(channelId) {
  clearTimeout(readTimers.get(channelId));
  readTimers.set(channelId, setTimeout(async () => {
    const list = cachedMessages(channelId);
    const ch = channel(channelId);
    const last = list.at(-1)?.cursor || 0;
    if (!ch || !online()) return;
    if (ch.unread) { ch.unread = 0; emit('channels'); save(); }
    if (last > (ch.last_read || 0)) {
      ch.last_read = last;
      await api('POST', `/channels/${channelId}/read`, { cursor: last }).catch(() => {});
    }
  }, 400));
}

export function sendText(channelId, text) {
  return outbox.enqueue({ client_id: uuid(), channel_id: channelId, kind: 'text', text, created_at: Date.now(), ttl: 0 });
}

export function sendCue(channelId, cue) {
  return outbox.enqueue({
    client_id: uuid(), channel_id: channelId, kind: 'cue', cue: cue.code, created_at: Date.now(), ttl: cue.ttl_seconds,
  });
}

// "Got it": sent now, or queued in the outbox when offline (an ack is idempotent on the server).
export async function ack(m) {
  let done;
  try {
    done = await api('POST', `/messages/${m.id}/ack`);
  } catch (ex) {
    if (ex.status !== 0) throw ex;
    await outbox.enqueueAck(m);
    done = { message_id: m.id, channel_id: m.channel_id, user_id: S.me.id, at: Date.now() };
  }
  await acked(done);
}

async function acked(done) {
  if (!done) return;
  const list = await messagesOf(done.channel_id);
  const stored = list.find((x) => x.id === done.message_id);
  if (stored) stored.acks = mergeAcks(stored.acks, [{ user_id: done.user_id, at: done.at }]);
  dirty.add(done.channel_id);
  save();
  emit('messages', done.channel_id);
}
outbox.hooks.acked = acked;

outbox.hooks.sent = async (m) => {
  if (!m) return;
  await messagesOf(m.channel_id);
  if (upsertMessage(m)) {
    save();
    emit('messages', m.channel_id);
  }
};
outbox.hooks.changed = () => emit('outbox');
outbox.hooks.unauthenticated = () => emit('unauthenticated');
