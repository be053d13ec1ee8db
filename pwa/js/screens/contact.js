// A source's screens (docs/sources.md): what its link opens, its one conversation, the page once it ended. Plain
// and dark: nothing here names a team, a channel or a cue.
import { h, icon } from '../ui.js';
import { online } from '../api.js';
import * as outbox from '../outbox.js';
import * as push from '../push.js';
import { S, channel, messagesOf, cachedMessages, channelOpened, channelClosed } from '../store.js';
import { loadHistory, markRead } from '../store/sync.js';
import { sendText, errorText } from '../actions.js';
import { joinContact, contactEnded, said } from '../guest.js';
import { bar } from '../components/bar.js';
import { keyed } from '../components/keyed.js';
import { messageItem } from '../components/message.js';
import { TEXT_MAX } from './channel.js';

/** @param {...any} kids */
const plain = (...kids) => h('main', { class: 'screen gate guest' }, ...kids);

/** @param {View} v @param {string} token */
export function contactGate(v, token) {
  const err = h('p', { class: 'error', role: 'alert' });
  const open = h('button', { class: 'primary', type: 'button', onclick: () => {
    open.disabled = true;
    err.textContent = '';
    joinContact(token).then(() => v.go('/', true), (ex) => {
      err.textContent = ex?.code === 'offline' ? 'You are offline. Connect, then tap Open again.' : errorText(ex);
      open.disabled = false;
    });
  } }, 'Open');
  return plain(h('h1', null, 'A private conversation'), err, open);
}

// Reopened later, it says nothing at all: whoever picks up the phone must not learn there was a conversation.
export const goneScreen = () => plain(h('h1', null, said || 'Nothing here.'), said ? h('p', { class: 'muted' }, 'Nothing of it is kept on this phone.') : null);

/** Notifications (content-free) and leaving. @param {View} v */
function options(v) {
  const uid = S.me?.id ?? 0;
  const note = h('p', { class: 'muted', role: 'status' });
  const bell = h('button', { class: 'secondary', type: 'button' });
  const paint = async (failed = false) => {
    const st = await push.state(uid);
    bell.hidden = st !== 'on' && st !== 'off';
    bell.textContent = `Turn ${st === 'on' ? 'off' : 'on'} notifications`;
    note.textContent = failed ? 'Notifications could not be turned on here. Try again later.'
      : /** @type {Record<string, string>} */ ({ on: 'Notifications never show what was written.', blocked: 'Notifications are blocked in this browser’s settings.', install: 'Add this page to your Home Screen to get notifications.' })[st] || '';
  };
  bell.addEventListener('click', async () => {
    bell.disabled = true;
    const failed = await ((await push.state(uid)) === 'on' ? push.disable() : push.enable(uid)).then(() => false, () => true);
    bell.disabled = false;
    paint(failed);
  });
  paint();
  const leave = h('button', { class: 'danger', type: 'button', onclick: async () => {
    if (!confirm('Leave this conversation on this phone? All of it is deleted from this phone, which cannot open it again.')) return;
    await contactEnded(true);
    v.go('/', true);
  } }, 'Leave this conversation on this phone');
  return h('div', { class: 'content stack', id: 'guest-options', hidden: true }, bell, note, leave);
}

/** The conversation: the handler's messages and mine (from the outbox until sent), older ones on scrolling up.
 * @param {View} v */
export async function contactScreen(v) {
  const id = /** @type {Contact} */ (S.contact).channel_id;
  channelOpened(id);
  v.cleanup(() => channelClosed(id));
  await messagesOf(id);
  const list = h('ol', { class: 'messages' });
  const scroller = h('div', { class: 'scroll', role: 'log', 'aria-label': 'Messages' }, list);
  let pinned = true, more = false, loading = false;
  const paint = () => {
    const ch = channel(id);
    if (!ch) return;
    const stored = cachedMessages(id);
    const known = new Set(stored.map((m) => m.client_id));
    const pending = outbox.items.filter((i) => i.channel_id === id && i.kind !== 'ack' && !known.has(i.client_id));
    const below = scroller.scrollHeight - scroller.scrollTop; // kept when older messages come in above
    /** @type {[string, HTMLElement][]} */
    const items = [...stored.map((m) => /** @type {[string, HTMLElement]} */ ([`${m.sender_id} ${m.client_id}`, messageItem(m, ch)])),
      ...pending.map((p) => /** @type {[string, HTMLElement]} */ ([`${S.me?.id} ${p.client_id}`, messageItem(/** @type {any} */ ({ ...p, sender_id: S.me?.id }), ch, p)]))];
    keyed(list, items.length ? items : [['empty', h('li', { class: 'empty' }, 'No messages yet.')]]);
    scroller.scrollTop = pinned ? scroller.scrollHeight : scroller.scrollHeight - below;
  };
  new ResizeObserver(() => { if (pinned) scroller.scrollTop = scroller.scrollHeight; }).observe(scroller);
  scroller.addEventListener('scroll', () => {
    pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    if (scroller.scrollTop > 300 || !more || loading || !online()) return;
    loading = true;
    loadHistory(id, true).then((m) => { more = m; }, () => {}).then(() => { loading = false; });
  }, { passive: true });
  v.on('messages', (cid) => cid === id && paint());
  v.on('outbox', paint);

  const input = h('textarea', { class: 'compose-input', name: 'text', 'aria-label': 'Message', placeholder: 'Message', rows: 1, autocomplete: 'off' });
  const note = h('p', { class: 'compose-note', role: 'alert' });
  const composer = h('form', { class: 'composer' }, input, h('button', { class: 'icon-btn send', type: 'submit', 'aria-label': 'Send' }, icon('send')));
  // Desktop: Enter sends, Shift+Enter is a new line. A touch phone: Enter is a new line, the button sends.
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !matchMedia('(pointer: coarse)').matches) { e.preventDefault(); composer.requestSubmit(); }
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    const n = [...text].length;
    note.textContent = n > TEXT_MAX ? `Not sent: at most ${TEXT_MAX} characters; this one has ${n}.` : '';
    if (!n || n > TEXT_MAX) return;
    input.value = '';
    pinned = true;
    sendText(id, text);
  });

  const panel = options(v);
  const opts = h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Options', 'aria-expanded': 'false', 'aria-controls': panel.id, onclick: () => {
    panel.hidden = !panel.hidden;
    opts.setAttribute('aria-expanded', String(!panel.hidden));
  } }, icon('settings'));
  const header = bar(v, S.contact?.handler_name || '', { actions: [opts] });
  const handed = h('p', { class: 'handed muted', role: 'status' });
  const painted = () => {
    header.querySelector('.title')?.replaceChildren(S.contact?.handler_name || '');
    handed.textContent = S.contact?.handed_from ? `${S.contact.handler_name} answers here now, in place of ${S.contact.handed_from}.` : '';
    handed.hidden = !S.contact?.handed_from;
  };
  painted();
  v.on('contact', painted); // handed over
  requestAnimationFrame(paint);
  if (online()) loadHistory(id).then((m) => { more = m; markRead(id); }).catch(() => {});
  push.clearNotifications(id);
  return h('main', { class: 'screen chat guest' }, header, handed, panel, scroller, h('section', { class: 'tray', 'aria-label': 'Reply' }, note, composer));
}
