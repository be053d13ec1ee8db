// A screen's top bar: back link, title, actions and the live dot; and the screen for a channel not here.
import { h, icon } from '../ui.js';
import { online } from '../api.js';
import { S } from '../store.js';

/** @param {View} v @param {string | Element} title @param {{back?: string | null, actions?: (Element | null)[]}} [opts] */
export function bar(v, title, { back, actions = [] } = {}) {
  return h('header', { class: 'bar' },
    back ? h('a', { class: 'icon-btn', href: back, 'aria-label': 'Back' }, icon('back')) : null,
    h('h1', { class: 'title' }, title),
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

/** @param {View} v */
export function notFound(v) {
  return h('main', { class: 'screen' }, bar(v, 'Not found', { back: '/' }),
    h('div', { class: 'content' }, h('p', { class: 'muted' }, 'This channel is not available on this device.')));
}
