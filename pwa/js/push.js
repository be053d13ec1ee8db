// Web Push on this device ("buzz me when the app is closed"). Permission is asked only from a tap; subscribe() is
// raced against a timeout (a push service out of reach may hang); the server's copy is kept in step at launch.
import { api, ApiError, online } from './api.js';
import { kv } from './db.js';

export const limits = { subscribeMs: 10000 };
export const standalone = () => matchMedia('(display-mode: standalone)').matches || navigator.standalone === true;
export const isIOS = () => /iphone|ipad|ipod/i.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);

const BLOCKED = 'Notifications are blocked for Backchannel. Allow them in your browser’s site settings (on iPhone: Settings › Notifications › Backchannel), then try again.';
const UNREACHABLE = 'This browser’s push service did not answer, so buzzes stay off for now (private windows have none). Cues still buzz while the app is open. Try again later.';
const OFFLINE = 'You are offline. Connect, then try again.';

// 'install' (iPhone: add to Home Screen first), 'unsupported' or 'ok'.
export function support() {
  if (isIOS() && !standalone()) return 'install';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  return 'ok';
}

async function browserSubscription() {
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

// What the switch shows: on, off, blocked, unsupported or install.
/** @param {number} uid @returns {Promise<PushState>} */
export async function state(uid) {
  const s = support();
  if (s !== 'ok') return s;
  if (Notification.permission === 'denied') return 'blocked';
  if (Notification.permission !== 'granted') return 'off';
  const sub = await browserSubscription().catch(() => null);
  return sub && (await kv.get('pushUid')) === uid ? 'on' : 'off';
}

// The server's public key, fetched ahead of the tap (and kept for the service worker's re-subscribe).
export async function serverKey() {
  const { key } = await api('GET', '/push/key');
  await kv.set('pushKey', key);
  return key;
}

/** @param {string} b64 base64url, unpadded */
function keyBytes(b64) {
  const raw = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** @param {PushSubscription} sub @param {Uint8Array} bytes */
function sameKey(sub, bytes) {
  const had = sub.options?.applicationServerKey;
  if (!had) return true;
  const a = new Uint8Array(had);
  return a.length === bytes.length && a.every((b, i) => b === bytes[i]);
}

export class PushError extends Error {}

/** @param {PushSubscription} sub */
function register(sub) {
  const { endpoint, keys, expirationTime } = sub.toJSON();
  return api('POST', '/push/subscriptions', { endpoint, keys, expirationTime: expirationTime ?? null });
}

// From the tap on the switch. Resolves 'on' or 'blocked'; throws a PushError with a sentence to show.
/** @param {number} uid @param {string} [key] the server's, if fetched already @returns {Promise<PushState>} */
export async function enable(uid, key) {
  // Ask first, before anything else awaits: the prompt must come straight from the tap.
  const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  if (permission === 'denied') return 'blocked';
  if (permission !== 'granted') throw new PushError('Notifications were not allowed. Tap again to be asked once more.');
  if (!online()) throw new PushError(OFFLINE);
  let gaveUp = false;
  let timer = 0;
  const task = (async () => {
    const bytes = keyBytes(key || (await serverKey()));
    const reg = await navigator.serviceWorker.ready;
    let sub = await reg.pushManager.getSubscription();
    if (sub && !sameKey(sub, bytes)) {
      await sub.unsubscribe();
      sub = null;
    }
    return sub || reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes });
  })();
  // An answer after we gave up is undone, so the switch never says more than it knows.
  task.then((late) => gaveUp && late.unsubscribe().catch(() => {}), () => {});
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => { gaveUp = true; reject(new PushError(UNREACHABLE)); }, limits.subscribeMs);
  });
  let sub;
  try {
    sub = await Promise.race([task, timeout]);
  } catch (ex) {
    gaveUp = true;
    if (ex instanceof PushError) throw ex;
    if (ex instanceof ApiError) throw new PushError(ex.code === 'offline' ? OFFLINE : ex.message);
    if (Notification.permission === 'denied') return 'blocked';
    throw new PushError(UNREACHABLE);
  } finally {
    clearTimeout(timer);
  }
  try {
    await register(sub);
  } catch (ex) {
    const err = /** @type {ApiError} */ (ex); // all that api() throws
    throw new PushError(err.code === 'offline' ? OFFLINE : `The server did not accept this browser’s push service: ${err.message}`);
  }
  await kv.set('pushUid', uid);
  return 'on';
}

// Off always works, offline too: the push service then answers 410 and the server forgets the endpoint.
export async function disable() {
  const sub = await browserSubscription().catch(() => null);
  if (sub) {
    await api('DELETE', '/push/subscriptions', { endpoint: sub.endpoint }).catch(() => {});
    await sub.unsubscribe().catch(() => false);
  }
  await kv.set('pushUid', null);
  return 'off';
}

// At logout: this browser's subscription must not carry over to whoever signs in next.
export async function forget() {
  const sub = await browserSubscription().catch(() => null);
  await sub?.unsubscribe().catch(() => false);
}

// At launch: the browser still has my subscription but the server no longer knows it (its session was
// replaced, the server lost it): register it again. Quiet on every failure.
/** @param {number | null | undefined} uid */
export async function check(uid) {
  try {
    if (support() !== 'ok' || Notification.permission !== 'granted' || !online() || uid == null) return;
    const sub = await browserSubscription();
    if (!sub || (await kv.get('pushUid')) !== uid) return;
    /** @type {{ endpoint: string }[]} */
    const known = await api('GET', '/push/subscriptions');
    if (!known.some((s) => s.endpoint === sub.endpoint)) await register(sub);
  } catch {
    /* next launch tries again */
  }
}

// The channel is on screen: its notifications have done their job.
/** @param {number} channelId */
export function clearNotifications(channelId) {
  navigator.serviceWorker?.getRegistration()
    .then((reg) => reg?.getNotifications({ tag: `channel-${channelId}` }))
    .then((shown) => shown?.forEach((n) => n.close()))
    .catch(() => {});
}
