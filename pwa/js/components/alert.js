// Incoming cues over any screen (table mode shows them itself): who, which cue, "Got it" or "Dismiss". A cue stays
// until answered or its time-to-live passes; several stack ("2 cues": one that insists first, else oldest first:
// behind a routine cue it would buzz on unseen). A real dialog: focus held inside,
// Escape closes, focus goes back.
import { h, toast } from '../ui.js';
import { signal } from '../haptics.js';
import { S, on, emit, cueOf, channel, channelName, displayName } from '../store.js';
import { ack, errorText } from '../actions.js';
import { whenText } from './message.js';
import { stacked, expiresAt, countLabel } from '../store/stack.js';
import { insisting } from '../store/meeting.js';

const box = /** @type {HTMLElement} */ (document.getElementById('alert'));
let timer = 0;
/** @type {Message[]} */
export let stack = []; // incoming cues waiting for an answer, oldest first
/** @type {HTMLElement | null} */
let back = null; // where focus goes back to
let backAt = ''; // and how to find it again if its screen was drawn anew meanwhile (a window resized across 1024 px)

/** @param {HTMLElement | null} el */
function remember(el) {
  back = el;
  const href = el?.getAttribute('href');
  backAt = el?.id ? `#${CSS.escape(el.id)}` : href ? `a[href="${CSS.escape(href)}"]` : '';
}

/** @param {Message} m */
export const expiry = (m) => expiresAt(m, cueOf(m.cue, m.team_id).ttl_seconds);
/** Will buzz again (urgent, a live meeting's channel): Dismiss would not stop it. @param {Message} m */
export function insists(m) {
  const e = S.escalations[m.id];
  return e ? insisting(e, Date.now()) : cueOf(m.cue, m.team_id).urgency === 'high' && Object.values(S.meetings).some((x) => x.state === 'live' && x.channel_id === m.channel_id);
}

/** @param {Message[]} next */
function set(next) {
  stack = next.filter((m) => expiry(m) > Date.now()).sort((a, b) => Number(insists(b)) - Number(insists(a)));
  paint();
  emit('stack');
}
/** Dismissed, answered elsewhere, recalled or deleted. @param {(m: Message) => boolean} gone */
export const drop = (gone) => set(stack.filter((m) => !gone(m)));
/** @param {Message} m */
export async function gotIt(m) {
  drop((x) => x.id === m.id);
  try { await ack(m); } catch (ex) { toast(errorText(ex)); }
}

const typing = () => document.activeElement?.matches('input, textarea, select, [contenteditable]');
const table = () => document.body.classList.contains('table');

/** Table mode shows the stack itself: it repaints this when it opens and closes. */
export function paint() {
  clearTimeout(timer);
  const m = stack[0];
  if (stack.length) timer = setTimeout(() => set(stack), Math.min(...stack.map(expiry)) - Date.now() + 50);
  if (!m || table()) {
    const had = box.contains(document.activeElement);
    box.hidden = true;
    box.replaceChildren();
    if (had) (back?.isConnected ? back : backAt ? /** @type {HTMLElement | null} */ (document.querySelector(backAt)) : null)?.focus();
    if (had || !m) remember(null);
    return;
  }
  const cue = cueOf(m.cue, m.team_id);
  box.className = `alert ${cue.urgency}`;
  box.setAttribute('role', 'alertdialog');
  box.setAttribute('aria-modal', 'true');
  box.setAttribute('aria-labelledby', 'alert-label');
  const n = countLabel(stack.length);
  const inside = box.contains(document.activeElement);
  box.replaceChildren(h('div', { class: 'alert-card', tabindex: '-1' },
    n ? h('p', { class: 'alert-count' }, n) : null,
    h('p', { class: 'alert-from' }, `${displayName(m.sender_id, m.team_id)} · ${channel(m.channel_id)?.kind === 'direct' ? 'to you only' : channelName(channel(m.channel_id))} · ${whenText(m)}`),
    h('h2', { id: 'alert-label', class: 'alert-label' }, cue.label),
    h('button', { class: 'gotit', type: 'button', onclick: () => gotIt(m) }, 'Got it'),
    insists(m) ? null : h('button', { class: 'dismiss', type: 'button', onclick: () => drop((x) => x.id === m.id) }, 'Dismiss')));
  const wasHidden = box.hidden;
  box.hidden = false;
  // Never onto "Got it": the next key someone types would acknowledge a cue they have not read. Someone typing
  // keeps their focus; otherwise the card takes it, so a screen reader reads it and Tab reaches its buttons.
  if (inside || (wasHidden && !typing())) {
    if (wasHidden) remember(/** @type {HTMLElement | null} */ (document.activeElement));
    /** @type {HTMLElement} */ (box.querySelector('.alert-card')).focus();
  }
}

// Focus stays inside while it is there (Tab wraps); Escape dismisses the cue on top.
box.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    e.preventDefault();
    if (stack[0] && !insists(stack[0])) drop((x) => x.id === stack[0].id);
  } else if (e.key === 'Tab') {
    const buttons = [...box.querySelectorAll('button')];
    const first = buttons[0], last = buttons.at(-1);
    if (e.shiftKey && (document.activeElement === first || document.activeElement?.classList.contains('alert-card'))) { e.preventDefault(); last?.focus(); }
    else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first?.focus(); }
  }
});

/** @param {Message} m */
function show(m) {
  signal(cueOf(m.cue, m.team_id), { silentScreen: S.neutral });
  set(stacked(stack, m));
}

on('alert', show);
on('acked', (id) => drop((m) => m.id === id));
on('floor', () => table() || toast('You have the floor.')); // table mode's meeting bar says it there
on('floor_lost', (text) => toast(text));
on('insist', () => stack.length && paint());
on('history_cleared', (channelId) => drop((m) => m.channel_id === channelId)); // the cues are gone
// A recalled cue leaves the stack, and its notification (if this device showed one) closes.
on('recalled', (id) => {
  drop((m) => m.id === id);
  navigator.serviceWorker?.getRegistration().then((r) => r?.getNotifications()).then((shown) => {
    for (const n of shown || []) if (n.data?.message_id === id) n.close();
  }).catch(() => {});
});
on('teams', () => drop((m) => !S.teams.some((t) => t.id === m.team_id)));
