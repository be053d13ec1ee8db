// A channel: its messages (keyed: an event repaints only the message it changed; older pages load on scrolling up,
// the message in view staying put), the cue pad and the composer (multi-line, counted near the limit).
import { h, icon, toast } from '../ui.js';
import { online } from '../api.js';
import * as outbox from '../outbox.js';
import * as push from '../push.js';
import { S, channel, channelName, messagesOf, cachedMessages, channelOpened, channelClosed } from '../store.js';
import { loadHistory, markRead } from '../store/sync.js';
import { sendText } from '../actions.js';
import { bar, notFound, left } from '../components/bar.js';
import { cuePad } from '../components/cue-pad.js';
import { keyed } from '../components/keyed.js';
import { messageItem } from '../components/message.js';
import { sourceOfChannel } from '../store/sources.js';
import { backFrom } from '../panes.js';

export const TEXT_MAX = 4000; // the server's TEXT_MAX (api/actions/messages.py; a unit test holds them equal)
const COUNT_FROM = TEXT_MAX - 500; // the counter shows from here
const AT_PAGES = 5; // older pages read to reach a search result's message before leaving the rest to scrolling
const FOUND_MS = 2500; // how long that message stays marked
/** @param {number} x */
const n = (x) => x.toLocaleString('en');
/** What was typed and not sent, per person and channel: it waits while another screen is open or the window is
 * resized (in memory only: it never outlives the page). @type {Map<string, string>} */
const drafts = new Map();

/** A screen of its own, or on a wide screen one pane of several (`panes`: the channels open side by side).
 * @param {View} v @param {number} id @param {number[] | null} [panes] */
