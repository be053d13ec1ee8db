// A wide screen (1024 px and more): my channels in a column beside up to three open channels, each with its own
// messages, cue pad and composer. A phone shows one screen at a time, the first channel of the path.
import { h } from '../ui.js';
import { S, channel } from '../store.js';
import { MAX_PANES, panesPath, remember, wide } from '../panes.js';
import { homeScreen } from './home.js';
import { channelScreen } from './channel.js';

/** @param {View} v @param {number[]} ids the channels named by the path, left to right */
export async function deckScreen(v, ids) {
  if (!ids.length && location.pathname !== '/') return void v.go('/', true); // /c/0 names no channel
  if (!wide()) return ids.length ? channelScreen(v, ids[0]) : homeScreen(v);
  if (!S.teams.length) return homeScreen(v);
  const open = ids.filter((id) => channel(id));
  if (ids.length && !open.length) return channelScreen(v, ids[0]); // it says why the channel is not here
  if (panesPath(open) !== location.pathname) return void v.go(panesPath(open), true); // one not mine, or one twice
  remember(open);
  const panes = open.length ? await Promise.all(open.map((id) => channelScreen(v, id, open)))
    : [h('section', { class: 'pane pane-empty', 'aria-label': 'No channel open' },
      h('p', { class: 'muted' }, 'Choose a channel to open it here.'),
      h('p', { class: 'muted' }, `Then “Open beside”, next to another one in the list, shows up to ${MAX_PANES} side by side.`))];
  const main = h('main', { class: 'panes' }, ...panes);
  main.style.setProperty('--panes', String(panes.length)); // through the CSSOM: the CSP refuses style attributes
  // The first key press still reaches the first channel's composer past the list (the others' links stay in their panes).
  const skip = panes[0].querySelector('.skip');
  return h('div', { class: 'deck' }, skip, homeScreen(v, open), main);
}
