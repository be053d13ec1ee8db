// Home: my team's channels (keyed: an event repaints one row), new channel, direct message, table mode.
import { h, icon, field, toast, checkFields, showFieldErrors } from '../ui.js';
import { online } from '../api.js';
import { S, team, isLead, channelName, teamChosen, channel } from '../store.js';
import { createChannel, openDirect, errorText } from '../actions.js';
import { bar, settingsLink } from '../components/bar.js';
import { installPrompt } from '../components/install.js';
import { keyed } from '../components/keyed.js';
import { onboardingScreen } from './join.js';
import { besideOpen, besidePath } from '../panes.js';
import { liveCard } from '../components/meeting.js';
import { liveIn, seatOf } from '../store/meeting.js';


/** @type {Record<string, number>} */
const KIND_ORDER = { everyone: 0, leads: 1, group: 2, direct: 3, source: 4 };
/** @type {Record<string, string>} */
const KIND_HINT = { everyone: 'Whole team', leads: 'Leads only', direct: 'One-to-one', source: 'Your source: only you talk to them' };
/** Each kind its own mark, so that a group never passes for Everyone (a one-to-one shows the teammate's initial).
 * @type {Record<string, () => Element | string>} */
const GLYPH = { everyone: () => icon('people'), leads: () => icon('lock'), group: () => '#' };

/** A channel in the list; beside open channels (a wide screen), it says whether it is open or offers to open beside.
 * @param {Channel} c @param {number[] | null} panes */
function channelRow(c, panes) {
  const row = rowLink(c, !!panes?.includes(c.id));
  if (!panes?.length || panes.includes(c.id)) return row;
  return h('div', { class: 'row-pair' }, row,
    h('a', { class: 'icon-btn beside', href: besidePath(panes, c.id), 'aria-label': `Open ${channelName(c)} beside`, title: 'Open beside' }, icon('beside')));
}

/** @param {Channel} c @param {boolean} open */
function rowLink(c, open) {
  return h('a', { class: `row ${c.unread ? 'unread' : ''}`, href: `/c/${c.id}`, 'data-kind': c.kind, 'aria-current': open ? 'page' : null },
    h('span', { class: `glyph ${c.kind}`, 'aria-hidden': 'true' }, GLYPH[c.kind]?.() ?? channelName(c).slice(0, 1)),
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, channelName(c)),
      h('small', null, c.kind === 'group' ? `Group · ${c.member_ids.length} people` : KIND_HINT[c.kind])),
    c.unread ? h('span', { class: 'badge' }, String(c.unread), h('span', { class: 'badge-word' }, ' unread')) : null);
}

