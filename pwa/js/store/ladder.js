// A sent message's receipt ladder: queued → sent → delivered → got it, or stopped (expired, refused). Pure: Node
// checks the order of the rungs.

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
