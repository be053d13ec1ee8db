// Table mode: a black, awake screen with the last cue received and the cue pad; "hide" shows a plain clock.
import { h, icon, toast, clock } from '../ui.js';
import { S, team, channel, channelName, displayName, cueOf, cachedMessages, neutralSet } from '../store.js';
import { ack, errorText } from '../actions.js';
import { notFound } from '../components/bar.js';
import { cuePad } from '../components/cue-pad.js';


/** Keeps the screen on while table mode is open (and takes the lock again when the page comes back). @param {View} v */
function keepAwake(v) {
  /** @type {any} */
  let lock = null;
  const wake = async () => {
    try { lock = await navigator.wakeLock?.request('screen'); } catch { lock = null; }
  };
  const onVisible = () => document.visibilityState === 'visible' && wake();
  wake();
  document.addEventListener('visibilitychange', onVisible);
  v.cleanup(() => { document.removeEventListener('visibilitychange', onVisible); lock?.release().catch(() => {}); });
}

/** The last cue received, with "Got it". @param {View} v @param {Channel} ch */
function lastCue(v, ch) {
  const last = h('section', { class: 'last-cue', 'aria-live': 'polite', 'aria-label': 'Last cue received' });
  const paint = () => {
    const m = S.lastCue?.message;
    if (!m || m.team_id !== ch.team_id) {
      last.replaceChildren(h('p', { class: 'waiting' }, 'Waiting for cues'), h('p', { class: 'muted small-print' }, channelName(ch)));
      return;
    }
    const cue = cueOf(m.cue, m.team_id);
    const mine = cachedMessages(m.channel_id).find((x) => x.id === m.id) || m;
    const acked = (mine.acks || []).some((a) => a.user_id === S.me?.id);
    last.replaceChildren(
      h('p', { class: `last-label ${cue.urgency}` }, cue.label),
      h('p', { class: 'muted' }, `${displayName(m.sender_id, m.team_id)} · ${clock(m.created_at)}`),
      acked ? h('p', { class: 'got' }, 'Got it sent') : h('button', { class: 'gotit', type: 'button', onclick: () => ack(m).catch((ex) => toast(errorText(ex))) }, 'Got it'));
  };
  paint();
  v.on('alert', paint);
  v.on('messages', paint);
  return last;
}

/** The clock that hides the pad: double-tap (or Enter) brings the pad back. @param {View} v */
function neutralClock(v) {
  const time = h('p', { class: 'neutral-time' });
  const date = h('p', { class: 'neutral-date' });
  const tickClock = () => {
    const now = new Date();
    time.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    date.textContent = now.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' });
  };
  tickClock();
  const timer = setInterval(tickClock, 10000);
  v.cleanup(() => clearInterval(timer));
  const neutral = h('button', { class: 'neutral', type: 'button', hidden: true, 'aria-label': 'Clock. Double-tap to return' }, time, date);
  const show = () => { neutral.hidden = true; neutralSet(false); };
  neutral.addEventListener('dblclick', show);
  neutral.addEventListener('keydown', (e) => e.key === 'Enter' && show());
  v.cleanup(() => neutralSet(false));
  return { neutral, hide: () => { neutral.hidden = false; neutralSet(true); neutral.focus(); } };
}

/** @param {View} v @param {number | null} id */
export function tableScreen(v, id) {
  const ch = (id != null && channel(id)) || team().channels.find((c) => c.kind === 'everyone');
  if (!ch) return notFound(v);
  document.body.classList.add('table');
  v.cleanup(() => document.body.classList.remove('table'));
  keepAwake(v);
  const last = lastCue(v, ch);
  const { pad, paint } = cuePad(ch.id, ch.team_id);
  v.on('cues', paint);
  const { neutral, hide } = neutralClock(v);
  last.addEventListener('dblclick', hide);
  return h('main', { class: 'screen table-mode' },
    h('header', { class: 'table-bar' },
      h('a', { class: 'icon-btn', href: `/c/${ch.id}`, 'aria-label': 'Leave table mode' }, icon('close')),
      h('span', { class: 'table-title' }, channelName(ch)),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Hide screen', onclick: hide }, icon('hide'))),
    last, pad, neutral);
}
