// Who is in a channel and why; leads manage a group, anyone in it may leave.
import { h, field, toast, checkFields, showFieldErrors } from '../ui.js';
import { S, LEAD, team, channel, channelName, displayName } from '../store.js';
import * as act from '../actions.js';
import { bar, notFound, left } from '../components/bar.js';
import { backFrom } from '../panes.js';

/** @type {Record<string, string>} */
const WHO = { everyone: 'The whole team is in it.', leads: 'Leads and the owner are in it.', direct: 'Just the two of you.' };
/** @param {unknown} ex */
const say = (ex) => toast(act.errorText(ex));
/** Asks first (if `ask`). @param {string} text @param {string} cls @param {string} ask @param {() => Promise<unknown>} run @param {string} [label] */
const asking = (text, cls, ask, run, label) =>
  h('button', { class: cls, type: 'button', 'aria-label': label, onclick: () => (!ask || confirm(ask)) && run().catch(say) }, text);

/** @param {View} v @param {number} id */
export function peopleScreen(v, id) {
  const ch = channel(id);
  if (!ch) return notFound(v, id);
  const title = h('span');
  const body = h('div', { class: 'content stack' });
  const rename = renameForm(ch); // kept: repaints keep what is typed
  const paint = () => {
    const c = channel(id);
    if (!c) return;
    title.textContent = channelName(c);
    const members = team(c.team_id).members;
    const role = (/** @type {number} */ uid) => members.find((m) => m.user_id === uid)?.role || '';
    const group = c.kind === 'group', lead = group && LEAD.has(role(S.me?.id ?? 0));
    const name = (/** @type {number} */ uid) => displayName(uid, c.team_id);
    const row = (/** @type {number} */ uid, /** @type {Element | null} */ tail) => h('li', { class: 'item' },
      h('span', { class: 'row-main row-title' }, uid === S.me?.id ? `${S.me.display_name} (you)` : name(uid)),
      LEAD.has(role(uid)) ? h('span', { class: `role ${role(uid)}` }, role(uid)) : null, tail);
    const remove = (/** @type {number} */ uid) => lead && uid !== S.me?.id
      ? asking('Remove', 'small ghost', `Remove ${name(uid)} from ${c.name}? It leaves their devices, with its history; a lead can add them back.`, () => act.removeFromGroup(c, uid), `Remove ${name(uid)}`) : null;
    const add = (/** @type {number} */ uid) => asking('Add', 'small secondary', '', () => act.addToGroup(c, uid), `Add ${name(uid)}`);
    const outside = members.filter((m) => !c.member_ids.includes(m.user_id));
    body.replaceChildren(.../** @type {Node[]} */ ([
      h('section', { class: 'card stack' }, h('h2', null, `${c.member_ids.length} in this channel`),
        h('ul', { class: 'list' }, c.member_ids.map((uid) => row(uid, remove(uid)))), group ? null : h('p', { class: 'muted' }, WHO[c.kind])),
      lead && rename,
      lead && h('section', { class: 'card stack' }, h('h2', null, 'Add people'),
        outside.length ? h('ul', { class: 'list' }, outside.map((m) => row(m.user_id, add(m.user_id)))) : h('p', { class: 'muted' }, 'Everyone in the team is in it already.')),
      group && asking('Leave group', 'danger', c.member_ids.length > 1 ? `Leave ${c.name}? It leaves your devices; a lead can add you back.`
        : `Leave ${c.name}? You are the last one in it, so it is deleted with its history.`, () => act.removeFromGroup(c, S.me?.id ?? 0)),
      lead && asking('Delete group', 'danger', `Delete ${c.name} and its history for everyone? This cannot be undone.`,
        () => act.deleteGroup(c)),
    ].filter(Boolean)));
  };
  v.on('channels', () => left(v, ch, backFrom(id, true)) || paint());
  v.on('team', paint);
  paint();
  return h('main', { class: 'screen' }, bar(v, title, { back: backFrom(id) }), body);
}

/** Checked as a new channel's name. @param {Channel} ch */
function renameForm(ch) {
  const name = h('input', { name: 'name', required: true, value: ch.name });
  const form = h('form', { class: 'card stack', novalidate: true }, field('Name', name), h('button', { class: 'secondary', type: 'submit' }, 'Rename group'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (checkFields(form, { name: 'name' })) act.renameGroup(ch, name.value.trim()).catch((ex) => showFieldErrors(form, ex) || say(ex));
  });
  return form;
}
