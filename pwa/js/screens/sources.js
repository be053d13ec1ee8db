// The team's sources (docs/sources.md): the list (pseudonym, handler, state, track record) and adding one; a source's
// page: its handler's notes, link, handover, end and what was given; the exchange (given beside got) for leads.
import { h, field, toast, fieldError, showFieldErrors } from '../ui.js';
import { LIMITS } from '../limits.js';
import { S, team, isLead, displayName } from '../store.js';
import { recordText, grade } from '../store/sources.js';
import * as act from '../intel.js';
import { errorText } from '../actions.js';
import { bar } from '../components/bar.js';

/** @type {Record<string, string>} */
const STATE = { invited: 'link not used yet', open: 'in contact', ended: 'contact ended' };
/** @param {unknown} ex */
const say = (ex) => toast(errorText(ex));
/** @param {number} at */
export const day = (at) => new Date(at).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
/** @param {Source} x */
const handlerText = (x) => x.handler_id === S.me?.id ? 'You handle it' : `Handled by ${displayName(x.handler_id, x.team_id)}`;
/** @param {Source} x */
export const aboutSource = (x) => `${handlerText(x)} · ${STATE[x.state]} · ${recordText(x.record)}`;
/** @param {string} name @param {Record<string, any>} [props] */
export const area = (name, props) => h('textarea', { name, rows: 3, ...props });

/** The single-use link, to send the source privately; Copy. @param {string} pseudonym @param {SourceLink} link */
function linkCard(pseudonym, link) {
  const url = `${location.origin}/#/contact/${link.token}`; // after '#': the token never reaches a server's log
  const box = h('input', { readonly: true, value: url, class: 'mono', 'aria-label': `Contact link for ${pseudonym}` });
  return h('div', { class: 'note stack link-card' },
    h('p', null, `Send this link to ${pseudonym} yourself, privately. It works once, until ${day(link.expires_at)}.`),
    h('div', { class: 'inline' }, box, h('button', { class: 'small secondary', type: 'button', onclick: async () => {
      try { await navigator.clipboard.writeText(url); toast('Link copied'); } catch { box.focus(); box.select(); toast('Select and copy the link'); }
    } }, 'Copy')));
}

/** @param {View} v */
export function sourcesScreen(v) {
  const teamId = S.teamId;
  if (teamId == null) return void v.go('/', true);
  const list = h('ul', { class: 'list' });
  const paint = () => {
    const all = team(teamId).sources || [];
    list.replaceChildren(...(all.length ? all.map((x) => h('li', { class: 'item' }, h('a', { class: 'row-main plain-link', href: `/sources/${x.id}` },
      h('span', { class: 'row-title' }, x.pseudonym), h('small', null, aboutSource(x)))))
      : [h('li', { class: 'muted' }, 'No sources yet.')]));
  };
  paint();
  v.on('sources', paint);
  act.loadSources(teamId).catch(say);
  return h('main', { class: 'screen' }, bar(v, 'Sources', { back: '/' }), h('div', { class: 'content stack' },
    h('p', { class: 'muted' }, 'People on the other side who talk to one of you. The team sees a pseudonym only.'),
    h('section', { class: 'card stack' }, h('h2', null, 'Our sources'), list), addForm(teamId),
    h('a', { class: 'button secondary', href: '/intel' }, 'Intel log')));
}

/** @param {number} teamId */
function addForm(teamId) {
  const name = h('input', { name: 'pseudonym', required: true, maxlength: LIMITS.pseudonym, placeholder: 'e.g. Nightingale', autocomplete: 'off' });
  const notes = area('notes', { maxlength: LIMITS.sourceNotes });
  const made = h('div');
  const form = h('form', { class: 'card stack', novalidate: true }, h('h2', null, 'Add a source'),
    field('Pseudonym', name, 'What the team calls them'), field('Private notes', notes, 'Who they really are: only you can read this'),
    h('button', { class: 'primary', type: 'submit' }, 'Add source'), made);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const pseudonym = name.value.trim();
    fieldError(name, pseudonym ? '' : 'Enter a pseudonym.');
    if (!pseudonym) return name.focus();
    act.addSource(teamId, pseudonym, notes.value.trim()).then((x) => {
      name.value = notes.value = '';
      made.replaceChildren(x.link?.token ? linkCard(x.pseudonym, x.link) : '', h('a', { href: `/sources/${x.id}` }, `${x.pseudonym}'s page`));
    }, (ex) => { if (!showFieldErrors(form, ex)) say(ex); });
  });
  return form;
}

/** @param {View} v @param {number} id */
export async function sourceScreen(v, id) {
  /** @type {Source | HandledSource} */
  let x;
  try { x = await act.readSource(id); } catch (ex) {
    return h('main', { class: 'screen' }, bar(v, 'Source', { back: '/sources' }), h('div', { class: 'content' }, h('p', null, errorText(ex))));
  }
  const was = x;
  const about = h('small');
  const paintAbout = () => {
    const now = (team(x.team_id).sources || []).find((y) => y.id === id) || x;
    // Handed over, ended, joined: the page is drawn anew for what it now allows.
    if (now.handler_id !== was.handler_id || now.state !== was.state) return v.go(location.pathname, true);
    about.textContent = aboutSource(now);
  };
  paintAbout();
  v.on('sources', (sid) => (sid == null || sid === id) && paintAbout());
  const handled = 'notes' in x ? /** @type {HandledSource} */ (x) : null;
  /** @type {(HTMLElement | null)[]} */
  const parts = [h('section', { class: 'card stack' }, h('h2', null, x.pseudonym), about)];
  if (handled && x.state !== 'ended') parts.push(...handlerParts(v, handled));
  if (handled || isLead()) parts.push(exchangeView(v, x, !!handled && x.state !== 'ended'));
  return h('main', { class: 'screen' }, bar(v, x.pseudonym, { back: '/sources' }), h('div', { class: 'content stack' }, parts));
}

