// Meeting mode's pure rules (pwa/js/store/meeting.js) and its reducers (pwa/js/store/reduce.js): the words a person
// reads (the floor line, "2nd buzz", waited times, the debrief's "+03:12"), the observer's pad, and which frames
// buzz: the granted phone's "go", a lead's knock for a request, an urgent cue insisting; never a replayed one.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as meeting from '../../pwa/js/store/meeting.js';
import * as reduce from '../../pwa/js/store/reduce.js';

const ME = 1, SAM = 2, LEE = 3, NOW = 1_700_000_000_000;
const names = { [ME]: 'You', [SAM]: 'Sam', [LEE]: 'Lee' };
const name = (id) => names[id];
const live = (extra = {}) => ({
  id: 7, team_id: 5, channel_id: 3, title: 'Pricing', counterpart: 'Acme', planned_at: null, state: 'live', created_by: SAM,
  created_at: NOW, started_at: NOW, ended_at: null, seats: [], queue: [], floor: null,
  change: { what: 'started', actor_id: SAM, user_id: null }, ...extra,
});

test('ordinals read as people say them', () => {
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(meeting.ordinal),
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
});

test('waited times tick as a clock, debrief times are relative to the start', () => {
  assert.equal(meeting.clock(0), '0:00');
  assert.equal(meeting.clock(42_900), '0:42');
  assert.equal(meeting.clock(725_000), '12:05');
  assert.equal(meeting.clock(3_723_000), '1:02:03');
  assert.equal(meeting.clock(-5), '0:00'); // a clock a little ahead of the server's
  assert.equal(meeting.relative(192_000), '+03:12');
  assert.equal(meeting.relative(3_723_000), '+1:02:03');
});

test("an observer's pad puts the observer cues first, in order; everyone else keeps the team's order", () => {
  const cues = ['let_me_talk', 'bluffing', 'wrap_up', 'they_nervous', 'watch_lead'].map((code) => ({ code }));
  assert.deepEqual(meeting.padOrder(cues, 'observing').map((c) => c.code), ['they_nervous', 'watch_lead', 'bluffing', 'let_me_talk', 'wrap_up']);
  assert.equal(meeting.padOrder(cues, 'speaking'), cues);
  assert.equal(meeting.padOrder(cues, null), cues);
});

test('the floor line says who has it, my place in line, and offers the one thing I can do', () => {
  assert.deepEqual(meeting.floorLine(live(), ME, name), { text: 'The floor is open', act: null });
  const queue = [{ user_id: LEE, requested_at: NOW }, { user_id: ME, requested_at: NOW + 1 }];
  assert.deepEqual(meeting.floorLine(live({ queue, floor: { user_id: SAM, since: NOW } }), ME, name),
    { text: 'Sam has the floor · You are 2nd in line', act: 'withdraw' });
  assert.deepEqual(meeting.floorLine(live({ floor: { user_id: ME, since: NOW } }), ME, name), { text: 'You have the floor', act: 'release' });
  assert.deepEqual(meeting.floorLine(live({ queue }), SAM, name), { text: '2 waiting for the floor', act: null });
});

test("the sender of an urgent cue sees per person who got it and which buzz the others are at", () => {
  const e = { message_id: 9, channel_id: 3, meeting_id: 7, buzzes: 2, pending: [LEE], state: 'active', reason: null, next_at: NOW };
  assert.equal(meeting.escalationLine(e, [SAM, LEE], [{ user_id: SAM }], name), 'Sam: got it · Lee: 2nd buzz');
  assert.equal(meeting.stoppedWhy(e), '');
  assert.equal(meeting.stoppedWhy({ ...e, state: 'stopped', reason: 'cancelled' }), 'Stopped buzzing');
});

test("meeting mode's rhythms differ from every default cue's", () => {
  const defaults = [[300], [100, 100, 100], [300, 150, 300], [600, 200, 600, 200, 600], [800, 300, 200], [500, 300, 500],
    [100, 80, 100, 80, 100, 80, 100], [200, 200, 600], [80, 120, 300], [300, 120, 80], [80, 80, 80, 200, 400]]; // api/cueset.py
  for (const r of [meeting.GO, meeting.ASKED, meeting.NOT_NOW]) assert.ok(!defaults.some((d) => String(d) === String(r)), String(r));
  assert.notDeepEqual(meeting.GO, meeting.ASKED);
  assert.notDeepEqual(meeting.NOT_NOW, meeting.GO);
  assert.notDeepEqual(meeting.NOT_NOW, meeting.ASKED);
});

let s;
const env = { visible: true, now: NOW };
const apply = (type, data) => reduce.handlers[type](s, data, { type, cursor: 10, team_id: 5, channel_id: data.channel_id ?? null, data }, env);

beforeEach(() => {
  s = reduce.createState();
  s.me = { id: ME, username: 'me', display_name: 'Me' };
  s.teams = [{ id: 5, name: 'Acme', role: 'member' }];
  s.team[5] = { channels: [{ id: 3, team_id: 5, kind: 'everyone', name: 'Everyone', member_ids: [ME, SAM, LEE], unread: 0, last_read: 0 }], cues: [], members: [] };
});

test('a meeting event keeps the newest state per id; a deleted meeting is gone', () => {
  apply('meeting', live());
  apply('meeting', live({ queue: [{ user_id: SAM, requested_at: NOW }], change: { what: 'requested', actor_id: SAM, user_id: SAM } }));
  assert.equal(s.meetings[7].queue.length, 1);
  assert.deepEqual(Object.keys(s.meetings), ['7']);
  apply('meeting_deleted', { meeting_id: 7, team_id: 5 });
  assert.deepEqual(s.meetings, {});
});

