// How the app's state changes (pwa/js/store/reduce.js): each server event type through its reducer, and the
// local actions. The reducers are pure: a state goes in, the same state changed and a Change (topics to announce,
// message lists to save, effects to run) come out; no DOM, no IndexedDB.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as reduce from '../../pwa/js/store/reduce.js';

const ME = 1;
const OTHER = 2;
const NOW = 1_700_000_000_000;
const env = (visible = true) => ({ visible, now: NOW });
let s;

const ev = (type, data, cursor = 10) => ({ type, cursor, team_id: 5, channel_id: data.channel_id ?? null, data });
const msg = (id, extra = {}) => ({
  id, cursor: id * 10, team_id: 5, channel_id: 3, sender_id: OTHER, client_id: `c-${id}`, kind: 'text', text: `t${id}`,
  created_at: NOW, acks: [], ...extra,
});
const apply = (type, data, e = env()) => reduce.handlers[type](s, data, ev(type, data), e);
const topics = (c) => c.emits.map(([t]) => t);
const everyone = () => s.team[5].channels[0];

beforeEach(() => {
  s = reduce.createState();
  s.me = { id: ME, username: 'me', display_name: 'Me' };
  s.teams = [{ id: 5, name: 'Acme', role: 'member' }];
  s.teamId = 5;
  s.team[5] = {
    channels: [{ id: 3, team_id: 5, kind: 'everyone', name: 'Everyone', member_ids: [ME, OTHER], unread: 0, last_read: 0 }],
    cues: [{ code: 'wrap_up', label: 'Wrap up', rhythm: [200], urgency: 'high', ttl_seconds: 60 }],
    members: [{ user_id: OTHER, username: 'marc', display_name: 'Marc', role: 'member' }],
  };
});

test('the handler table has one reducer per stored event type of the catalogue', () => {
  assert.deepEqual(Object.keys(reduce.handlers).sort(), [
    'ack', 'channel', 'channel_removed', 'contact', 'cues', 'escalation', 'history_cleared', 'meeting', 'meeting_deleted', 'member',
    'member_removed', 'message', 'message_recalled', 'team_removed',
    'intel', 'source', // the team's side of sources (store/sources.js)
  ].sort());
});

test("a teammate's message in a channel I am not looking at counts as unread and is saved", () => {
  const c = apply('message', msg(1));
  assert.deepEqual(s.messages.get(3).map((m) => m.id), [1]);
  assert.equal(everyone().unread, 1);
  assert.deepEqual([...c.touched], [3]);
  assert.deepEqual(topics(c), ['messages', 'channels']);
  assert.deepEqual(c.effects, []);
});

test('a message in the channel on screen is marked read instead; one replayed on reconnect is not unread', () => {
  s.viewing = [3];
  assert.deepEqual(apply('message', msg(1)).effects, [['markRead', 3]]);
  assert.equal(everyone().unread, 0);
  s.viewing = [];
  s.replaying = true;
  apply('message', msg(2));
  assert.equal(everyone().unread, 0);
});

test('a message on screen in a hidden tab is unread', () => {
  s.viewing = [3];
  assert.deepEqual(apply('message', msg(1), env(false)).effects, []);
  assert.equal(everyone().unread, 1);
});

test('my own message settles its outbox copy and is never unread', () => {
  const c = apply('message', msg(1, { sender_id: ME, client_id: 'mine' }));
  assert.deepEqual(c.effects, [['settled', 'mine']]);
  assert.equal(everyone().unread, 0);
});

test('the same message twice is stored once, its acks merged, and counted once', () => {
  apply('message', msg(1, { acks: [{ user_id: 3, at: 1 }] }));
  apply('message', msg(1, { acks: [{ user_id: 4, at: 2 }] }));
  assert.deepEqual(s.messages.get(3)[0].acks.map((a) => a.user_id), [3, 4]);
  assert.equal(everyone().unread, 1);
});

test('messages stay in cursor order, and only the newest 150 are kept', () => {
  apply('message', msg(2));
  apply('message', msg(1));
  assert.deepEqual(s.messages.get(3).map((m) => m.id), [1, 2]);
  for (let id = 3; id <= 160; id += 1) apply('message', msg(id));
  const kept = s.messages.get(3);
  assert.equal(kept.length, 150);
  assert.equal(kept[0].id, 11);
});

