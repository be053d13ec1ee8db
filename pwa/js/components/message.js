// One message of a channel: who, what, when; mine with its receipt ladder, a cue to me with "Got it".
import { h, toast, clock } from '../ui.js';
import * as outbox from '../outbox.js';
import { S, cueOf, displayName, isDelivered } from '../store.js';
import { ack, errorText } from '../actions.js';
import { ladder } from '../store/ladder.js';

/** The receipt ladder under a message I sent. @param {Rung} rung @param {any} pending its outbox item, while unsent */
function ladderView(rung, pending) {
  if (!rung.step) {
    return h('div', { class: 'ladder warn' }, h('span', null, rung.label),
      rung.state === 'expired' ? h('button', { class: 'small', type: 'button', onclick: () => outbox.sendAnyway(pending) }, 'Send anyway') : null,
      h('button', { class: 'small ghost', type: 'button', onclick: () => outbox.discard(pending) }, 'Discard'));
  }
  return h('p', { class: `ladder step-${rung.step}` },
    h('span', { class: 'rungs', 'aria-hidden': 'true' }, h('i'), h('i'), h('i'), h('i')), h('span', null, rung.label));
}

/** @param {Message} m @param {Channel} ch @param {any} [pending] its outbox item, while the server lacks it */
export function messageItem(m, ch, pending) {
  const mine = pending || m.sender_id === S.me?.id;
  const acks = m.acks || [];
  const rung = mine ? ladder(pending, pending ? [] : acks.map((a) => displayName(a.user_id, ch.team_id)), isDelivered(m, ch)) : null;
  const cue = m.kind === 'cue' ? cueOf(m.cue, ch.team_id) : null;
  return h('li', { class: `msg ${mine ? 'mine' : 'theirs'} ${m.kind} ${cue ? cue.urgency : ''}`, 'data-state': rung?.state, 'data-client-id': m.client_id },
    mine ? null : h('p', { class: 'who' }, displayName(m.sender_id, ch.team_id)),
    cue ? h('p', { class: 'cue-label' }, cue.label) : h('p', { class: 'text' }, m.text),
    h('div', { class: 'meta' }, h('time', null, clock(m.created_at)),
      rung ? ladderView(rung, pending)
        : !cue ? null : acks.some((a) => a.user_id === S.me?.id) ? h('span', { class: 'got' }, 'You: got it')
          : h('button', { class: 'small', type: 'button', 'aria-label': `Got it: ${cue.label}`, onclick: () => ack(m).catch((ex) => toast(errorText(ex))) }, 'Got it')));
}
