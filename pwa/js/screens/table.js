// Table mode, for one team and channel named in the URL and the header: a black, awake screen with the cues waiting
// for me, the state of my last cue and the connection, and the cue pad; "hide" shows a plain clock.
import { h, icon } from '../ui.js';
import { online } from '../api.js';
import * as outbox from '../outbox.js';
import { S, team, leftChannel, channelName, displayName, cueOf, cachedMessages, messagesOf, neutralSet, channel } from '../store.js';
import { ack, recall, errorText, askFloor, stopBuzzing } from '../actions.js';
import { meetingBar, leadPanel, tickAll } from '../components/floor.js';
import { padOrder, seatOf, escalationLine, stoppedWhy, insisting, FLOOR_CUE } from '../store/meeting.js';
import { LIMITS } from '../limits.js';
import { toast } from '../ui.js';
import { notFound } from '../components/bar.js';
import { cuePad } from '../components/cue-pad.js';
import { stack, gotIt, drop, expiry, insists, paint as repaintAlert } from '../components/alert.js';
import { ladder, tally, receiptLabel } from '../store/ladder.js';
import { countLabel } from '../store/stack.js';
import { whenText } from '../components/message.js';
import { backFrom } from '../panes.js';

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

/** The cues waiting for me (oldest first, "2 cues"), or the last one received. @param {View} v @param {Channel} ch */
function incoming(v, ch) {
  const last = h('section', { class: 'last-cue', 'aria-live': 'polite', 'aria-label': 'Last cue received' });
  let timer = 0;
  const paint = () => {
    clearTimeout(timer);
    const waiting = stack.filter((m) => m.team_id === ch.team_id);
    const m = waiting[0] || (S.lastCue?.message.team_id === ch.team_id ? S.lastCue.message : null);
    if (!m) {
      last.replaceChildren(h('p', { class: 'waiting' }, 'Waiting for cues'));
      return;
    }
    const cue = cueOf(m.cue, m.team_id);
    const mine = cachedMessages(m.channel_id).find((x) => x.id === m.id) || m;
    const acked = (mine.acks || []).some((a) => a.user_id === S.me?.id);
    const left = expiry(m) - Date.now();
    if (!acked && left > 0) timer = setTimeout(paint, left + 60);
    const n = countLabel(waiting.length);
    last.replaceChildren(...[
      n ? h('p', { class: 'cue-count' }, n) : '',
      h('p', { class: `last-label ${cue.urgency}` }, cue.label),
      h('p', { class: 'muted' }, `${displayName(m.sender_id, m.team_id)} · ${whenText(m)}`),
      mine.recalled_at != null ? h('p', { class: 'muted' }, 'Recalled')
        : acked ? h('p', { class: 'got' }, 'Got it sent')
          : left <= 0 ? h('p', { class: 'muted' }, 'Expired, no answer needed')
            : h('div', { class: 'cue-answers' },
              h('button', { class: 'gotit', type: 'button', onclick: () => (waiting[0] ? gotIt(m) : ack(m).catch((ex) => toast(errorText(ex)))) }, 'Got it'),
              waiting[0] && !insists(m) ? h('button', { class: 'dismiss small ghost', type: 'button', onclick: () => drop((x) => x.id === m.id) }, 'Dismiss') : null)]);
  };
  paint();
  v.cleanup(() => clearTimeout(timer));
  for (const topic of ['alert', 'messages', 'stack']) v.on(topic, paint);
  return last;
}