test('a fresh cue to me alerts and becomes the last cue; an expired or answered one does not', () => {
  const c = apply('message', msg(1, { kind: 'cue', cue: 'wrap_up', text: null }));
  assert.deepEqual(topics(c), ['alert', 'messages', 'channels']);
  assert.equal(s.lastCue.message.id, 1);
  const old = apply('message', msg(2, { kind: 'cue', cue: 'wrap_up', created_at: NOW - 61_000 }));
  const answered = apply('message', msg(3, { kind: 'cue', cue: 'wrap_up', acks: [{ user_id: ME, at: NOW }] }));
  assert.ok(!topics(old).includes('alert') && !topics(answered).includes('alert'));
});

test('an ack adds its person to the message once; my own ack also says "acked"', () => {
  apply('message', msg(1));
  const theirs = apply('ack', { channel_id: 3, message_id: 1, user_id: OTHER, at: 5 });
  apply('ack', { channel_id: 3, message_id: 1, user_id: OTHER, at: 6 });
  assert.deepEqual(s.messages.get(3)[0].acks, [{ user_id: OTHER, at: 5 }]);
  assert.deepEqual(topics(theirs), ['messages']);
  const mine = apply('ack', { channel_id: 3, message_id: 1, user_id: ME, at: 7 });
  assert.deepEqual(mine.emits.at(-1), ['acked', 1]);
});

test('cleared history is forgotten: messages, unread count and the last cue', () => {
  apply('message', msg(1, { kind: 'cue', cue: 'wrap_up' }));
  const c = apply('history_cleared', { channel_id: 3, deleted: 1 });
  assert.deepEqual(s.messages.get(3), []);
  assert.equal(everyone().unread, 0);
  assert.equal(s.lastCue, null);
  assert.deepEqual([...c.touched], [3]);
  assert.deepEqual(topics(c), ['messages', 'channels', 'history_cleared']);
});

test('a channel event adds a channel I am in, updates it, and drops it when I am no longer in it', () => {
  const group = { id: 4, team_id: 5, kind: 'group', name: 'Pricing', member_ids: [ME, OTHER] };
  apply('channel', group);
  assert.deepEqual(s.team[5].channels[1], { ...group, unread: 0, last_read: 0 });
  apply('channel', { ...group, name: 'Price' });
  assert.equal(s.team[5].channels[1].name, 'Price');
  apply('channel', { ...group, member_ids: [OTHER] });
  assert.equal(s.team[5].channels.length, 1);
  apply('channel', { id: 6, team_id: 5, kind: 'group', name: 'Not mine', member_ids: [OTHER] });
  assert.equal(s.team[5].channels.length, 1);
});

test('a replayed event from before I joined hides the channel for a moment, but I have not left it until the replay ends', () => {
  s.replaying = true;
  apply('channel', { ...everyone(), member_ids: [OTHER] }); // Everyone as it was before I joined
  assert.equal(reduce.leftChannelIn(s, 3), false);
  s.replaying = false;
  assert.equal(reduce.leftChannelIn(s, 3), true); // (the team is read again here, which brings it back)
});

test('channel_removed drops the channel only when it is me who was removed', () => {
  apply('channel_removed', { channel_id: 3, user_id: OTHER });
  assert.equal(s.team[5].channels.length, 1);
  assert.deepEqual(topics(apply('channel_removed', { channel_id: 3, user_id: ME })), ['channels']);
  assert.equal(s.team[5].channels.length, 0);
});

test("taken out of a channel (or it was deleted), its history and last cue leave the device", () => {
  apply('message', msg(1, { kind: 'cue', cue: 'wrap_up' }));
  apply('channel_removed', { channel_id: 3, user_id: OTHER });
  assert.deepEqual(s.messages.get(3).map((m) => m.id), [1]);
  assert.notEqual(s.lastCue, null);
  const c = apply('channel_removed', { channel_id: 3, user_id: ME });
  assert.deepEqual(s.messages.get(3), []);
  assert.equal(s.lastCue, null);
  assert.deepEqual([...c.touched], [3]);
});

