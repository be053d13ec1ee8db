// A channel: its messages (keyed: an event repaints only the message it changed), the cue pad and the composer.
import { h, icon } from '../ui.js';
import { online } from '../api.js';
import * as outbox from '../outbox.js';
import * as push from '../push.js';
import { S, channel, channelName, messagesOf, cachedMessages, channelOpened, channelClosed } from '../store.js';
import { loadHistory, markRead } from '../store/sync.js';
import { sendText } from '../actions.js';
import { bar, notFound } from '../components/bar.js';
import { cuePad } from '../components/cue-pad.js';
import { keyed } from '../components/keyed.js';
import { messageItem } from '../components/message.js';

/** @param {View} v @param {number} id */
export async function channelScreen(v, id) {
  const ch = channel(id);
  if (!ch) return notFound(v);
  channelOpened(id);
  v.cleanup(() => channelClosed(id));
  await messagesOf(id);
  const list = h('ol', { class: 'messages', role: 'log', 'aria-label': 'Messages' });
  const scroller = h('div', { class: 'scroll' }, list);
  let first = true;
  // Keyed by sender and client id: a message keeps its key from the outbox to the server's copy.
  /** @param {any} m @param {any} [p] its outbox item @returns {[string, HTMLElement]} */
  const row = (m, p) => [`${m.sender_id} ${m.client_id}`, messageItem(m, ch, p)];
  const paint = () => {
    const stored = cachedMessages(id);
    const known = new Set(stored.map((m) => m.client_id));
    const pending = outbox.items.filter((i) => i.channel_id === id && i.kind !== 'ack' && !known.has(i.client_id));
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    const items = [...stored.map((m) => row(m)), ...pending.map((p) => row({ ...p, sender_id: S.me?.id }, p))];
    keyed(list, items.length ? items : [['empty', h('li', { class: 'empty' }, 'No messages yet. Tap a cue to signal your side.')]]);
    if (atBottom || first) scroller.scrollTop = scroller.scrollHeight;
    first = false;
  };
  v.on('messages', (cid) => cid === id && paint());
  v.on('outbox', paint);
  const { pad, paint: paintPad } = cuePad(id, ch.team_id);
  v.on('cues', paintPad);
  v.on('channels', () => { if (!channel(id)) v.go('/', true); });
  const input = h('input', { class: 'compose-input', name: 'text', 'aria-label': 'Message', placeholder: 'Message', autocomplete: 'off', maxlength: 4000, enterkeyhint: 'send' });
  const composer = h('form', { class: 'composer' }, input,
    h('button', { class: 'icon-btn send', type: 'submit', 'aria-label': 'Send' }, icon('send')));
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    sendText(id, text);
  });
  const padToggle = h('button', { class: 'pad-toggle', type: 'button', 'aria-expanded': 'true', 'aria-controls': 'pad' }, 'Cues');
  pad.id = 'pad';
  padToggle.addEventListener('click', () => {
    const open = pad.hidden;
    pad.hidden = !open;
    padToggle.setAttribute('aria-expanded', String(open));
  });
  const root = h('main', { class: 'screen chat' },
    bar(v, channelName(ch), { back: '/', actions: [h('a', { class: 'icon-btn', href: `/table/${id}`, 'aria-label': 'Table mode' }, icon('moon'))] }),
    scroller, h('section', { class: 'tray', 'aria-label': 'Send' }, padToggle, pad, composer));
  requestAnimationFrame(paint);
  if (online()) loadHistory(id).then(() => markRead(id)).catch(() => {});
  push.clearNotifications(id);
  return root;
}
