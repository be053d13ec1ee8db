// The intel log (docs/sources.md): entries newest first, each graded (Admiralty code and its words), its verdict and
// evidence; a handler logs one (from a source's message: /intel?channel=<id>&message=<id>); anyone assesses one.
import { h, field, toast, fieldError, showFieldErrors, clock } from '../ui.js';
import { S, team, channel, messagesOf } from '../store.js';
import { RELIABILITY, CREDIBILITY, grade, sourceOfChannel } from '../store/sources.js';
import * as act from '../intel.js';
import { errorText } from '../actions.js';
import { bar } from '../components/bar.js';
import { keyed } from '../components/keyed.js';
import { day, area } from './sources.js';
import { LIMITS } from '../limits.js';

/** @param {unknown} ex */
const say = (ex) => toast(errorText(ex));
const opened = new Set(); // entries whose assessment form is open: a repaint keeps it open
/** @param {IntelEntry} e */
const short = (e) => `#${e.id} · ${e.claim.length > 48 ? `${e.claim.slice(0, 47)}…` : e.claim}`;

/** @param {View} v */
export async function intelScreen(v) {
  const teamId = S.teamId;
  if (teamId == null) return void v.go('/', true);
  await Promise.all([act.loadSources(teamId), act.loadIntel(teamId)]).catch(say);
  const list = h('ol', { class: 'entries' });
  const paint = () => {
    const all = team(teamId).intel || [];
    keyed(list, all.length ? all.map((e) => [String(e.id), entryItem(e, all, paint)]) : [['none', h('li', { class: 'muted' }, 'Nothing logged yet.')]]);
  };
  paint();
  v.on('intel', paint);
  v.on('sources', paint); // a pseudonym changed
  return h('main', { class: 'screen' }, bar(v, 'Intel log', { back: '/' }), h('div', { class: 'content stack' },
    await logForm(teamId, paint), list, h('a', { class: 'button secondary', href: '/sources' }, 'Sources')));
}

/** @param {IntelEntry} e @param {IntelEntry[]} all @param {() => void} paint */
function entryItem(e, all, paint) {
  const who = (team(e.team_id).sources || []).find((x) => x.id === e.source_id)?.pseudonym || 'A source';
  const [code, words] = grade(e);
  const by = e.verdict && (e.by_entry_id ? `by entry #${e.by_entry_id}` : `at the table: ${e.note}`);
  const box = h('details', { class: 'assess', open: opened.has(e.id) }, h('summary', null, 'Assess'), opened.has(e.id) ? assessForm(e, all, paint) : null);
  // (A box drawn open fires its toggle later: by then a repaint may have replaced it.)
  box.addEventListener('toggle', () => { if (box.isConnected && box.open !== opened.has(e.id)) { if (box.open) opened.add(e.id); else opened.delete(e.id); paint(); } });
  return h('li', { class: 'card entry', id: `entry-${e.id}` },
    h('p', { class: 'entry-head' }, h('span', null, `#${e.id}`), h('b', null, who), h('span', null, e.said_at ? `said ${day(e.said_at)}` : `logged ${day(e.created_at)}`)),
    h('p', { class: 'claim' }, e.claim),
    h('p', { class: 'grade' }, h('b', { class: 'code' }, code), ` ${words}`),
    e.verdict || e.known ? h('p', { class: 'verdicts' }, e.verdict ? h('span', { class: `verdict ${e.verdict}` }, e.verdict) : null,
      by ? ` ${by}` : null, e.known ? [' ', h('span', { class: 'verdict known' }, 'already known')] : null) : null,
    box);
}

