// The app's state as plain data, the lookups over it, and how it changes: one reducer per server event type (the
// `handlers` table) and per local action. A reducer changes the state it is given and returns a Change (topics to
// announce, message lists to persist, effects to run); store.js commits it. No DOM, no I/O: Node tests this.

import { GO, ASKED, NOT_NOW } from './meeting.js';

import { sourceChanged, intelChanged } from './sources.js';

export const KEEP = 150; // messages kept per channel on the device (the open channel keeps older pages in memory)
export const LEAD = new Set(['owner', 'lead']);

/** @returns {State} */
export const createState = () => ({
  me: null, teams: [], teamId: null, team: {}, cursor: null, prefs: { level: 'hidden' }, lastCue: null,
  lastChannel: null, live: 'offline', viewing: [], back: [], replaying: false, neutral: false, messages: new Map(),
  meetings: {}, escalations: {},
});

// --- lookups --------------------------------------------------------------------------------------
/** @param {State} s @param {number | null} [id] */
export const teamOf = (s, id = s.teamId) => (s.team[id ?? -1] ||= { channels: [], cues: [], members: [] });
/** @param {State} s @param {number | null} [id] */
export const isLeadIn = (s, id = s.teamId) => LEAD.has(s.teams.find((t) => t.id === id)?.role || '');

/** @param {State} s @param {number} id */
export function channelOf(s, id) {
  for (const t of Object.values(s.team)) {
    const hit = t.channels.find((c) => c.id === id);
    if (hit) return hit;
  }
  return null;
}
/** Whether I have been taken out of the channel. Not while the socket replays what this device missed: an old event
 * lists the channel's members before I joined, and the team is read again once the replay ends.
 * @param {State} s @param {number} id */
export const leftChannelIn = (s, id) => !s.replaying && !channelOf(s, id);

/** @param {State} s @param {number} id */
function forgetHistory(s, id) {
  s.messages.set(id, []);
  if (s.lastCue?.message.channel_id === id) s.lastCue = null;
}

/** I am out of these channels (taken out, the group deleted, out of the team): nothing of them stays on this
 * device, on screen or in IndexedDB. @param {State} s @param {number} teamId @param {number[]} ids @param {Change} c */
function leaveChannels(s, teamId, ids, c) {
  const t = teamOf(s, teamId);
  t.channels = t.channels.filter((x) => !ids.includes(x.id));
  for (const id of ids) { forgetHistory(s, id); c.touch(id); }
  return c;
}

/** @param {State} s @param {number} teamId @param {Change} c */
function leaveTeam(s, teamId, c) {
  leaveChannels(s, teamId, (s.team[teamId]?.channels || []).map((x) => x.id), c);
  delete s.team[teamId];
  for (const m of Object.values(s.meetings)) if (m.team_id === teamId) delete s.meetings[m.id];
  return c;
}

/** @param {State} s @param {number} userId @param {number | null} [teamId] */
export function nameOf(s, userId, teamId) {
  if (userId === s.me?.id) return 'You';
  return teamOf(s, teamId).members.find((m) => m.user_id === userId)?.display_name || (s.contact ? 'Your earlier contact' : 'A teammate');
}

/** @param {State} s @param {Channel | null} ch */
export function titleOf(s, ch) {
  if (!ch) return 'Channel';
  if (ch.kind !== 'direct') return ch.name;
  const other = ch.member_ids.find((id) => id !== s.me?.id);
  return other ? nameOf(s, other, ch.team_id) : 'Just you';
}

/** @param {State} s @param {string} code @param {number | null} [teamId] @returns {Cue} */
export function cueIn(s, code, teamId) {
  return teamOf(s, teamId).cues.find((c) => c.code === code)
    || { code, label: code.replace(/_/g, ' '), rhythm: [200], urgency: 'normal', ttl_seconds: 120 };
}

/** Has anyone else in the channel got this message on a device? @param {State} s @param {Message} m @param {Channel} ch */
export const deliveredTo = (s, m, ch) =>
  (channelOf(s, ch.id) || ch).receipts?.some((r) => r.user_id !== s.me?.id && r.delivered >= m.cursor) ?? false;