/** Where my last cue stands (queued → sent → delivered n/m → got it by whom), and the connection. @param {View} v @param {Channel} ch */
function myLastCue(v, ch) {
  const line = h('p', { class: 'my-cue', role: 'status', 'aria-label': 'My last cue' });
  const conn = h('span', { class: 'conn' });
  const name = (/** @type {number} */ id) => displayName(id, ch.team_id);
  const paint = () => {
    const state = !online() ? 'offline' : S.live;
    conn.dataset.state = state;
    conn.textContent = { live: 'Online', connecting: 'Reconnecting…', elsewhere: 'Live in another tab' }[state] ?? 'Offline';
    const pending = outbox.items.filter((i) => i.kind === 'cue' && i.channel_id === ch.id).at(-1);
    const sent = cachedMessages(ch.id).filter((m) => m.kind === 'cue' && m.sender_id === S.me?.id).at(-1);
    const m = pending && (!sent || pending.created_at >= sent.created_at) ? pending : sent;
    if (!m) return line.replaceChildren(conn);
    const label = cueOf(m.cue, ch.team_id).label;
    let text, stop = /** @type {Element | string} */ ('');
    if (m === pending) text = ladder(pending, [], false).label;
    else if (/** @type {Message} */ (m).recalled_at != null) text = 'Recalled';
    else {
      const msg = /** @type {Message} */ (m);
      const t = tally(msg, ch);
      const rung = ladder(null, (msg.acks || []).map((a) => name(a.user_id)), !!t.delivered);
      text = t.total ? receiptLabel(t, name) : rung.label;
      const esc = S.escalations[msg.id]; // an urgent cue insisting: per person, got it or which buzz
      if (esc) {
        const them = (channel(ch.id) || ch).member_ids.filter((id) => id !== S.me?.id);
        text = [escalationLine(esc, them, msg.acks || [], name), stoppedWhy(esc)].filter(Boolean).join(' · ');
        const waiting = them.some((id) => !(msg.acks || []).some((a) => a.user_id === id));
        stop = waiting && insisting(esc, Date.now()) ? h('button', { class: 'small ghost recall stop-buzz', type: 'button', onclick: () => stopBuzzing(msg.id).catch((ex) => toast(errorText(ex))) }, 'Stop buzzing') : '';
      }
    }
    line.dataset.state = m === pending ? pending.state || 'queued' : 'sent';
    // A mis-tap: a queued cue is discarded, a sent one recalled for a few seconds.
    clearTimeout(timer);
    const left = m === pending ? 1 : m.created_at + LIMITS.recallSeconds * 1000 - Date.now();
    const msg = /** @type {Message} */ (m);
    const undo = m === pending ? () => outbox.discard(pending)
      : () => recall(msg).catch((ex) => { toast(errorText(ex)); paint(); });
    if (m !== pending && left > 0 && msg.recalled_at == null) timer = setTimeout(paint, left + 50);
    line.replaceChildren(conn, ' · ', h('span', { class: 'my-cue-text' }, `You: ${label} · ${text}`),
      left > 0 && msg.recalled_at == null ? h('button', { class: 'small ghost recall', type: 'button', onclick: undo }, 'Recall') : '', stop);
  };
  let timer = 0;
  v.cleanup(() => clearTimeout(timer));
  paint();
  for (const topic of ['live', 'messages', 'outbox', 'channels']) v.on(topic, paint);
  addEventListener('online', paint);
  addEventListener('offline', paint);
  v.cleanup(() => { removeEventListener('online', paint); removeEventListener('offline', paint); });
  return line;
}

/** The clock that hides the pad: hold it and let go, press Escape (or Enter), or double-tap to bring the pad back. @param {View} v */
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
  // Named by what it shows (and words only a screen reader says), so that the name holds the visible text.
  const hint = h('span', { class: 'neutral-hint' }, 'Hold to return');
  const neutral = h('button', { class: 'neutral', type: 'button', hidden: true }, h('span', { class: 'vh' }, 'Clock: '),
    time, date, hint, h('span', { class: 'vh' }, ', or press Escape'));
  // A hold returns when the finger lifts, on the clock: never over the pad, where lifting would tap a cue. A tap on
  // the pad just after (a phone's late click where the finger was) is swallowed too.
  let hold = 0, armed = false, quietUntil = 0;
  const disarm = () => { clearTimeout(hold); armed = false; hint.textContent = 'Hold to return'; };
  const show = () => { disarm(); neutral.hidden = true; neutralSet(false); };
  neutral.addEventListener('dblclick', show);
  neutral.addEventListener('pointerdown', () => {
    disarm();
    hold = setTimeout(() => { armed = true; hint.textContent = 'Release to return'; }, 600);
  });
  neutral.addEventListener('pointerup', () => { if (!armed) return disarm(); show(); quietUntil = Date.now() + 500; });
  for (const ev of ['pointercancel', 'pointerleave']) neutral.addEventListener(ev, disarm);
  neutral.addEventListener('contextmenu', (e) => e.preventDefault()); // a long press on iOS/Android
  const quiet = (/** @type {Event} */ e) => {
    if (Date.now() < quietUntil && /** @type {Element} */ (e.target).closest?.('.pad')) { e.preventDefault(); e.stopPropagation(); }
  };
  document.addEventListener('click', quiet, true);
  const onKey = (/** @type {KeyboardEvent} */ e) => !neutral.hidden && (e.key === 'Escape' || e.key === 'Enter') && (e.preventDefault(), show());
  document.addEventListener('keydown', onKey);
  v.cleanup(() => { document.removeEventListener('keydown', onKey); document.removeEventListener('click', quiet, true); disarm(); neutralSet(false); });
  return { neutral, hide: () => {
    neutral.hidden = false;
    neutralSet(true);
    neutral.focus();
    // Nothing on the lock screen or in the shade either: the app's notifications close.
    navigator.serviceWorker?.getRegistration().then((r) => r?.getNotifications()).then((shown) => shown?.forEach((n) => n.close())).catch(() => {});
  } };
}