test('the granted phone buzzes "go" on a live frame, never on a replayed one; others do not', () => {
  const granted = live({ floor: { user_id: ME, since: NOW }, change: { what: 'granted', actor_id: SAM, user_id: ME } });
  assert.deepEqual(apply('meeting', granted).effects, [['buzz', meeting.GO]]);
  s.replaying = true;
  assert.deepEqual(apply('meeting', granted).effects, []);
  s.replaying = false;
  assert.deepEqual(apply('meeting', { ...granted, change: { what: 'granted', actor_id: SAM, user_id: LEE } }).effects, []);
});

test('a lead feels a short knock when a teammate asks for the floor; a member does not, nor the asker', () => {
  const asked = live({ queue: [{ user_id: SAM, requested_at: NOW }], change: { what: 'requested', actor_id: SAM, user_id: SAM } });
  assert.deepEqual(apply('meeting', asked).effects, []);
  s.teams[0].role = 'lead';
  assert.deepEqual(apply('meeting', asked).effects, [['buzz', meeting.ASKED]]);
  assert.deepEqual(apply('meeting', { ...asked, change: { what: 'requested', actor_id: ME, user_id: ME } }).effects, []);
});

test('an active escalation re-shows the cue on a pending phone; not once I answered, not on replay, not to others', () => {
  const cue = { id: 9, cursor: 90, team_id: 5, channel_id: 3, sender_id: SAM, client_id: 'c', kind: 'cue', cue: 'stop_call_me', created_at: NOW, acks: [] };
  s.messages.set(3, [cue]);
  const esc = { message_id: 9, channel_id: 3, meeting_id: 7, buzzes: 2, pending: [ME, LEE], state: 'active', reason: null, next_at: NOW };
  const topics = (c) => c.emits.map(([t]) => t);
  assert.ok(topics(apply('escalation', esc)).includes('alert'));
  assert.equal(s.escalations[9].buzzes, 2);
  s.replaying = true;
  assert.ok(!topics(apply('escalation', esc)).includes('alert'));
  s.replaying = false;
  assert.ok(!topics(apply('escalation', { ...esc, pending: [LEE] })).includes('alert'));
  assert.ok(!topics(apply('escalation', { ...esc, state: 'stopped', reason: 'cancelled' })).includes('alert'));
  cue.acks = [{ user_id: ME, at: NOW }];
  assert.ok(!topics(apply('escalation', esc)).includes('alert'));
});

test('my declined request and the floor taken back from me buzz "not now" and say so; live only, and only mine', () => {
  const lost = (c) => c.emits.filter(([t]) => t === 'floor_lost').map(([, text]) => text);
  const queued = live({ queue: [{ user_id: ME, requested_at: NOW }], change: { what: 'requested', actor_id: ME, user_id: ME } });
  apply('meeting', queued);
  const declined = live({ change: { what: 'declined', actor_id: SAM, user_id: ME } });
  let c = apply('meeting', declined);
  assert.deepEqual(c.effects, [['buzz', meeting.NOT_NOW]]);
  assert.deepEqual(lost(c), ['The lead declined your request for the floor.']);
  assert.deepEqual(apply('meeting', { ...declined, change: { what: 'declined', actor_id: SAM, user_id: LEE } }).effects, []);
  s.replaying = true;
  assert.deepEqual(apply('meeting', declined).effects, []);
  s.replaying = false;
  const mine = live({ floor: { user_id: ME, since: NOW }, change: { what: 'granted', actor_id: SAM, user_id: ME } });
  apply('meeting', mine);
  c = apply('meeting', live({ change: { what: 'taken', actor_id: SAM, user_id: ME } }));
  assert.deepEqual(c.effects, [['buzz', meeting.NOT_NOW]]);
  assert.deepEqual(lost(c), ['The lead took the floor back.']);
  apply('meeting', mine); // granted to Lee while I hold it: taken from me too
  c = apply('meeting', live({ floor: { user_id: LEE, since: NOW }, change: { what: 'granted', actor_id: SAM, user_id: LEE } }));
  assert.deepEqual(lost(c), ['The lead took the floor back.']);
  apply('meeting', mine); // I released it myself: nothing
  assert.deepEqual(apply('meeting', live({ change: { what: 'released', actor_id: ME, user_id: ME } })).effects, []);
});

test('an urgent cue insists while another buzz is coming: not after the last, once stopped, nor when stale', () => {
  const e = { message_id: 9, channel_id: 3, meeting_id: 7, buzzes: 2, pending: [LEE], state: 'active', reason: null, next_at: NOW + 10_000 };
  assert.equal(meeting.insisting(e, NOW), true);
  assert.equal(meeting.insisting({ ...e, next_at: null, reason: 'done' }, NOW), false);
  assert.equal(meeting.insisting({ ...e, state: 'stopped', reason: 'acknowledged' }, NOW), false);
  assert.equal(meeting.insisting(e, NOW + 120_000), false); // saved on this device long ago
  assert.equal(meeting.insisting(undefined, NOW), false);
});

test("the roster says a phone is ready only when connected and either open or reachable by push, in plain words", () => {
  const r = (live, visible, push) => meeting.readiness({ live, visible, push, last_heard: NOW - 6000 }, NOW);
  assert.deepEqual(r(true, true, false), { ready: true, text: 'Ready · App open · connected · no push notifications · heard 6 s ago' });
  assert.equal(r(true, false, true).ready, true);
  assert.equal(r(true, false, false).text, 'Not ready · App not on screen · connected · no push notifications · heard 6 s ago');
  assert.equal(r(false, true, true).ready, false);
});