/** The home screen; on a wide screen, the column beside the open channels (`panes`). @param {View} v @param {number[] | null} [panes] */
export function homeScreen(v, panes = null) {
  if (!S.teams.length) return onboardingScreen(v);
  const current = S.teams.find((t) => t.id === S.teamId) || S.teams[0];
  if (current.id !== S.teamId) teamChosen(current.id);
  const title = S.teams.length > 1
    ? h('select', { class: 'team-select', 'aria-label': 'Team', onchange: async (/** @type {Event} */ e) => {
      await teamChosen(+(/** @type {HTMLSelectElement} */ (e.target).value));
      v.go('/', true);
    } }, S.teams.map((t) => h('option', { value: String(t.id), selected: t.id === current.id }, t.name)))
    : current.name;
  const list = h('nav', { class: 'channels', 'aria-label': 'Channels' });
  const extra = h('div', { class: 'stack' });
  const paint = () => {
    const chans = [...team().channels].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || channelName(a).localeCompare(channelName(b)));
    /** @type {[string, HTMLElement][]} */
    const rows = chans.map((c) => [String(c.id), channelRow(c, panes)]);
    const at = chans.findIndex((c) => c.kind === 'source'); // my sources' conversations, under their own heading
    if (at >= 0) rows.splice(at, 0, ['sources', h('h2', { class: 'group-head' }, 'Sources')]);
    keyed(list, chans.length ? rows
      : [['none', h('p', { class: 'muted' }, online() ? 'Loading channels…' : 'Offline: channels appear once you connect.')]]);
  };
  paint();
  v.on('channels', paint);
  v.on('teams', paint);
  // The team's live meeting on top; the others (and planning one) on the Meetings screen.
  const meeting = h('div', { class: 'stack' });
  const moon = panes ? null : h('a', { class: 'icon-btn', href: `/table/${current.id}`, 'aria-label': 'Table mode' }, icon('moon'));
  const cta = h('a', { class: 'button table-cta', href: `/table/${current.id}` }, icon('moon'), 'Start table mode');
  const paintMeeting = () => {
    const m = liveIn(S.meetings, current.id);
    // In a live meeting (of my channel), its table mode
    const href = m && channel(m.channel_id) ? `/meetings/${m.id}/table` : `/table/${current.id}`;
    for (const a of [moon, cta]) a?.setAttribute('href', href);
    const key = `${m?.id}:${!!seatOf(m, S.me?.id)}`; // drawn anew only when it changes: a choice half made stays
    if (meeting.dataset.key !== key) meeting.replaceChildren(m ? liveCard(v, m) : '');
    meeting.dataset.key = key;
  };
  paintMeeting();
  v.on('meetings', paintMeeting);
  const newChannel = isLead() ? h('button', { class: 'secondary', type: 'button', onclick: () => toggle(extra, groupForm(v)) }, icon('plus'), 'New channel') : null;
  const direct = h('button', { class: 'secondary', type: 'button', onclick: () => toggle(extra, directPicker(v)) }, 'Direct message');
  return h(panes ? 'aside' : 'main', { class: panes ? 'screen side' : 'screen', 'aria-label': panes ? 'My channels' : null },
    bar(v, title, { actions: [ // (the column keeps its width for the team's name: "Start table mode" is below)
      moon,
      h('a', { class: 'icon-btn', href: '/team', 'aria-label': 'Team' }, icon('people')),
      settingsLink()] }),
    h('div', { class: 'content stack' }, installPrompt(), meeting,
      // Looks like the field it opens; not in the bar, where a fourth icon would cut the team's name on a phone.
      h('a', { class: 'search-link', href: `/search/${current.id}` }, icon('search'), 'Search messages'), list, h('div', { class: 'row-actions' }, newChannel, direct), extra,
      cta,
      h('div', { class: 'row-actions' }, h('a', { class: 'button secondary', href: '/meetings' }, 'Meetings'),
        h('a', { class: 'button secondary', href: '/sources' }, 'Sources'), h('a', { class: 'button secondary', href: '/intel' }, 'Intel log')),
      h('p', { class: 'hint muted' }, 'In the meeting, table mode keeps the screen black and awake with just the cue pad.')));
}

/** Opens a form under the buttons, or closes it when it is the one open. @param {Element} holder @param {HTMLElement} el */
function toggle(holder, el) {
  const same = /** @type {HTMLElement | null} */ (holder.firstChild)?.dataset?.kind === el.dataset.kind;
  holder.replaceChildren(...(same ? [] : [el]));
  /** @type {HTMLElement | null} */ (el.querySelector('input, button'))?.focus();
}

/** A new channel opens beside the channels open on a wide screen, or alone.
 * @param {View} v @param {Promise<number>} opening the channel's id @param {Element} [form] shows field errors */
const openWhenMade = (v, opening, form) => opening.then((id) => v.go(besideOpen(id)), (ex) => {
  if (!form || !showFieldErrors(form, ex)) toast(errorText(ex));
});

/** @param {View} v */
function groupForm(v) {
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Pricing' });
  const picks = team().members.filter((m) => m.user_id !== S.me?.id).map((m) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: String(m.user_id) }), m.display_name));
  const pickError = h('p', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'card stack', 'data-kind': 'group', novalidate: true }, h('h2', null, 'New channel'), field('Name', name),
    h('fieldset', { class: 'stack' }, h('legend', null, 'Members'), picks.length ? picks : h('p', { class: 'muted' }, 'Invite people first.'), pickError),
    h('button', { class: 'primary', type: 'submit' }, 'Create channel'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!checkFields(form, { name: 'name' })) return;
    const members = [...form.querySelectorAll('input[type=checkbox]:checked')].map((i) => +(/** @type {HTMLInputElement} */ (i).value));
    // A channel of one is a note to self: more likely a forgotten tick than meant.
    pickError.textContent = picks.length && !members.length ? 'Pick at least one teammate.' : '';
    if (pickError.textContent) return;
    openWhenMade(v, createChannel(name.value.trim(), members), form);
  });
  return form;
}

/** @param {View} v */
function directPicker(v) {
  const people = team().members.filter((m) => m.user_id !== S.me?.id);
  return h('div', { class: 'card stack', 'data-kind': 'direct' }, h('h2', null, 'Message a teammate'),
    people.length ? people.map((m) => h('button', { class: 'row', type: 'button', onclick: () => openWhenMade(v, openDirect(m.user_id)) },
      h('span', { class: 'glyph direct', 'aria-hidden': 'true' }, m.display_name.slice(0, 1)), h('span', { class: 'row-title' }, m.display_name)))
      : h('p', { class: 'muted' }, 'No teammates yet: invite them from Team.'));
}
