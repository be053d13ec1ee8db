// A sent message's receipt ladder: queued → sent → delivered → got it, or stopped (expired, refused); and who has
// it: delivered n/m, got it, read, waiting, by name. Pure: Node checks the order of the rungs and the tallies.
// Table mode reuses `ladder` and `tally`/`receiptLabel` for the state of the last cue.

/**
 * @param {{state?: string, error?: string | null} | null | undefined} pending its outbox item, while the server lacks it
 * @param {string[]} names who said "got it" @param {boolean} delivered on someone else's device
 * @returns {Rung}
 */
export function ladder(pending, names, delivered) {
  if (pending?.state === 'expired') return { state: 'expired', step: 0, label: 'Expired, not sent' };
  if (pending?.state === 'failed') return { state: 'failed', step: 0, label: `Not sent: ${pending.error}` };
  if (pending) return { state: pending.state || 'queued', step: 1, label: 'Queued' };
  if (names.length) return { state: 'acked', step: 4, label: `Got it · ${names.join(', ')}` };
  return delivered ? { state: 'delivered', step: 3, label: 'Delivered' } : { state: 'sent', step: 2, label: 'Sent' };
}

/**
 * @typedef {{ user_id: number, state: 'acked' | 'read' | 'delivered' | 'waiting', at: number | null }} Who
 * @typedef {{ total: number, delivered: number, acked: Who[], read: Who[], waiting: Who[], all: Who[] }} Tally
 */

/**
 * Where a stored message stands with each other member of its channel: "got it" (with its time; it implies
 * delivered and read), read (their read mark reached it), delivered (a device of theirs has it), or waiting.
 * Members in `all` come in that order, then by id.
 * @param {{sender_id: number, cursor: number, acks?: {user_id: number, at: number}[]}} m
 * @param {{member_ids: number[], receipts?: {user_id: number, delivered: number, read: number}[]}} ch
 * @returns {Tally}
 */
export function tally(m, ch) {
  const rank = { acked: 0, read: 1, delivered: 2, waiting: 3 };
  const all = ch.member_ids.filter((id) => id !== m.sender_id).map((id) => {
    const ack = m.acks?.find((a) => a.user_id === id);
    const r = ch.receipts?.find((x) => x.user_id === id);
    /** @type {Who['state']} */
    const state = ack ? 'acked' : r && r.read >= m.cursor ? 'read' : r && r.delivered >= m.cursor ? 'delivered' : 'waiting';
    return { user_id: id, state, at: ack ? ack.at : null };
  }).sort((a, b) => rank[a.state] - rank[b.state] || a.user_id - b.user_id);
  /** @param {Who['state']} s */
  const of = (s) => all.filter((w) => w.state === s);
  return { total: all.length, delivered: all.length - of('waiting').length, acked: of('acked'), read: of('read'), waiting: of('waiting'), all };
}

/**
 * One line: "Delivered 2/3 · Got it: Sam · Read: Kim · Waiting: Lee" ("Sent" while no one has it; names past the
 * third become "+n").
 * @param {Tally} t @param {(userId: number) => string} name
 */
export function receiptLabel(t, name) {
  /** @param {string} head @param {Who[]} who */
  const part = (head, who) => who.length
    ? `${head}: ${who.slice(0, 3).map((w) => name(w.user_id)).join(', ')}${who.length > 3 ? ` +${who.length - 3}` : ''}` : null;
  const first = t.delivered ? `Delivered ${t.delivered}/${t.total}` : 'Sent';
  return [first, part('Got it', t.acked), part('Read', t.read), part('Waiting', t.waiting)].filter(Boolean).join(' · ');
}

/** How a member's state reads in the details list. @param {Who} w @param {(ms: number) => string} clock */
export const whoState = (w, clock) =>
  w.state === 'acked' ? `Got it ${clock(/** @type {number} */ (w.at))}` : w.state === 'read' ? 'Read' : w.state === 'delivered' ? 'Delivered' : 'Waiting';
