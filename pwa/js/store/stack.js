// Incoming cues waiting for an answer: oldest first, one each; a cue past its time-to-live stops asking. Pure:
// Node checks the order and the expiry.

/** @template {{id: number, created_at: number}} M @param {M[]} stack @param {M} m @returns {M[]} */
export const stacked = (stack, m) => stack.some((x) => x.id === m.id) ? stack
  : [...stack, m].sort((a, b) => a.created_at - b.created_at || a.id - b.id);

/** When a cue stops asking. @param {{created_at: number}} m @param {number} ttlSeconds */
export const expiresAt = (m, ttlSeconds) => m.created_at + ttlSeconds * 1000;

/** "2 cues" over the first of several; nothing for one. @param {number} n */
export const countLabel = (n) => n > 1 ? `${n} cues` : '';
