// One message of a channel: who, what, when (and when it was written, if earlier); mine with its receipt ladder
// and who has it (details on tap), a cue to me with "Got it".
import { h, toast, clock } from '../ui.js';
import * as outbox from '../outbox.js';
import { S, cueOf, displayName, channel } from '../store.js';
import { ack, errorText } from '../actions.js';
import { isSource } from '../store/sources.js';
import { ladder, tally, receiptLabel, whoState } from '../store/ladder.js';

const opened = new Set(); // client ids whose receipt details are open: a repaint keeps them open

/** The receipt ladder under a message I sent. @param {Rung} rung @param {any} pending its outbox item, while unsent */
function ladderView(rung, pending) {
  if (!rung.step) {
    return h('div', { class: 'ladder warn' }, h('span', null, rung.label),
      rung.state === 'expired' ? h('button', { class: 'small', type: 'button', onclick: () => outbox.sendAnyway(pending) }, 'Send anyway') : null,
      h('button', { class: 'small ghost', type: 'button', onclick: () => outbox.discard(pending) }, 'Discard'));
  }
  return h('p', { class: `ladder step-${rung.step}` }, rungs(), h('span', null, rung.label));
}

const rungs = () => h('span', { class: 'rungs', 'aria-hidden': 'true' }, h('i'), h('i'), h('i'), h('i'));

/** Who has my stored message: one line, and on tap each teammate's state. @param {Rung} rung @param {import('../store/ladder.js').Tally} t @param {Message} m @param {(id: number) => string} name */
function receiptsView(rung, t, m, name) {
  const box = h('details', { class: `ladder receipts step-${rung.step}`, open: opened.has(m.client_id) },
    h('summary', null, rungs(), h('span', null, receiptLabel(t, name))),
    h('ul', { class: 'who-list' }, t.all.map((w) => h('li', { 'data-state': w.state }, h('span', null, name(w.user_id)), h('span', null, whoState(w, clock))))));
  box.addEventListener('toggle', () => {
    if (!box.open) return opened.delete(m.client_id);
    opened.add(m.client_id);
    box.scrollIntoView({ block: 'nearest' }); // the list it opened stays in view
  });
  return box;
}

/** "written 10:09 · sent 10:10" when the clock shows two times (a cue held in the outbox is not news), else the
 * time. @param {Message} m */
export const whenText = (m) => m.composed_at == null || clock(m.composed_at) === clock(m.created_at) ? clock(m.created_at)
  : `written ${clock(m.composed_at)} · sent ${clock(m.created_at)}`;

/** @param {Message} m */
const when = (m) => {
  const text = whenText(m);
  return h('time', { class: text.startsWith('written') ? 'written' : null }, text);
};

/** @param {Message} m @param {Channel} ch @param {any} [pending] its outbox item, while the server lacks it */
export function messageItem(m, ch, pending) {
  const mine = pending || m.sender_id === S.me?.id;
  const acks = m.acks || [];
  const fresh = channel(ch.id) || ch; // the channel list may have been reloaded since the screen opened
  const source = !mine && isSource(S, ch, m.sender_id); // the source's own message: logged as intel
  /** @param {number} id the source goes by its pseudonym, the conversation's name */
  const name = (id) => isSource(S, ch, id) ? ch.name : displayName(id, ch.team_id);
  const t = mine && !pending ? tally(m, fresh) : null;
  const rung = mine ? ladder(pending, pending ? [] : acks.map((a) => name(a.user_id)), !!t?.delivered) : null;
  const cue = m.kind === 'cue' ? cueOf(m.cue, ch.team_id) : null;
  const recalled = m.recalled_at != null;
  return h('li', { class: `msg ${mine ? 'mine' : 'theirs'} ${m.kind} ${cue ? cue.urgency : ''}`, 'data-state': rung?.state, 'data-client-id': m.client_id },
    mine ? null : h('p', { class: 'who' }, name(m.sender_id)),
    cue ? h('p', { class: 'cue-label' }, cue.label) : h('p', { class: 'text' }, m.text),
    recalled ? h('small', { class: 'recalled' }, 'Recalled') : null,
    h('div', { class: 'meta' }, when(m), source && m.id ? h('a', { class: 'button small secondary', href: `/intel?channel=${ch.id}&message=${m.id}` }, 'Log as intel') : null,
      rung ? (t && t.total && rung.step >= 2 ? receiptsView(rung, t, m, name) : ladderView(rung, pending))
        : !cue || recalled ? null : acks.some((a) => a.user_id === S.me?.id) ? h('span', { class: 'got' }, 'You: got it')
          : h('button', { class: 'small', type: 'button', 'aria-label': `Got it: ${cue.label}`, onclick: () => ack(m).catch((ex) => toast(errorText(ex))) }, 'Got it')));
}
