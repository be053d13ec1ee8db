// An incoming cue over any screen (table mode shows it itself): who, which cue, "Got it" or "Dismiss".
import { h, toast } from '../ui.js';
import { signal } from '../haptics.js';
import { S, on, cueOf, channel, channelName, displayName } from '../store.js';
import { ack, errorText } from '../actions.js';

const box = /** @type {HTMLElement} */ (document.getElementById('alert'));
let timer = 0;
/** @type {Message | null} */
let alerting = null; // the cue shown

function hide() {
  box.hidden = true;
  box.replaceChildren();
  alerting = null;
}

const typing = () => document.activeElement?.matches('input, textarea, select, [contenteditable]');

/** @param {Message} m */
function show(m) {
  const cue = cueOf(m.cue, m.team_id);
  const table = document.body.classList.contains('table');
  signal(cue, { alwaysFlash: table, silentScreen: S.neutral });
  if (table) return; // table mode shows the last cue itself
  clearTimeout(timer);
  box.className = `alert ${cue.urgency}`;
  box.setAttribute('role', 'alertdialog');
  box.setAttribute('aria-labelledby', 'alert-label');
  box.replaceChildren(h('div', { class: 'alert-card', tabindex: '-1' },
    h('p', { class: 'alert-from' }, `${displayName(m.sender_id, m.team_id)} · ${channelName(channel(m.channel_id))}`),
    h('h2', { id: 'alert-label', class: 'alert-label' }, cue.label),
    h('button', { class: 'gotit', type: 'button', onclick: async () => {
      hide();
      try { await ack(m); } catch (ex) { toast(errorText(ex)); }
    } }, 'Got it'),
    h('button', { class: 'dismiss', type: 'button', onclick: hide }, 'Dismiss')));
  box.hidden = false;
  alerting = m;
  // Never onto "Got it": the next key someone types would acknowledge a cue they have not read. Someone typing
  // keeps their focus; otherwise the card takes it, so a screen reader reads it and Tab reaches its buttons.
  if (!typing()) /** @type {HTMLElement} */ (box.querySelector('.alert-card')).focus();
  timer = setTimeout(hide, cue.urgency === 'high' ? 20000 : 10000);
}

on('alert', show);
on('acked', (id) => id === alerting?.id && hide());
on('history_cleared', (channelId) => channelId === alerting?.channel_id && hide()); // the cue is gone