// --- changes --------------------------------------------------------------------------------------
export class Change {
  /** @type {[string, any][]} */ emits = [];
  /** @type {Set<number>} */ touched = new Set();
  /** @type {[Effect, any][]} */ effects = [];
  /** @param {string} topic @param {any} [arg] */
  emit(topic, arg) { this.emits.push([topic, arg]); return this; }
  /** @param {number} channelId whose message list changed */
  touch(channelId) { this.touched.add(channelId); return this; }
  /** @param {Effect} effect @param {any} [arg] */
  want(effect, arg) { this.effects.push([effect, arg]); return this; }
}

/** @param {Ack[]} [a] @param {Ack[]} [b] */
function mergeAcks(a = [], b = []) {
  const out = [...a];
  for (const ack of b) if (!out.some((x) => x.user_id === ack.user_id)) out.push(ack);
  return out;
}

/** Stores a message (once per id); true if it is new here. @param {State} s @param {Message} m @param {Change} c */
function upsert(s, m, c) {
  const list = s.messages.get(m.channel_id) || [];
  const at = list.findIndex((x) => x.id === m.id);
  if (at >= 0) list[at] = { ...m, acks: mergeAcks(list[at].acks, m.acks) };
  else list.push(m);
  // Sorted after an update too: it puts right a copy cached while events carried no cursor.
  list.sort((a, b) => a.cursor - b.cursor);
  // A channel keeps its newest KEEP. The open one keeps more: the older pages scrolled back to, and what comes in
  // live while it is read; not what a replay brings into one not scrolled back: a first login replays the whole
  // history from cursor 0, and a channel opened during that replay kept all the rest of it.
  const id = m.channel_id;
  const beyond = s.viewing.includes(id) && (s.back.includes(id) || !s.replaying);
  if (list.length > KEEP && !beyond) list.splice(0, list.length - KEEP);
  s.messages.set(m.channel_id, list);
  c.touch(m.channel_id);
  return at < 0;
}

/** @param {State} s @param {AckDone} d @param {Change} c */
function addAck(s, d, c) {
  const m = s.messages.get(d.channel_id)?.find((x) => x.id === d.message_id);
  if (m) m.acks = mergeAcks(m.acks, [{ user_id: d.user_id, at: d.at }]);
  return c.touch(d.channel_id).emit('messages', d.channel_id);
}

/** An incoming cue asks for attention while fresh and unanswered. @param {State} s @param {Message} m @param {number} now @param {Change} c */
function alertIfDue(s, m, now, c) {
  const cue = cueIn(s, m.cue || '', m.team_id);
  if (now - m.created_at > cue.ttl_seconds * 1000 || m.acks?.some((a) => a.user_id === s.me?.id)) return;
  s.lastCue = { message: m, at: now };
  c.emit('alert', m);
}

