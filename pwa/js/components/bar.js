// A screen's top bar: back link, title, actions and the live dot; and the screen for a channel not here.
import { h, icon, toast } from '../ui.js';
import { online } from '../api.js';
import { S, channel, channelName, leftChannel } from '../store.js';

/** A pane beside others titles itself one level down, under the page's own heading (the team, in the side column).
 * @param {View} v @param {string | Element} title @param {{back?: string | null, actions?: (Element | null)[], heading?: 'h1' | 'h2'}} [opts] */
export function bar(v, title, { back, actions = [], heading = 'h1' } = {}) {
  return h('header', { class: 'bar' },
    back ? h('a', { class: 'icon-btn', href: back, 'aria-label': 'Back' }, icon('back')) : null,
    h(heading, { class: 'title' }, title),
    h('div', { class: 'actions' }, actions),
    liveDot(v));
}

/** @param {View} v */
function liveDot(v) {
  const dot = h('span', { class: 'live', role: 'status' });
  const paint = () => {
    const state = !online() ? 'offline' : S.live;
    dot.dataset.state = state;
    dot.textContent = { live: '', connecting: 'Connecting…', elsewhere: 'Live in another tab' }[state] ?? 'Offline';
  };
  paint();
  v.on('live', paint);
  return dot;
}

export const settingsLink = () => h('a', { class: 'icon-btn', href: '/settings', 'aria-label': 'Settings' }, icon('settings'));

/** The screen for a channel this device does not hold: not the user's (never theirs, left, or deleted), or not
 * synced yet. It says which it can tell, and opens the channel if a sync brings it (just added to a group).
 * @param {View} v @param {number | null} id */
export function notFound(v, id) {
  v.on('channels', () => { if (id != null && channel(id)) v.go(location.pathname, true); });
  const why = online()
    ? 'You are not in this channel: it is not one of yours, you were taken out of it, or it was deleted.'
    : 'You are offline and this channel is not on this device. If it is yours, it opens once you connect.';
  return h('main', { class: 'screen' }, bar(v, 'Channel not available', { back: '/' }),
    h('div', { class: 'content stack' }, h('p', null, why), h('a', { class: 'button secondary', href: '/' }, 'Back to my channels')));
}

/** Taken out of the channel on screen (removed, the group deleted, no longer a lead): it says so, never a silent
 * jump, and goes `to`. Returns whether it went. @param {View} v @param {Channel} ch @param {string} to */
export function left(v, ch, to) {
  if (!leftChannel(ch.id)) return false;
  toast(`You are no longer in ${channelName(ch)}.`);
  v.go(to, true);
  return true;
}