/** A meeting's table mode: its channel, its bar, and the lead's part. @param {View} v @param {number} id */
export function meetingTable(v, id) {
  const m = S.meetings[id];
  if (!m) {
    v.on('meetings', () => S.meetings[id] && v.go(location.pathname, true));
    return notFound(v, null);
  }
  return tableScreen(v, m.team_id, m.channel_id, id);
}

/** The team and channel are in the URL; without a channel, the team's Everyone.
 * @param {View} v @param {number} teamId @param {number | null} id @param {number} [meetingId] */
export async function tableScreen(v, teamId, id, meetingId) {
  const summary = S.teams.find((t) => t.id === teamId);
  const t = team(teamId);
  const ch = summary && (id != null ? t.channels.find((c) => c.id === id) : t.channels.find((c) => c.kind === 'everyone'));
  if (!summary || !ch) return notFound(v, id);
  await messagesOf(ch.id);
  document.body.classList.add('table');
  v.cleanup(() => { document.body.classList.remove('table'); repaintAlert(); });
  repaintAlert();
  keepAwake(v);
  const meeting = () => (meetingId != null ? S.meetings[meetingId] : null);
  const role = () => seatOf(meeting(), S.me?.id)?.role;
  // In a live meeting, "Let me talk" asks for the floor (seated; else it says to join), never sent as a cue.
  const { pad, paint } = cuePad(ch.id, ch.team_id, {
    order: (cues) => padOrder(cues, role()),
    instead: (cue) => {
      const m = meeting();
      if (cue.code !== FLOOR_CUE || m?.state !== 'live') return false;
      if (!seatOf(m, S.me?.id)) toast('Join the table first to ask for the floor.');
      else askFloor(m.id).catch((ex) => toast(errorText(ex)));
      return true;
    },
  });
  v.on('cues', paint);
  const { neutral, hide } = neutralClock(v);
  const last = incoming(v, ch);
  last.addEventListener('dblclick', hide);
  const part = h('div', { class: 'meeting-part' });
  let drawn = role();
  const paintMeeting = () => {
    const m = meeting();
    part.replaceChildren(...(m ? [meetingBar(v, m), leadPanel(v, m)] : []).filter((x) => x !== null));
    if (role() !== drawn) { drawn = role(); paint(); }
  };
  if (meetingId != null) {
    paintMeeting();
    v.on('meetings', paintMeeting);
    v.on('team', paintMeeting);
    const ticker = setInterval(() => tickAll(part), 1000);
    v.cleanup(() => clearInterval(ticker));
  }
  const m = meeting();
  const screen = h('main', { class: 'screen table-mode' },
    h('header', { class: 'table-bar' },
      h('a', { class: 'icon-btn', href: m ? '/' : backFrom(ch.id), 'aria-label': 'Leave table mode' }, icon('close')),
      h('h1', { class: 'table-title' }, m ? `${m.title}${m.counterpart ? ` · ${m.counterpart}` : ''}` : `${summary.name} · ${channelName(ch)}`),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Hide screen', onclick: hide }, icon('hide'))),
    meetingId != null ? part : null, last, myLastCue(v, ch), pad,
    h('p', { class: 'table-help' }, 'Hide at once: the eye button, or a two-finger tap anywhere. Hold the clock to come back.'), neutral);
  // Quick hide by gesture: two fingers on the screen at once.
  screen.addEventListener('touchstart', (e) => { if (e.touches.length >= 2 && neutral.hidden) { e.preventDefault(); hide(); } });
  // Removed from the team (or the channel): table mode stops and says so.
  const gone = () => {
    if (!leftChannel(ch.id)) return;
    const inTeam = S.teams.some((x) => x.id === teamId);
    neutral.hidden = true;
    neutralSet(false);
    screen.replaceChildren(h('header', { class: 'table-bar' }, h('h1', { class: 'table-title' }, `${summary.name} · ${channelName(ch)}`)),
      h('section', { class: 'last-cue', role: 'alert' },
        h('p', { class: 'waiting' }, inTeam ? `You are no longer in ${channelName(ch)}.` : `You are no longer in ${summary.name}.`),
        h('a', { class: 'button', href: '/' }, 'Home')));
  };
  v.on('teams', gone);
  v.on('channels', gone);
  return screen;
}
