// Search: message text in my channels of one team, newest first, as I type. The query stays in the address (?q=),
// so Back from a result opens the same results again.
import { h, icon, clock, showFieldErrors, clearErrors, fieldError } from '../ui.js';
import { LIMITS } from '../limits.js';
import { online } from '../api.js';
import { S, channel, channelName, displayName } from '../store.js';
import { isSource } from '../store/sources.js';
import { errorText, searchMessages } from '../actions.js';
import { bar } from '../components/bar.js';
import { homePath } from '../panes.js';

const RESULTS = 20; // asked for at a time: a few screens of results, the newest first
const PAUSE_MS = 300; // searching as one types starts once the typing pauses this long
const OFFLINE = 'Search needs a connection.';
const dayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** "14:03" today, "12 Nov, 14:03" before: results go back further than a day. @param {number} ms */
function when(ms) {
  const d = new Date(ms);
  const today = d.toDateString() === new Date().toDateString();
  return h('time', { datetime: d.toISOString() }, today ? clock(ms) : `${dayFmt.format(d)}, ${clock(ms)}`);
}

/** The snippet's text, each matched word (the server puts it between U+0002 and U+0003) in a <mark>; a mark the
 * text itself held shows nothing. @param {string} snippet */
const marked = (snippet) => snippet.split(/\x02([^\x02\x03]*)\x03/)
  .map((part, i) => (i % 2 ? h('mark', null, part) : part.replace(/[\x02\x03]/g, ''))).filter((part) => part !== '');

/** @param {SearchHit} hit @param {number} teamId */
function hitItem(hit, teamId) {
  const ch = channel(hit.channel_id);
  const who = ch && isSource(S, ch, hit.sender_id) ? ch.name : displayName(hit.sender_id, teamId); // by pseudonym
  return h('li', null, h('a', { class: 'hit', href: `/c/${hit.channel_id}?at=${hit.id}` },
    h('span', { class: 'hit-head' }, h('span', { class: 'hit-channel' }, channelName(ch)),
      h('span', { class: 'hit-who' }, who), when(hit.created_at)),
    h('span', { class: 'snippet' }, marked(hit.snippet))));
}

/** What the results say above the list. @param {number} count @param {string} q */
function tally(count, q) {
  if (!count) return `No messages match “${q}” in your channels.`;
  if (count === RESULTS) return `The newest ${RESULTS} messages that match “${q}”: add a word to narrow them down.`;
  return count === 1 ? `1 message matches “${q}”.` : `${count} messages match “${q}”.`;
}

/** @param {View} v @param {number} teamId */
export function searchScreen(v, teamId) {
  if (!S.teams.some((t) => t.id === teamId)) {
    return h('main', { class: 'screen' }, bar(v, 'Search', { back: homePath() }), h('div', { class: 'content' }, h('p', null, 'This team is not one of yours.')));
  }
  const input = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off',
    enterkeyhint: 'search', placeholder: 'A word from a message', value: new URLSearchParams(location.search).get('q') || '' });
  const form = h('form', { class: 'field search-form', role: 'search', novalidate: true },
    h('label', { for: 'q' }, 'Search messages'),
    h('div', { class: 'inline' }, input, h('button', { class: 'primary', type: 'submit' }, icon('search'), 'Search')));
  const status = h('p', { class: 'search-status', role: 'status' });
  const list = h('ol', { class: 'results', 'aria-label': 'Results' });
  let asked = 0, timer = 0;
  /** @param {string} text @param {boolean} [error] @param {SearchHit[]} [hits] the list's new results, if any */
  const say = (text, error = false, hits) => {
    status.textContent = text;
    status.classList.toggle('error', error);
    if (hits) list.replaceChildren(...hits.map((hit) => hitItem(hit, teamId)));
  };
  const run = async () => {
    clearTimeout(timer);
    clearErrors(form);
    const q = input.value.trim(), mine = ++asked;
    history.replaceState(null, '', q ? `?q=${encodeURIComponent(q)}` : location.pathname);
    if (!q) return say('Type a word to find the messages that hold it, in every channel of yours.', false, []);
    const length = [...q].length; // never cut: a long search (typed, pasted, or from the address) is told
    if (length > LIMITS.search) {
      fieldError(input, `Searches are at most ${LIMITS.search} characters; this one has ${length}.`);
      return say('', false, []);
    }
    if (!online()) return say(OFFLINE, true, []);
    say('Searching…'); // the last results stay until the new ones come
    try {
      const hits = await searchMessages(teamId, q, RESULTS);
      if (mine === asked) say(tally(hits.length, q), false, hits);
    } catch (ex) {
      if (mine !== asked) return;
      if (showFieldErrors(form, ex, { q: 'Search for at least one word: letters or digits.' })) say('', false, []);
      else say(/** @type {{status?: number}} */ (ex).status === 0 ? OFFLINE : errorText(ex), true, []);
    }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, PAUSE_MS); });
  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  addEventListener('online', run);
  v.cleanup(() => { clearTimeout(timer); removeEventListener('online', run); });
  run();
  if (!input.value) requestAnimationFrame(() => input.focus()); // not when back from a result: the keyboard would cover it
  return h('main', { class: 'screen' }, bar(v, 'Search', { back: homePath() }),
    h('div', { class: 'content stack' }, form, status, list));
}