test('a member event updates the list and my role; added to a team I do not know, the app refreshes', () => {
  apply('member', { user_id: OTHER, username: 'marc', display_name: 'Marc', role: 'lead' });
  assert.equal(s.team[5].members[0].role, 'lead');
  apply('member', { user_id: ME, username: 'me', display_name: 'Me', role: 'lead' });
  assert.equal(s.teams[0].role, 'lead');
  assert.equal(reduce.isLeadIn(s), true);
  const c = reduce.handlers.member(s, { user_id: ME, role: 'member' }, { ...ev('member', {}), team_id: 9 }, env());
  assert.deepEqual(c.effects, [['refreshAll', undefined]]);
});

test('member_removed drops a teammate from a team I am in', () => {
  apply('member_removed', { user_id: OTHER });
  assert.deepEqual(s.team[5].members, []);
});

test('team_removed of me forgets the team, tells me, and chooses another', () => {
  s.teams.push({ id: 8, name: 'Beta', role: 'owner' });
  assert.deepEqual(topics(apply('team_removed', { user_id: OTHER })), []);
  const c = apply('team_removed', { user_id: ME });
  assert.deepEqual(c.emits[0], ['removed', 'Acme']);
  assert.equal(s.team[5], undefined);
  assert.deepEqual([s.teamId, s.teams.map((t) => t.id)], [8, [8]]);
});

test("out of a team, a channel, or a team's list: that history leaves the device (screen and IndexedDB)", () => {
  apply('message', msg(1));
  const c = apply('team_removed', { user_id: ME });
  assert.deepEqual([s.messages.get(3), [...c.touched]], [[], [3]]);

  s.teams = [{ id: 5, name: 'Acme', role: 'member' }];
  s.team[5] = { channels: [{ id: 3, team_id: 5, kind: 'group', name: 'G', member_ids: [ME, OTHER], unread: 0, last_read: 0 }], cues: [], members: [] };
  apply('message', msg(2));
  const out = apply('channel', { ...everyone(), member_ids: [OTHER] });
  assert.deepEqual([s.messages.get(3), [...out.touched], s.team[5].channels], [[], [3], []]);

  s.team[5].channels.push({ id: 3, team_id: 5, kind: 'group', name: 'G', member_ids: [ME], unread: 0, last_read: 0 });
  apply('message', msg(3));
  const loaded = reduce.teamLoaded(s, 5, { name: 'Acme', role: 'member', members: [] }, [], []);
  assert.deepEqual([s.messages.get(3), [...loaded.touched]], [[], [3]]);
});

test('a cues event replaces the team cue set', () => {
  const cues = [{ code: 'slow', label: 'Slow down', rhythm: [100], urgency: 'normal', ttl_seconds: 30 }];
  assert.deepEqual(topics(apply('cues', { cues })), ['cues']);
  assert.equal(reduce.cueIn(s, 'slow').label, 'Slow down');
  assert.equal(reduce.cueIn(s, 'not_there').label, 'not there');
});

test('a delivered receipt rises once per teammate and channel, and marks my message delivered', () => {
  const mine = msg(1, { sender_id: ME });
  reduce.messageSent(s, mine);
  assert.equal(reduce.deliveredTo(s, mine, everyone()), false);
  const c = reduce.receiptDelivered(s, { type: 'delivered', user_id: OTHER, channel_id: 3, through: 10 });
  assert.deepEqual(topics(c), ['messages']);
  assert.equal(reduce.deliveredTo(s, mine, everyone()), true);
  assert.deepEqual(topics(reduce.receiptDelivered(s, { type: 'delivered', user_id: OTHER, channel_id: 3, through: 9 })), []);
});

test('sent messages and loaded history are stored once; a sent copy the socket brought first says nothing new', () => {
  assert.deepEqual(topics(reduce.messageSent(s, msg(1))), ['messages']);
  assert.deepEqual(topics(reduce.messageSent(s, msg(1))), []);
  reduce.historyLoaded(s, 3, [msg(2), msg(1)]);
  assert.deepEqual(s.messages.get(3).map((m) => m.id), [1, 2]);
});