/** The handler's own: the conversation, notes, link, handover, end. @param {View} v @param {HandledSource} x */
function handlerParts(v, x) {
  const notes = area('notes', { value: x.notes, maxlength: LIMITS.sourceNotes, rows: 4 });
  const notesForm = h('form', { class: 'stack', novalidate: true }, field('Private notes', notes, 'Who they really are: only you can read this'),
    h('button', { class: 'secondary', type: 'submit' }, 'Save notes'));
  notesForm.addEventListener('submit', (e) => {
    e.preventDefault();
    act.editSource(x.id, { notes: notes.value.trim() }).then(() => toast('Notes saved'), (ex) => showFieldErrors(notesForm, ex) || say(ex));
  });
  const linkBox = h('div', { class: 'stack' }, x.link?.token ? linkCard(x.pseudonym, x.link) : h('p', { class: 'muted' }, x.state === 'invited'
    ? `A link is out until ${x.link ? day(x.link.expires_at) : '…'}. A new one shows here; the old one stops working.`
    : 'A new link moves the conversation to a new phone of theirs: the one they use now is signed out.'));
  const others = team(x.team_id).members.filter((m) => m.user_id !== S.me?.id);
  const to = h('select', { 'aria-label': 'Hand over to' }, others.map((m) => h('option', { value: String(m.user_id) }, m.display_name)));
  return [
    x.channel_id ? h('a', { class: 'button primary', href: `/c/${x.channel_id}` }, 'Open the conversation') : null,
    // Folded until asked for: who the source is must not be readable over a shoulder at the table.
    h('details', { class: 'card stack' }, h('summary', null, 'Show the private notes'), notesForm),
    h('section', { class: 'card stack' }, h('h2', null, 'Link'), linkBox, h('button', { class: 'secondary', type: 'button', onclick: () =>
      (x.state === 'invited' || confirm(`Make a new link for ${x.pseudonym}? The phone they use now is signed out once they open it.`))
      && act.newLink(x.id).then((link) => linkBox.replaceChildren(linkCard(x.pseudonym, link)), say) }, 'New link')),
    h('section', { class: 'card stack' }, h('h2', null, 'Hand over'), others.length ? h('div', { class: 'split' }, to, h('button', { class: 'secondary', type: 'button', onclick: () => {
      const name = to.selectedOptions[0]?.textContent;
      if (confirm(`Hand ${x.pseudonym} over to ${name}? Your notes and the conversation go to them.`)) {
        act.handOver(x.id, +to.value).then(() => toast(`${x.pseudonym} is ${name}'s now.`), say); // the page is drawn anew, as a teammate's
      }
    } }, 'Hand over')) : h('p', { class: 'muted' }, 'No teammates to hand it to.')),
    h('button', { class: 'danger', type: 'button', onclick: () => confirm(`End contact with ${x.pseudonym}? The conversation is deleted for good; the source is signed out.`)
      && act.endContact(x.id).then(() => toast(`Contact with ${x.pseudonym} ended.`), say) }, 'End contact'),
  ];
}

/** What we gave beside what we got; the handler records a give. @param {View} v @param {Source} x @param {boolean} canGive */
function exchangeView(v, x, canGive) {
  const given = h('ul', { class: 'plain' }), got = h('ul', { class: 'plain' });
  const load = () => act.exchange(x.id).then((ex) => {
    given.replaceChildren(...(ex.given.length ? ex.given.map((g) => h('li', null, h('small', null, day(g.given_at)), g.what)) : [h('li', { class: 'muted' }, 'Nothing yet')]));
    got.replaceChildren(...(ex.got.length ? ex.got.map((e) => h('li', null, h('b', { class: 'code' }, grade(e)[0]), ' ', e.claim)) : [h('li', { class: 'muted' }, 'Nothing yet')]));
  }, say);
  load();
  v.on('intel', load);
  v.on('sources', (sid) => (sid == null || sid === x.id) && load()); // a give recorded by its handler, live
  const what = area('what', { maxlength: LIMITS.give, rows: 2 });
  const when = h('input', { name: 'given_at', type: 'datetime-local' });
  const form = h('form', { class: 'stack', novalidate: true }, field('What we gave', what), field('When (optional: now)', when),
    h('button', { class: 'secondary', type: 'submit' }, 'Record it'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    fieldError(what, what.value.trim() ? '' : 'Say what was given.');
    if (!what.value.trim()) return what.focus();
    act.give(x.id, what.value.trim(), when.value ? new Date(when.value).getTime() : undefined)
      .then(() => { form.reset(); load(); }, (ex) => showFieldErrors(form, ex) || say(ex));
  });
  return h('section', { class: 'card stack' }, h('h2', null, 'Give and get'),
    h('div', { class: 'exchange' }, h('div', null, h('h3', null, 'What we gave'), given), h('div', null, h('h3', null, 'What we got'), got)),
    canGive ? form : null);
}