// One reducer per event type the server stores (GET /api/events lists them; a test holds this table to it).
// store/sync.js has loaded the message list of data.channel_id first.
/** @type {EventReducers} */
export const handlers = {
  message(s, d, ev, env) {
    const c = new Change();
    const fresh = upsert(s, d, c);
    if (d.sender_id === s.me?.id) {
      c.want('settled', d.client_id); // the outbox's copy goes
    } else if (fresh) {
      const ch = channelOf(s, d.channel_id);
      const looking = s.viewing.includes(d.channel_id) && env.visible;
      if (ch && !looking && !s.replaying) ch.unread += 1;
      if (looking) c.want('markRead', d.channel_id);
      if (d.kind === 'cue') alertIfDue(s, d, env.now, c);
    }
    return c.emit('messages', d.channel_id).emit('channels');
  },
  ack(s, d) {
    const c = new Change();
    if (s.messages.get(d.channel_id)?.some((x) => x.id === d.message_id)) addAck(s, d, c);
    return d.user_id === s.me?.id ? c.emit('acked', d.message_id) : c; // e.g. "Got it" from a notification
  },
  contact: (s, d) => (d.user_id === s.me?.id ? contactLoaded(s, d) : new Change()), // a guest's handler changed
  // The owner deleted the channel's history: forget it here too, on screen and in IndexedDB.
  history_cleared(s, d) {
    forgetHistory(s, d.channel_id);
    const ch = channelOf(s, d.channel_id);
    if (ch) ch.unread = 0;
    return new Change().touch(d.channel_id).emit('messages', d.channel_id).emit('channels').emit('history_cleared', d.channel_id);
  },
  channel(s, d, ev) {
    const t = teamOf(s, ev.team_id);
    const at = t.channels.findIndex((c) => c.id === d.id);
    if (!d.member_ids.includes(s.me?.id)) {
      if (at >= 0) return leaveChannels(s, ev.team_id, [d.id], new Change()).emit('channels');
    } else if (at >= 0) {
      Object.assign(t.channels[at], d);
    } else {
      t.channels.push({ ...d, unread: 0, last_read: 0 });
    }
    return new Change().emit('channels');
  },
  channel_removed(s, d, ev) {
    if (d.user_id !== s.me?.id) return new Change();
    return leaveChannels(s, ev.team_id, [d.channel_id], new Change()).emit('channels'); // out of it, or it was deleted
  },
  member(s, d, ev) {
    const c = new Change();
    const t = teamOf(s, ev.team_id);
    const at = t.members.findIndex((m) => m.user_id === d.user_id);
    if (at >= 0) t.members[at] = d;
    else t.members.push(d);
    if (d.user_id === s.me?.id) {
      const summary = s.teams.find((x) => x.id === ev.team_id);
      if (summary) summary.role = d.role;
      else if (!s.replaying) c.want('refreshAll'); // added to a team this device does not know yet
    }
    return c.emit('team').emit('teams');
  },
  member_removed(s, d, ev) {
    if (s.teams.some((t) => t.id === ev.team_id)) {
      const t = teamOf(s, ev.team_id);
      t.members = t.members.filter((m) => m.user_id !== d.user_id);
    }
    return new Change().emit('team');
  },
  team_removed(s, d, ev) {
    const c = new Change();
    if (d.user_id !== s.me?.id) return c;
    const was = s.teams.find((t) => t.id === ev.team_id); // not a team left long ago (a new device replays all)
    s.teams = s.teams.filter((t) => t.id !== ev.team_id);
    if (was) c.emit('removed', was.name);
    leaveTeam(s, ev.team_id, c);
    if (s.teamId === ev.team_id) s.teamId = s.teams[0]?.id ?? null;
    return c.emit('teams').emit('channels');
  },
  cues(s, d, ev) {
    teamOf(s, ev.team_id).cues = d.cues;
    return new Change().emit('cues');
  },
  // Its sender recalled a mis-tapped cue: it stops asking here, and history shows it as recalled.
  message_recalled(s, d) {
    const m = s.messages.get(d.channel_id)?.find((x) => x.id === d.message_id);
    if (m) m.recalled_at = d.at;
    const last = s.lastCue?.message;
    if (last && last.id === d.message_id) last.recalled_at = d.at;
    return new Change().touch(d.channel_id).emit('messages', d.channel_id).emit('recalled', d.message_id);
  },
  // A meeting's whole state, the newest kept. Live (never replayed): the granted phone buzzes "go", a lead's a
  // knock for a request; "not now" when mine is declined or the floor taken (by a grant too).
  meeting(s, d) {
    const had = s.meetings[d.id]?.floor?.user_id === s.me?.id;
    const c = meetingLoaded(s, d);
    const { what, user_id: whom, actor_id: actor } = d.change;
    if (s.replaying || d.state !== 'live' || actor === s.me?.id && what !== 'granted') return c;
    if (what === 'granted' && whom === s.me?.id) c.want('buzz', GO).emit('floor', d);
    else if (what === 'declined' && whom === s.me?.id || (what === 'taken' || what === 'granted') && had && d.floor?.user_id !== s.me?.id) {
      c.want('buzz', NOT_NOW).emit('floor_lost', what === 'declined' ? 'The lead declined your request for the floor.' : 'The lead took the floor back.');
    } else if (what === 'requested' && isLeadIn(s, d.team_id)) c.want('buzz', ASKED);
    return c;
  },
  meeting_deleted(s, d) {
    delete s.meetings[d.meeting_id];
    return new Change().emit('meetings', d.meeting_id);
  },
  source: sourceChanged, // sources and the intel log (store/sources.js)
  intel: intelChanged,
  // An urgent cue insists: it buzzes and shows again on the phones that have not answered it (live only).
  escalation(s, d, ev, env) {
    s.escalations[d.message_id] = d;
    const c = new Change().emit('messages', d.channel_id).emit('insist', d.message_id);
    const m = s.messages.get(d.channel_id)?.find((x) => x.id === d.message_id);
    if (m && d.state === 'active' && !s.replaying && d.pending.includes(s.me?.id) && !m.acks?.some((a) => a.user_id === s.me?.id)) {
      s.lastCue = { message: m, at: env.now };
      c.emit('alert', m);
    }
    return c;
  },
};

