// A source's phone (docs/sources.md): its one conversation kept as a channel of team 0 named after the handler, the
// `contact` event on hand-over, and the names its messages show. Pure reducers of pwa/js/store/reduce.js.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as reduce from '../../pwa/js/store/reduce.js';

const GUEST = 7;
const ALEX = 2;
const SAM = 3;
const NOW = 1_700_000_000_000;
const contact = (extra = {}) => ({ channel_id: 40, user_id: GUEST, session_id: 9, handler_id: ALEX, handler_name: 'Alex', started_at: NOW, ...extra });
const ev = (type, data, cursor = 10) => ({ type, cursor, team_id: 5, channel_id: data.channel_id ?? null, data });
const env = { visible: true, now: NOW };
const topics = (c) => c.emits.map(([t]) => t);
let s;

beforeEach(() => {
  s = reduce.createState();
  s.me = { id: GUEST, username: 'guest-x', display_name: 'Kestrel' };
});

test('the conversation is one channel of team 0 with the handler in it, named after the handler', () => {
  const c = reduce.contactLoaded(s, contact());
  assert.equal(s.contact.channel_id, 40);
  assert.deepEqual(s.team[0].channels, [{ id: 40, team_id: 0, kind: 'contact', name: 'Alex', member_ids: [GUEST, ALEX], unread: 0, last_read: 0 }]);
  assert.equal(reduce.channelOf(s, 40).name, 'Alex');
  assert.equal(reduce.nameOf(s, ALEX, 0), 'Alex');
  assert.equal(reduce.nameOf(s, GUEST, 0), 'You');
  assert.deepEqual(topics(c), ['contact', 'channels']);
  assert.deepEqual(s.teams, [], 'a guest has no team');
});

test('read again, it keeps the read mark, the unread count and the receipts', () => {
  reduce.contactLoaded(s, contact());
  Object.assign(s.team[0].channels[0], { unread: 2, last_read: 120, receipts: [{ user_id: ALEX, delivered: 130, read: 120 }] });
  reduce.contactLoaded(s, contact());
  assert.deepEqual(s.team[0].channels[0].receipts, [{ user_id: ALEX, delivered: 130, read: 120 }]);
  assert.equal(s.team[0].channels[0].unread, 2);
  assert.equal(s.team[0].channels[0].last_read, 120);
});

test("on hand-over the `contact` event names the new handler; the earlier one's messages keep their name", () => {
  reduce.contactLoaded(s, contact());
  const { session_id: _, ...event } = contact({ handler_id: SAM, handler_name: 'Sam' }); // an event's has no session
  const c = reduce.handlers.contact(s, event, ev('contact', event), env);
  assert.deepEqual(topics(c), ['contact', 'channels']);
  assert.equal(s.contact.handler_name, 'Sam');
  assert.equal(s.contact.session_id, 9, 'the session to sign out stays known');
  assert.equal(s.team[0].channels[0].name, 'Sam');
  assert.deepEqual(s.team[0].channels[0].member_ids, [GUEST, SAM]);
  assert.equal(reduce.nameOf(s, SAM, 0), 'Sam');
  assert.equal(reduce.nameOf(s, ALEX, 0), 'Alex');
});

test('a handler never heard of here is "your earlier contact", never a teammate', () => {
  reduce.contactLoaded(s, contact());
  assert.equal(reduce.nameOf(s, 99, 0), 'Your earlier contact');
  s.contact = null;
  assert.equal(reduce.nameOf(s, 99, 0), 'A teammate');
});

test('a `contact` event about someone else changes nothing (a team account never turns into a guest)', () => {
  s.me = { id: 1, username: 'olivia', display_name: 'Olivia' };
  const c = reduce.handlers.contact(s, contact(), ev('contact', contact()), env);
  assert.equal(s.contact, undefined);
  assert.deepEqual(topics(c), []);
  assert.deepEqual(s.team, {});
});

test("the handler's message counts as unread until the conversation is on screen, then asks for a read mark", () => {
  reduce.contactLoaded(s, contact());
  const m = { id: 1, cursor: 11, team_id: 5, channel_id: 40, sender_id: ALEX, client_id: 'c1', kind: 'text', text: 'hi', created_at: NOW, acks: [] };
  reduce.handlers.message(s, m, ev('message', m, 11), env);
  assert.equal(s.team[0].channels[0].unread, 1);
  reduce.channelOpened(s, 40);
  assert.equal(s.teamId, 0);
  const c = reduce.handlers.message(s, { ...m, id: 2, cursor: 12, client_id: 'c2' }, ev('message', m, 12), env);
  assert.deepEqual(c.effects, [['markRead', 40]]);
});

test('the end forgets the conversation; a wipe forgets the rest', () => {
  reduce.contactLoaded(s, contact());
  reduce.contactForgotten(s);
  reduce.wiped(s);
  assert.equal(s.contact, null);
  assert.deepEqual(s.team, {});
  assert.equal(s.me, null);
});