export async function channelScreen(v, id, panes = null) {
  const ch = channel(id);
  if (!ch) return notFound(v, id);
  const source = ch.kind === 'source'; // a source's conversation: text only, no cue pad, no table mode
  channelOpened(id);
  v.cleanup(() => channelClosed(id));
  await messagesOf(id);
  const list = h('ol', { class: 'messages' });
  const latest = h('button', { class: 'latest small', type: 'button', hidden: true }, 'Latest ↓');
  // The scroller is the log (a list may not take that role): new messages are read out as they come.
  const scroller = h('div', { class: 'scroll', role: 'log', 'aria-label': 'Messages' }, list, latest);
  let first = true, stick = false, unseen = 0, found = 0; // found: the message a search result opened at, marked
  /** @type {Promise<void> | null} */
  let loading = null; // the page before, while it comes: a second ask waits for the same one
  /** @type {boolean | null} */
  let more = null; // older messages on the server: unknown until a page says
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const showLatest = () => {
    if (nearBottom()) unseen = 0;
    latest.hidden = nearBottom();
    latest.textContent = unseen ? `${unseen} new · Latest ↓` : 'Latest ↓';
  };
  latest.addEventListener('click', () => { scroller.scrollTop = scroller.scrollHeight; unseen = 0; showLatest(); });
  // Keyed by sender and client id: a message keeps its key from the outbox to the server's copy.
  /** @param {any} m @param {any} [p] its outbox item @returns {[string, HTMLElement]} */
  const row = (m, p) => {
    const el = messageItem(m, ch, p);
    el.classList.toggle('found', m.id === found); // in the rendering, so that a repaint keeps the node
    return [`${m.sender_id} ${m.client_id}`, el];
  };
  const paint = () => {
    const stored = cachedMessages(id);
    const known = new Set(stored.map((m) => m.client_id));
    const pending = outbox.items.filter((i) => i.channel_id === id && i.kind !== 'ack' && !known.has(i.client_id));
    const atBottom = nearBottom();
    // The first message in view and how far down it sits, to keep it there when older ones come in above.
    const top = scroller.getBoundingClientRect().top;
    const anchor = /** @type {HTMLElement | undefined} */ ([...list.querySelectorAll(':scope > .msg')].find((el) => el.getBoundingClientRect().bottom > top));
    const key = anchor?.dataset.key, offset = anchor ? anchor.getBoundingClientRect().top - top : 0;
    const lastKey = list.lastElementChild?.getAttribute('data-key');
    const items = [...stored.map((m) => row(m)), ...pending.map((p) => row({ ...p, sender_id: S.me?.id }, p))];
    /** @type {[string, HTMLElement][]} */
    const head = loading ? [['edge', h('li', { class: 'edge' }, 'Loading earlier messages…')]]
      : more === false && items.length ? [['edge', h('li', { class: 'edge' }, 'Start of the conversation')]] : [];
    keyed(list, items.length ? [...head, ...items] : [['empty', h('li', { class: 'empty' }, source ? 'No messages yet.' : 'No messages yet. Tap a cue to signal your side.')]]);
    if (atBottom || first || stick) scroller.scrollTop = scroller.scrollHeight;
    else {
      const again = [...list.children].find((el) => /** @type {HTMLElement} */ (el).dataset.key === key);
      if (again) scroller.scrollTop += again.getBoundingClientRect().top - top - offset;
      if (items.length && items.at(-1)?.[0] !== lastKey && lastKey) unseen += 1;
    }
    if (scroller.isConnected) first = stick = false; // drawn before its screen is shown: it scrolls once it is
    showLatest();
  };
  const older = () => {
    if (loading || more === false || !online()) return loading;
    loading = loadHistory(id, true).then((m) => { more = m; }, () => { /* offline: try on the next scroll */ })
      .then(() => { loading = null; paint(); });
    paint();
    return loading;
  };
  // A search result opens the channel at its message (/c/<id>?at=<message id>): older pages come until it is here
  // (a few at most), then it is scrolled into view and marked a moment.
  const showAt = async (/** @type {number} */ at) => {
    const here = () => cachedMessages(id).some((m) => m.id === at);
    for (let pages = 0; !here() && more !== false && online() && pages < AT_PAGES; pages++) await older();
    if (!here()) return toast(more === false ? 'That message is no longer in this channel.' : 'That message is further back: scroll up to reach it.');
    found = at;
    paint();
    list.querySelector('.found')?.scrollIntoView({ block: 'center' });
    setTimeout(() => { found = 0; paint(); }, FOUND_MS);
  };
  let pinned = true; // at the bottom: it stays there when the list's box shrinks (a taller composer, a keyboard)
  const keepPinned = () => { if (pinned) scroller.scrollTop = scroller.scrollHeight; showLatest(); };
  new ResizeObserver(keepPinned).observe(scroller);
  list.addEventListener('toggle', keepPinned, true); // a receipt's details opened at the bottom: the newest stay in view
  scroller.addEventListener('scroll', () => {
    pinned = nearBottom();
    showLatest();
    if (scroller.scrollTop < 300 && more) older();
  }, { passive: true });
  v.on('messages', (cid) => cid === id && paint());
  v.on('outbox', paint);
  const { pad, paint: paintPad } = cuePad(id, ch.team_id);
  v.on('cues', paintPad);
  const closed = backFrom(id, true); // where this channel's Close, or losing it, leads: the other panes, or home
  // Alone in it (Leads before a second lead, a group whose others left): what is sent here reaches nobody.
  const alone = h('p', { class: 'alone', role: 'status' });
  const paintAlone = () => { alone.textContent = (channel(id) || ch).member_ids.length > 1 ? '' : 'Only you are in this channel: what you send here reaches no one.'; };
  paintAlone();
  v.on('channels', () => {
    if (left(v, ch, closed)) return;
    const title = root.querySelector('.bar .title'); // renamed: the header says so at once
    if (title && channel(id)) title.textContent = channelName(channel(id));
    paintAlone();
  });

  // Desktop: Enter sends, Shift+Enter is a new line. A touch phone: Enter is a new line, the button sends.
  const touch = matchMedia('(pointer: coarse)').matches;
  const input = h('textarea', { class: 'compose-input', id: `compose-${id}`, name: 'text', 'aria-label': 'Message', placeholder: 'Message', rows: 1, autocomplete: 'off', enterkeyhint: touch ? 'enter' : 'send', 'aria-describedby': `count-${id}` });
  const counter = h('p', { class: 'counter', id: `count-${id}`, hidden: true });
  const note = h('p', { class: 'compose-note', role: 'alert' });
  const length = () => [...input.value.trim()].length; // code points, as the server counts
  const recount = () => {
    const len = length();
    counter.hidden = len < COUNT_FROM;
    counter.textContent = len > TEXT_MAX ? `${n(len)} / ${n(TEXT_MAX)}: ${n(len - TEXT_MAX)} too many` : `${n(len)} / ${n(TEXT_MAX)}`;
    counter.classList.toggle('over', len > TEXT_MAX);
    if (len <= TEXT_MAX) note.textContent = '';
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
  };
  const draft = `${S.me?.id} ${id}`;
  input.value = drafts.get(draft) || '';
  if (input.value) requestAnimationFrame(recount);
  input.addEventListener('input', () => { drafts.set(draft, input.value); recount(); });
  const composer = h('form', { class: 'composer' }, input,
    h('button', { class: 'icon-btn send', type: 'submit', 'aria-label': 'Send' }, icon('send')));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !touch) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (length() > TEXT_MAX) {
      note.textContent = `Not sent: a message can be at most ${n(TEXT_MAX)} characters; this one has ${n(length())}. Shorten it by ${n(length() - TEXT_MAX)}.`;
      return;
    }
    input.value = '';
    drafts.delete(draft);
    recount();
    stick = true;
    sendText(id, text);
  });
  const padToggle = h('button', { class: 'pad-toggle', type: 'button', 'aria-expanded': 'true', 'aria-controls': `pad-${id}` }, 'Cues');
  pad.id = `pad-${id}`;
  padToggle.addEventListener('click', () => {
    const open = pad.hidden;
    pad.hidden = !open;
    padToggle.setAttribute('aria-expanded', String(open));
  });
  const skip = h('a', { class: 'skip', href: `#compose-${id}` }, 'Skip to the message box');
  skip.addEventListener('click', (e) => { e.preventDefault(); input.focus(); });
  const name = channelName(ch);
  const people = h('a', { class: 'icon-btn', href: `/c/${id}/people`, 'aria-label': 'People' }, icon('people'));
  const table = h('a', { class: 'icon-btn', href: `/table/${ch.team_id}/${id}`, 'aria-label': 'Table mode' }, icon('moon'));
  const close = panes && panes.length > 1 ? h('a', { class: 'icon-btn', href: closed, 'aria-label': `Close ${name}` }, icon('close')) : null;
  const about = source ? sourceOfChannel(S, ch) : null; // its page: notes, link, handover, end, what was given
  const page = about ? h('a', { class: 'icon-btn', href: `/sources/${about.id}`, 'aria-label': `${name}'s page` }, icon('settings')) : null;
  const tools = source ? [page] : [people, table];
  const header = panes ? bar(v, name, { heading: 'h2', actions: [...tools, close] }) : bar(v, name, { back: '/', actions: tools });
  const parts = [skip, header, scroller, h('section', { class: 'tray', 'aria-label': `Send in ${name}` }, alone, source ? null : [padToggle, pad], note, counter, composer)];
  const root = panes ? h('section', { class: 'pane chat', 'aria-label': name, 'data-channel': String(id) }, ...parts)
    : h('main', { class: 'screen chat' }, ...parts);
  requestAnimationFrame(paint);
  const at = Number(new URLSearchParams(location.search).get('at'));
  if (online()) loadHistory(id).then((m) => { more = m; paint(); markRead(id); if (at) return showAt(at); }).catch(() => {});
  push.clearNotifications(id);
  return root;
}