/** A meeting's state from the server (an event or an answer). @param {State} s @param {Meeting} m */
export function meetingLoaded(s, m) {
  s.meetings[m.id] = m;
  return new Change().emit('meetings', m.id);
}

/** A team's meetings, as listed: those gone from the list are gone. @param {State} s @param {number} teamId @param {Meeting[]} list */
export function meetingsLoaded(s, teamId, list) {
  for (const m of Object.values(s.meetings)) if (m.team_id === teamId) delete s.meetings[m.id];
  for (const m of list) s.meetings[m.id] = m;
  return new Change().emit('meetings');
}

/** My "stop buzzing" is stored. @param {State} s @param {Escalation} e */
export function escalationSaved(s, e) {
  s.escalations[e.message_id] = e;
  return new Change().emit('messages', e.channel_id).emit('insist', e.message_id);
}

// --- local actions ------------------------------------------------------------------------------------
/** The server answered a send. @param {State} s @param {Message} m */
export function messageSent(s, m) {
  const c = new Change();
  return upsert(s, m, c) ? c.emit('messages', m.channel_id) : c;
}

/** My "got it" is stored (or queued). @param {State} s @param {AckDone} d */
export const ackSaved = (s, d) => addAck(s, d, new Change());

/** @param {State} s @param {number} channelId @param {Message[]} page @param {boolean} [older] scrolled back to */
export function historyLoaded(s, channelId, page, older = false) {
  const c = new Change();
  if (older && s.viewing.includes(channelId) && !s.back.includes(channelId)) s.back.push(channelId);
  for (const m of page) upsert(s, m, c);
  return c.emit('messages', channelId);
}

/** A teammate's device has every event of the channel up to `through`: their receipt rises. @param {State} s @param {DeliveredFrame} d */
export function receiptDelivered(s, d) {
  const c = new Change();
  for (const t of Object.values(s.team)) {
    for (const ch of t.channels) {
      if (ch.id !== d.channel_id || !ch.member_ids.includes(d.user_id)) continue;
      const receipts = (ch.receipts ||= []);
      const r = receipts.find((x) => x.user_id === d.user_id);
      if (r && r.delivered >= d.through && (d.read ?? 0) <= r.read) continue;
      if (r) r.delivered = Math.max(r.delivered, d.through);
      if (r && d.read) r.read = Math.max(r.read, d.read); // they read the channel: read receipts
      if (!r) receipts.push({ user_id: d.user_id, delivered: d.through, read: d.read ?? 0 });
      c.emit('messages', ch.id);
    }
  }
  return c;
}

/** A guest's one conversation (docs/sources.md: GET /api/contact, the `contact` event). A guest has no team: the
 * conversation is kept as a channel of team 0 named after the handler, whose earlier handlers keep their names. Its
 * kind is 'contact', never 'source': no team-side tool (intel) applies to it.
 * @param {State} s @param {Contact} d */
