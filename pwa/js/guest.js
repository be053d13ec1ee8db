// A source's phone (docs/sources.md): a guest joins from its single-use link and keeps one conversation, with its
// handler; no team, no /me. When it ends (the handler ended it, or the guest left), nothing of it stays here.
import { api, setCsrf, online } from './api.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import { S, commit } from './store.js';
import * as reduce from './store/reduce.js';
import { refreshContact, startLive, stopLive } from './store/sync.js';
import { wipe } from './actions.js';

const GONE = 'bc-gone'; // all that stays once it ended: so that the app opens on nothing, not on a log-in
export const gone = () => { try { return !!localStorage.getItem(GONE); } catch { return false; } };
/** @type {Promise<void> | null} */
let ending = null;
export let said = ''; // what the screen says at the end, until the app is opened again

/** @param {string} token */
export async function joinContact(token) {
  stopLive(); // a link opened again moves the conversation here: the socket of the session it replaces would close
  let session;
  try {
    session = await api('POST', '/contact', { token });
  } catch (ex) {
    startLive();
    throw ex;
  }
  // A GuestSession: never the guest's account (its name is the pseudonym the team gave it), only its conversation.
  const me = { id: session.contact.user_id, username: '', display_name: '' };
  if (S.me && S.me.id !== me.id) await wipe();
  ending = null;
  said = '';
  try { localStorage.removeItem(GONE); } catch { /* private mode */ }
  outbox.setUser(me.id);
  await setCsrf(session.csrf_token);
  await commit(reduce.signedIn(S, me));
  await commit(reduce.contactLoaded(S, session.contact), { now: true });
  startLive();
  push.check(me.id);
}

/** Opens from the device (offline too), then catches up and goes live. @param {() => Promise<void>} route */
export async function guestBoot(route) {
  await route();
  if (online()) await refreshContact().catch(() => {}); // 401: it ended while the app was closed
  if (!S.contact || !S.me) return;
  startLive();
  outbox.flush();
  push.check(S.me.id);
}

/** Whether a 401 means the conversation ended (not once a team account signed in here). */
export const isGuest = () => !!S.contact || !S.me && (!!ending || gone());

/** The conversation ended, or I leave it (`left`): this phone's session, pushes, notifications, history, unsent
 * messages and local storage go. Once, however many 401s say so. @param {boolean} [left] */
export function contactEnded(left = false) {
  return ending ||= (async () => {
    said = left ? 'You left this conversation.' : 'This conversation has ended.';
    const c = S.contact;
    await push.forget();
    if (left && c?.session_id) await api('DELETE', `/sessions/${c.session_id}`).catch(() => {});
    await wipe();
    await commit(reduce.contactForgotten(S));
    try {
      const reg = await navigator.serviceWorker?.getRegistration();
      for (const n of (await reg?.getNotifications()) || []) n.close();
      localStorage.clear();
      localStorage.setItem(GONE, '1');
    } catch { /* nothing more to clear */ }
    document.cookie = 'bc_csrf=; Max-Age=0; Path=/';
  })();
}
