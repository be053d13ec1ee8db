// Sources and the intel log as the team's devices keep them (pwa/js/store/sources.js): the `source` and `intel`
// events, the lists read, the words for a grade and a track record, and never a source's notes.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as reduce from '../../pwa/js/store/reduce.js';
import * as src from '../../pwa/js/store/sources.js';

const ME = 1;
const OTHER = 2;
const GUEST = 9;
let s;
const record = (extra = {}) => ({ entries: 0, corroborated: 0, contradicted: 0, known: 0, ...extra });
const source = (id, extra = {}) => ({
  id, team_id: 5, pseudonym: `P${id}`, handler_id: ME, state: 'open', created_at: id * 1000, joined_at: null,
  ended_at: null, record: record(), ...extra,
});
const entry = (id, extra = {}) => ({
  id, team_id: 5, source_id: 1, author_id: ME, claim: `claim ${id}`, reliability: 'B', credibility: 2, said_at: null,
  created_at: id * 1000, verdict: null, by_entry_id: null, note: null, known: false, assessed_by: null, assessed_at: null,
  ...extra,
});
const apply = (type, data) => reduce.handlers[type](s, data, { type, cursor: 10, team_id: 5, channel_id: null, data }, { visible: true, now: 0 });
const topics = (c) => c.emits.map(([t]) => t);

beforeEach(() => {
  s = reduce.createState();
  s.me = { id: ME, username: 'me', display_name: 'Me' };
  s.teams = [{ id: 5, name: 'Acme', role: 'member' }];
  s.teamId = 5;
  s.team[5] = { channels: [], cues: [], members: [{ user_id: OTHER, username: 'marc', display_name: 'Marc', role: 'lead' }] };
});

test('a source event adds the source, then replaces it; open ones come before ended ones, newest first', () => {
  const c = apply('source', source(1));
  assert.deepEqual(topics(c), ['sources']);
  assert.deepEqual(c.emits[0], ['sources', 1]);
  apply('source', source(2));
  apply('source', source(3, { state: 'ended' }));
  assert.deepEqual(s.team[5].sources.map((x) => x.id), [2, 1, 3]);
  apply('source', source(2, { state: 'ended', record: record({ entries: 4 }) }));
  assert.deepEqual(s.team[5].sources.map((x) => [x.id, x.state]), [[1, 'open'], [3, 'ended'], [2, 'ended']]);
  assert.equal(s.team[5].sources.length, 3);
});

test("a handler's answer is kept without its notes, link or channel", () => {
  src.sourceChanged(s, { ...source(1), notes: 'Jane, CFO', link: { token: 'secret', expires_at: 1 }, channel_id: 4 });
  const kept = s.team[5].sources[0];
  assert.equal(kept.pseudonym, 'P1');
  assert.ok(!('notes' in kept) && !('link' in kept) && !('channel_id' in kept));
  src.sourcesLoaded(s, 5, [{ ...source(2), notes: 'x' }]);
  assert.deepEqual(s.team[5].sources.map((x) => [x.id, 'notes' in x]), [[2, false]]); // those gone from the list are gone
  assert.ok(!JSON.stringify(s.team).includes('Jane'));
});

test('an intel event adds or replaces the entry, newest first; the list read replaces them all', () => {
  assert.deepEqual(topics(apply('intel', entry(1))), ['intel']);
  apply('intel', entry(2));
  apply('intel', entry(1, { verdict: 'corroborated', by_entry_id: 2 }));
  assert.deepEqual(s.team[5].intel.map((e) => [e.id, e.verdict]), [[2, null], [1, 'corroborated']]);
  src.intelLoaded(s, 5, [entry(3), entry(7)]);
  assert.deepEqual(s.team[5].intel.map((e) => e.id), [7, 3]);
});

test('leaving the team or a wipe forgets its sources and intel with it', () => {
  apply('source', source(1));
  apply('intel', entry(1));
  reduce.handlers.team_removed(s, { user_id: ME }, { type: 'team_removed', cursor: 11, team_id: 5, channel_id: null, data: {} }, { visible: true, now: 0 });
  assert.equal(s.team[5], undefined);
  apply('source', source(1));
  reduce.wiped(s);
  assert.deepEqual(s.team, {});
});

test('a grade reads as its Admiralty code and words; a track record names the counts it has', () => {
  assert.deepEqual(src.grade(entry(1)), ['B2', 'usually reliable · probably true']);
  assert.deepEqual(src.grade(entry(1, { reliability: 'F', credibility: 6 })), ['F6', 'reliability cannot be judged · truth cannot be judged']);
  assert.equal(src.recordText(record({ entries: 5, corroborated: 3, contradicted: 1, known: 1 })), '5 entries · 3 corroborated · 1 contradicted · 1 known');
  assert.equal(src.recordText(record({ entries: 1 })), '1 entry');
  assert.equal(src.recordText(record()), '0 entries');
});

test("a source's conversation is found by its pseudonym among my open sources; who in it is the source", () => {
  const ch = { id: 4, team_id: 5, kind: 'source', name: 'P1', member_ids: [ME, GUEST], unread: 0, last_read: 0 };
  apply('source', source(1));
  assert.equal(src.sourceOfChannel(s, ch)?.id, 1);
  assert.equal(src.sourceOfChannel(s, { ...ch, kind: 'group' }), null);
  apply('source', source(1, { handler_id: OTHER })); // handed over: no longer mine
  assert.equal(src.sourceOfChannel(s, ch), null);
  assert.equal(src.isSource(s, ch, GUEST), true);
  assert.equal(src.isSource(s, ch, OTHER), false); // the previous handler, a teammate
  assert.equal(src.isSource(s, ch, ME), false);
  assert.equal(src.isSource(s, { ...ch, kind: 'direct' }, GUEST), false);
});