export function contactLoaded(s, d) {
  const t = teamOf(s, 0);
  const had = t.channels.find((x) => x.id === d.channel_id);
  // An event's has no session_id; on a handover the source is told who answered before.
  const before = s.contact && s.contact.handler_id !== d.handler_id ? s.contact.handler_name : s.contact?.handed_from;
  s.contact = { ...s.contact, ...d, handed_from: before };
  t.channels = [{ unread: 0, last_read: 0, ...had, id: d.channel_id, team_id: 0, kind: 'contact', name: d.handler_name, member_ids: [d.user_id, d.handler_id] }];
  t.members = [...t.members.filter((m) => m.user_id !== d.handler_id), { user_id: d.handler_id, username: '', display_name: d.handler_name, role: '' }];
  return new Change().emit('contact').emit('channels');
}
export const contactForgotten = (/** @type {State} */ s) => { s.contact = null; return new Change(); };

/** GET /api/me answered. @param {State} s @param {{user: User, teams: TeamSummary[]}} me */
export function meLoaded(s, me) {
  s.me = me.user;
  s.teams = me.teams;
  const c = new Change();
  for (const id of Object.keys(s.team)) if (!s.teams.some((t) => t.id === +id)) leaveTeam(s, +id, c);
  if (!s.teams.some((t) => t.id === s.teamId)) s.teamId = s.teams[0]?.id ?? null;
  return c.emit('teams');
}

/** @param {State} s @param {number} id @param {{name: string, role: string, members: Member[]}} info @param {Channel[]} channels @param {Cue[]} cues */
export function teamLoaded(s, id, info, channels, cues) {
  const c = new Change();
  const gone = teamOf(s, id).channels.filter((x) => !channels.some((y) => y.id === x.id)).map((x) => x.id);
  leaveChannels(s, id, gone, c); // left while this device heard nothing of it
  Object.assign(teamOf(s, id), { members: info.members, channels, cues });
  const summary = s.teams.find((t) => t.id === id);
  if (summary) Object.assign(summary, { name: info.name, role: info.role });
  return c.emit('teams').emit('channels').emit('cues');
}

/** @param {State} s @param {number} teamId @param {Cue[]} cues */
export function cuesSaved(s, teamId, cues) {
  teamOf(s, teamId).cues = cues;
  return new Change().emit('cues');
}

/** I have read the channel up to `cursor`. @param {State} s @param {number} id @param {number} cursor */
export function channelRead(s, id, cursor) {
  const c = new Change();
  const ch = channelOf(s, id);
  if (ch?.unread) { ch.unread = 0; c.emit('channels'); }
  if (ch) ch.last_read = Math.max(ch.last_read || 0, cursor);
  return c;
}

// Plain settings of the state: each a named action, so no screen writes the state itself.
/** @template {keyof State} K @param {K} key @returns {(s: State, value: State[K]) => Change} */
const setter = (key) => (s, value) => { s[key] = value; return new Change(); };
export const signedIn = setter('me');
export const teamChosen = setter('teamId');
export const channelVisited = setter('lastChannel'); // the last channel opened, for table mode
export const neutralSet = setter('neutral'); // table mode's clock over the pad: an incoming cue lights nothing
export const replaying = setter('replaying'); // the socket replays what this device missed
/** @param {State} s @param {string} state 'live' | 'connecting' | 'offline' | 'elsewhere' */
export const liveChanged = (s, state) => setter('live')(s, state).emit('live');
/** @param {State} s @param {string} level */
export const pushLevelSet = (s, level) => { s.prefs.level = level; return new Change(); };

/** @param {State} s @param {number} id */
export function channelOpened(s, id) {
  const ch = channelOf(s, id);
  if (ch) s.teamId = ch.team_id;
  if (!s.viewing.includes(id)) s.viewing.push(id);
  return new Change();
}

/** @param {State} s @param {number} id */
export const channelClosed = (s, id) => {
  s.viewing = s.viewing.filter((x) => x !== id);
  s.back = s.back.filter((x) => x !== id);
  return new Change();
};

/** The server's position, or an event's, is applied. @param {State} s @param {number} cursor */
export const reached = (s, cursor) => { s.cursor = Math.max(s.cursor || 0, cursor); return new Change(); };

/** Nothing of the session stays in memory. @param {State} s */
export function wiped(s) {
  s.messages.clear();
  Object.assign(s, { me: null, teams: [], teamId: null, team: {}, cursor: null, lastCue: null, live: 'offline', meetings: {}, escalations: {} });
  return new Change();
}
