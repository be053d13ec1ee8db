// Keeping up with the server: who I am and my teams, each team's channels and cues, a channel's history, how far
// I have read; and the live socket, whose stored events go through the handler table one at a time, in order.
import { api, setCsrf, online } from '../api.js';
import * as outbox from '../outbox.js';
import { connectLive } from '../live.js';
import { buzz } from '../haptics.js';
import { S, commit, emit, messagesOf, cachedMessages, channel } from '../store.js';
import * as reduce from './reduce.js';

export async function refreshMe() {
  const me = await api('GET', '/me');
  outbox.setUser(me.user.id);
  await setCsrf(me.csrf_token);
  await commit(reduce.meLoaded(S, me), { now: true });
}

/** @param {number | null} [id] */
export async function refreshTeam(id = S.teamId) {
  if (id == null) return;
  const [info, channels, cues, meetings] = await Promise.all([
    api('GET', `/teams/${id}`), api('GET', `/teams/${id}/channels`), api('GET', `/teams/${id}/cues`),
    api('GET', `/teams/${id}/meetings`).catch(() => null),
  ]);
  if (meetings) await commit(reduce.meetingsLoaded(S, id, meetings));
  await commit(reduce.teamLoaded(S, id, info, channels, cues.cues), { now: true });
}

/** A guest's conversation (docs/sources.md): a guest has no teams, and no /me. */
export async function refreshContact() {
  await commit(reduce.contactLoaded(S, await api('GET', '/contact')), { now: true });
}

export async function refreshAll() {
  if (S.contact) return refreshContact();
  await refreshMe();
  await Promise.all(S.teams.map((t) => refreshTeam(t.id)));
}

/** The latest page of a channel's history, or the page before its oldest message here: whether there is more before.
 * @param {number} channelId @param {boolean} [older] @returns {Promise<boolean>} */
export async function loadHistory(channelId, older = false) {
  const before = older ? (await messagesOf(channelId))[0]?.id : undefined;
  const page = await api('GET', `/channels/${channelId}/messages?limit=50${before ? `&before=${before}` : ''}`);
  await messagesOf(channelId);
  await commit(reduce.historyLoaded(S, channelId, page.messages, older));
  return page.more;
}

const readTimers = new Map();
/** Tells the server, once the screen settles, that I have read the channel to its last message. @param {number} channelId */
export function markRead(channelId) {
  clearTimeout(readTimers.get(channelId));
  readTimers.set(channelId, setTimeout(async () => {
    const last = cachedMessages(channelId).at(-1)?.cursor || 0;
    const ch = channel(channelId);
    if (!ch || !online()) return;
    const report = last > (ch.last_read || 0);
    await commit(reduce.channelRead(S, channelId, last));
    if (report) await api('POST', `/channels/${channelId}/read`, { cursor: last }).catch(() => {});
  }, 400));
}

// --- live -----------------------------------------------------------------------------------------
/** @type {Live | null} */
let socket = null;
let queue = Promise.resolve();
const effects = { settled: outbox.settled, markRead, refreshAll: () => refreshAll().catch(() => {}), buzz };

/** @param {StoredEvent} ev */
async function apply(ev) {
  if (S.cursor != null && ev.cursor <= S.cursor) return;
  const handler = reduce.handlers[ev.type];
  const d = /** @type {any} */ (ev.data);
  if (!handler) console.warn('no handler for event type', ev.type);
  else {
    if (d.channel_id != null) await messagesOf(d.channel_id);
    await commit(handler(S, d, ev, { visible: document.visibilityState === 'visible', now: Date.now() }), { effects });
  }
  await commit(reduce.reached(S, ev.cursor));
}

export function startLive() {
  if (socket || !S.me) return;
  socket = connectLive({
    cursor: () => S.cursor || 0,
    onOpen() {
      commit(reduce.replaying(S, true));
      outbox.flush();
    },
    onEvent(ev) {
      queue = queue.then(async () => {
        await apply(ev);
        socket?.received(ev.cursor);
      }).catch((err) => console.warn('event skipped', err));
    },
    onDelivered: (frame) => commit(reduce.receiptDelivered(S, frame)),
    onReady(cursor) {
      queue = queue.then(async () => {
        await commit(reduce.replaying(S, false));
        await commit(reduce.reached(S, cursor));
        if (online()) await refreshAll().catch(() => {});
        for (const id of S.viewing) markRead(id);
      });
    },
    onState: (state) => commit(reduce.liveChanged(S, state)),
    onUnauthenticated: () => emit('unauthenticated'),
  });
}

export function stopLive() {
  socket?.stop();
  socket = null;
}