/** The whole assessment, sent at once. @param {IntelEntry} e @param {IntelEntry[]} all @param {() => void} paint */
function assessForm(e, all, paint) {
  const verdict = h('select', { name: 'verdict', 'aria-label': `Verdict on entry ${e.id}` }, [['', 'Not assessed'], ['corroborated', 'Corroborated'], ['contradicted', 'Contradicted']]
    .map(([value, text]) => h('option', { value, selected: (e.verdict || '') === value }, text)));
  const by = h('select', { name: 'by_entry_id', 'aria-label': `Evidence for entry ${e.id}` }, h('option', { value: '' }, 'Choose the evidence'),
    h('option', { value: 'table', selected: !!e.note && !e.by_entry_id }, 'At the table'),
    all.filter((o) => o.id !== e.id).map((o) => h('option', { value: String(o.id), selected: o.id === e.by_entry_id }, `By entry ${short(o)}`)));
  const note = h('input', { name: 'note', value: e.note || '', maxlength: LIMITS.assessmentNote, 'aria-label': `What happened at the table, entry ${e.id}` });
  const noteField = field('What happened at the table', note);
  const known = h('input', { type: 'checkbox', name: 'known', checked: e.known });
  const show = () => { by.disabled = !verdict.value; noteField.hidden = !verdict.value || by.value !== 'table'; };
  verdict.addEventListener('change', show);
  by.addEventListener('change', show);
  show();
  const form = h('form', { class: 'stack', novalidate: true }, field('Verdict', verdict), field('Evidence', by), noteField,
    h('label', { class: 'check' }, known, 'Already known'), h('button', { class: 'secondary', type: 'submit' }, 'Save assessment'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = verdict.value || null, table = by.value === 'table';
    const missing = v && (!by.value || table && !note.value.trim());
    fieldError(table ? note : by, missing ? 'A verdict needs its evidence: another entry, or what happened at the table.' : '');
    if (missing) return;
    act.assess(e.id, { verdict: v, by_entry_id: v && !table ? +by.value : null, note: v && table ? note.value.trim() : null, known: known.checked })
      .then(() => { opened.delete(e.id); paint(); toast(`Entry #${e.id} assessed`); }, (ex) => showFieldErrors(form, ex) || say(ex));
  });
  return form;
}

/** A handler logs what one of their sources said; from a message, prefilled. @param {number} teamId @param {() => void} paint */
async function logForm(teamId, paint) {
  const mine = (team(teamId).sources || []).filter((x) => x.handler_id === S.me?.id && x.state !== 'ended');
  if (!mine.length) return h('p', { class: 'muted' }, 'A source’s handler logs what it said; anyone marks it corroborated, contradicted or already known.');
  const q = new URLSearchParams(location.search);
  const ch = channel(+(q.get('channel') || 0));
  let messageId = +(q.get('message') || 0) || null;
  const m = ch && messageId ? (await messagesOf(ch.id)).find((x) => x.id === messageId) : null;
  const from = ch && sourceOfChannel(S, ch);
  const pick = h('select', { name: 'source' }, mine.map((x) => h('option', { value: String(x.id), selected: x.id === from?.id }, x.pseudonym)));
  /** A grade is chosen, never assumed. @param {string} name @param {Record<string, string>} words */
  const scale = (name, words) => h('select', { name }, h('option', { value: '' }, 'Choose'), Object.entries(words).map(([k, w]) => h('option', { value: k }, `${k} · ${w}`)));
  const rel = scale('reliability', RELIABILITY), cred = scale('credibility', CREDIBILITY);
  const claim = area('claim', { maxlength: LIMITS.claim, value: m?.text || '' });
  const origin = h('p', { class: 'note' }, messageId ? `From ${from?.pseudonym || 'the source'}’s message${m ? ` of ${clock(m.created_at)}` : ''}: said then.` : '');
  const form = h('form', { class: 'stack', novalidate: true, id: 'log' }, field('Source', pick),
    field('Reliability of the source', rel), field('Credibility of what it said', cred), field('Claim', claim), origin,
    h('button', { class: 'primary', type: 'submit' }, 'Log entry'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = claim.value.trim();
    /** @type {[HTMLElement, string][]} */
    const problems = [[rel, rel.value ? '' : 'Grade the source.'], [cred, cred.value ? '' : 'Grade what it said.'], [claim, text || messageId ? '' : 'Write what the source said.']];
    for (const [el, why] of problems) fieldError(el, why);
    const first = problems.find(([, why]) => why);
    if (first) return first[0].focus();
    /** @type {{reliability: string, credibility: number, claim?: string, message_id?: number}} */
    const body = { reliability: rel.value, credibility: +cred.value };
    if (messageId) body.message_id = messageId;
    if (text && text !== m?.text) body.claim = text;
    act.logIntel(+pick.value, body).then((x) => {
      form.reset();
      claim.value = origin.textContent = '';
      messageId = null;
      history.replaceState(null, '', '/intel');
      toast(`Logged as entry #${x.id}`);
      paint();
    }, (ex) => showFieldErrors(form, ex) || say(ex));
  });
  if (messageId) requestAnimationFrame(() => rel.focus());
  // Folded under its title, the log first; open when a message is to be logged.
  return h('details', { class: 'card log-form', open: !!messageId }, h('summary', null, h('h2', null, 'Log an entry')), form);
}