test('a channel opened during a first replay keeps only the newest KEEP; pages scrolled back to and live news stay', () => {
  const ids = () => s.messages.get(3).map((m) => m.id);
  const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  s.replaying = true; // a first login: the socket replays the whole history from cursor 0
  for (const i of range(1, 145)) apply('message', msg(i));
  reduce.channelOpened(s, 3); // opened halfway: its newest page comes, then the replay goes on
  reduce.historyLoaded(s, 3, range(151, 200).map((i) => msg(i)));
  for (const i of range(146, 200)) apply('message', msg(i));
  assert.deepEqual(ids(), range(51, 200));
  s.replaying = false;
  reduce.historyLoaded(s, 3, range(1, 50).map((i) => msg(i)), true); // scrolled back: kept while open
  s.replaying = true; // a reconnect's replay
  apply('message', msg(201));
  s.replaying = false;
  apply('message', msg(202));
  assert.deepEqual(ids(), range(1, 202));
  reduce.channelClosed(s, 3);
  apply('message', msg(203));
  assert.deepEqual(ids(), range(54, 203));
});

test('reading a channel clears its unread count and never lowers how far I have read', () => {
  everyone().unread = 2;
  assert.deepEqual(topics(reduce.channelRead(s, 3, 40)), ['channels']);
  reduce.channelRead(s, 3, 20);
  assert.deepEqual([everyone().unread, everyone().last_read], [0, 40]);
});

test('my teams from /api/me: teams I left are forgotten, and the chosen team stays valid', () => {
  s.team[8] = { channels: [], cues: [], members: [] };
  s.teamId = 8;
  reduce.meLoaded(s, { user: s.me, teams: [{ id: 5, name: 'Acme', role: 'owner' }] });
  assert.deepEqual(Object.keys(s.team), ['5']);
  assert.equal(s.teamId, 5);
});

test('opening a channel chooses its team; channels open side by side are each on screen until closed', () => {
  s.team[5].channels.push({ ...everyone(), id: 4, kind: 'leads', name: 'Leads' });
  s.teamId = null;
  reduce.channelOpened(s, 3);
  assert.deepEqual([s.teamId, s.viewing], [5, [3]]);
  reduce.channelOpened(s, 4);
  reduce.channelOpened(s, 3);
  assert.deepEqual(s.viewing, [3, 4]);
  reduce.channelClosed(s, 4);
  assert.deepEqual(s.viewing, [3]);
  reduce.channelClosed(s, 3);
  assert.deepEqual(s.viewing, []);
});

test('a message in either of two channels side by side is read at once, not unread', () => {
  s.team[5].channels.push({ ...everyone(), id: 4, kind: 'leads', name: 'Leads' });
  s.viewing = [3, 4];
  assert.deepEqual(apply('message', msg(1)).effects, [['markRead', 3]]);
  assert.deepEqual(apply('message', msg(2, { channel_id: 4 })).effects, [['markRead', 4]]);
  assert.deepEqual(s.team[5].channels.map((c) => c.unread), [0, 0]);
});

test('names: me as "You", a direct channel by the other person, an unknown sender as "A teammate"', () => {
  assert.equal(reduce.nameOf(s, ME), 'You');
  assert.equal(reduce.nameOf(s, 99), 'A teammate');
  assert.equal(reduce.titleOf(s, { id: 7, team_id: 5, kind: 'direct', name: '', member_ids: [ME, OTHER], unread: 0, last_read: 0 }), 'Marc');
});

test('the cursor only moves forward; wiping leaves nothing of the session', () => {
  reduce.reached(s, 30);
  reduce.reached(s, 20);
  assert.equal(s.cursor, 30);
  apply('message', msg(1));
  reduce.wiped(s);
  assert.deepEqual([s.me, s.teams, s.team, s.cursor, s.messages.size], [null, [], {}, null, 0]);
});

test('a recalled cue is marked in history and stops asking', () => {
  apply('message', { ...msg(1), kind: 'cue', cue: 'wrap_up', text: null });
  const c = apply('message_recalled', { message_id: 1, channel_id: 3, at: 5 });
  assert.equal(s.messages.get(3)[0].recalled_at, 5);
  assert.ok(topics(c).includes('recalled'));
});
