// The team: members (roles, removal); for leads the invites and the cue set; leaving the team.
import { h, toast, field } from '../ui.js';
import { LIMITS } from '../limits.js';
import { online } from '../api.js';
import { signal } from '../haptics.js';
import { S, team, isLead } from '../store.js';
import { refreshTeam } from '../store/sync.js';
import * as act from '../actions.js';
import { bar } from '../components/bar.js';
import { homeScreen } from './home.js';
import { homePath } from '../panes.js';

/** @param {Promise<unknown>} done */
const orSay = (done) => done.catch((ex) => toast(act.errorText(ex)));
/** @type {Record<string, string>} */
const ROLE_WORDS = { member: 'a member', lead: 'a lead', owner: 'the owner' };
/** @param {Event} e */
const valueOf = (e) => /** @type {HTMLInputElement} */ (e.target).value;

/** @param {TeamSummary} t @param {Member} m @param {boolean} lead */
function memberItem(t, m, lead) {
  const editable = lead && m.role !== 'owner' && m.user_id !== S.me?.id;
  const role = editable
    ? h('select', { 'aria-label': `Role of ${m.display_name}`, onchange: (/** @type {Event} */ e) => {
      const select = /** @type {HTMLSelectElement} */ (e.target);
      if (select.value === 'owner' && !confirm(`Hand over ${t.name} to ${m.display_name}? They become the owner and you become a lead. You cannot undo this yourself.`)) {
        select.value = m.role;
        return;
      }
      const role = select.value; // said when done: the list alone changes quietly
      orSay(act.setRole(t.id, m.user_id, role).then(() => toast(`${m.display_name} is now ${ROLE_WORDS[role]}.`)));
    } },
      ['member', 'lead', ...(t.role === 'owner' ? ['owner'] : [])].map((r) => h('option', { value: r, selected: r === m.role }, r[0].toUpperCase() + r.slice(1))))
    : h('span', { class: `role ${m.role}` }, m.role);
  return h('li', { class: `item ${editable ? 'editable' : ''}` },
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, m.user_id === S.me?.id ? `${m.display_name} (you)` : m.display_name), h('small', null, `@${m.username}`)),
    role, editable ? h('button', { class: 'small ghost', type: 'button', 'aria-label': `Remove ${m.display_name}`, onclick: () => {
      if (confirm(`Remove ${m.display_name} from ${t.name}?`)) orSay(act.removeMember(t.id, m.user_id));
    } }, 'Remove') : null);
}

/** @param {View} v */
export function teamScreen(v) {
  const t = S.teams.find((x) => x.id === S.teamId);
  if (!t) return homeScreen(v);
  const lead = isLead();
  const members = h('ul', { class: 'list' });
  const paintMembers = () => members.replaceChildren(...team().members.map((m) => memberItem(t, m, lead)));
  paintMembers();
  v.on('team', paintMembers);
  v.on('teams', paintMembers);
  const sections = [h('section', { class: 'card stack' }, h('h2', null, 'Members'), members)];
  if (lead) sections.push(invitesSection(v, t), cueEditor(t));
  if (t.role !== 'owner') {
    sections.push(h('button', { class: 'danger', type: 'button', onclick: () => {
      if (confirm(`Leave ${t.name}?`)) orSay(act.leaveTeam(t.id).then(() => v.go('/', true)));
    } }, 'Leave team'));
  }
  sections.push(h('a', { class: 'button secondary', href: '/new' }, 'Create or join another team'));
  if (online()) refreshTeam().catch(() => {});
  return h('main', { class: 'screen' }, bar(v, t.name, { back: homePath() }), h('div', { class: 'content stack' }, sections));
}

// --- invites: make a link, share or copy it (again, while it works), see uses live, revoke ------------
/**
 * The system share sheet where there is one (phones), else the clipboard, else the link selected to copy by hand.
 * @param {TeamSummary} t @param {string} url @param {HTMLInputElement} box
 */
async function shareLink(t, url, box) {
  if (navigator.share) {
    try { await navigator.share({ title: `Join ${t.name} on Backchannel`, text: `${S.me?.display_name} invites you to ${t.name} on Backchannel.`, url }); return; } catch (ex) {
      if (/** @type {Error} */ (ex).name === 'AbortError') return; // closed the sheet
    }
  }
  try { await navigator.clipboard.writeText(url); toast('Link copied'); } catch { box.focus(); box.select(); toast('Select and copy the link'); }
}

/** @param {View} v @param {TeamSummary} t */
function invitesSection(v, t) {
  const role = h('select', { 'aria-label': 'Invite as' }, h('option', { value: 'member' }, 'Member'), h('option', { value: 'lead' }, 'Lead'));
  const open = h('ul', { class: 'list invites' });
  /** @type {number | null} */
  let fresh = null;
  const load = async () => {
    const live = (await act.invites(t.id)).filter((i) => !i.revoked && i.expires_at > Date.now() && i.uses < i.max_uses);
    open.replaceChildren(...live.map((i) => {
      const url = i.path ? location.origin + i.path : '';
      const what = `${i.role === 'lead' ? 'Lead' : 'Member'} invite`;
      const box = h('input', { readonly: true, value: url, 'aria-label': `Invite link, ${what.toLowerCase()} ${i.id}`, class: 'mono' });
      return h('li', { class: `item invite ${i.id === fresh ? 'fresh' : ''}` },
        h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, what),
          h('small', { 'data-uses': i.uses }, `${i.uses} of ${i.max_uses} used · until ${new Date(i.expires_at).toLocaleDateString()}`),
          url ? null : h('small', null, 'Made before links were kept: make a new one to share.')),
        h('span', { class: 'inline' },
          url ? h('button', { class: 'small secondary', type: 'button', 'aria-label': `Share ${what.toLowerCase()} ${i.id}`, onclick: () => shareLink(t, url, box) }, 'Share') : null,
          h('button', { class: 'small ghost', type: 'button', 'aria-label': `Revoke ${i.role} invite ${i.id}`, onclick: async () => {
            await orSay(act.revokeInvite(t.id, i.id));
            load();
          } }, 'Revoke')), url ? box : null);
    }));
  };
  load();
  v.on('team', load); // someone joined (a member event): the used counts change
  const create = h('button', { class: 'primary', type: 'button', onclick: async () => {
    try {
      const made = await act.createInvite(t.id, role.value);
      fresh = made.id;
      await load();
      const box = /** @type {HTMLInputElement} */ (open.querySelector('.fresh input'));
      if (box) shareLink(t, box.value, box);
    } catch (ex) { toast(act.errorText(ex)); }
  } }, 'Create invite link');
  return h('section', { class: 'card stack' }, h('h2', null, 'Invite'),
    h('p', { class: 'muted' }, 'Each link works 10 times, for 7 days. Share it with your side only.'),
    h('div', { class: 'split' }, role, create), open);
}

// --- the cue set: label, rhythm, urgency and expiry of each cue; feel, reorder, save ----------------
/** @param {Cue[]} list */
const copy = (list) => list.map((c) => ({ ...c, rhythm: [...c.rhythm] }));
/** @param {string} label */
const slug = (label) => label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 24) || 'cue';

/** A code for each new cue, from its label, unique in the set. @param {Cue[]} cues */
function giveCodes(cues) {
  const used = new Set();
  for (const c of cues) {
    let code = c.code || slug(c.label);
    for (let k = 2; used.has(code); k += 1) code = `${slug(c.label)}_${k}`;
    c.code = code;
    used.add(code);
  }
}

/** @param {Cue} c @param {number} i @param {Cue[]} cues @param {() => void} paint */
function cueRow(c, i, cues, paint) {
  const n = i + 1;
  /** @param {(value: string) => void} set */
  const edit = (set) => (/** @type {Event} */ e) => set(valueOf(e));
  const summary = h('summary', null, h('span', { class: `swatch ${c.urgency}`, 'aria-hidden': 'true' }),
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, c.label), h('small', { class: 'mono' }, c.rhythm.join(' · '))));
  return h('li', null, h('details', { class: 'cue-row', open: c.code === '' }, summary, h('div', { class: 'stack' },
    field('Label', h('input', { value: c.label, maxlength: LIMITS.label, oninput: edit((x) => { c.label = x; }) })),
    field('Rhythm (ms: vibrate, pause, vibrate…)', h('input', { value: c.rhythm.join(' '), class: 'mono', inputmode: 'numeric',
      oninput: edit((x) => { c.rhythm = x.trim().split(/[\s,]+/).filter(Boolean).map(Number); }) })),
    h('div', { class: 'split' },
      field('Urgency', h('select', { onchange: edit((x) => { c.urgency = x; }) },
        h('option', { value: 'normal', selected: c.urgency === 'normal' }, 'Normal'), h('option', { value: 'high', selected: c.urgency === 'high' }, 'Urgent'))),
      field('Expires after (s)', h('input', { type: 'number', min: 10, max: 3600, value: String(c.ttl_seconds), class: 'mono',
        oninput: edit((x) => { c.ttl_seconds = +x; }) }))),
    h('div', { class: 'inline' },
      h('button', { class: 'small', type: 'button', 'aria-label': `Feel cue ${n}`, onclick: () => signal(c) }, 'Feel it'),
      h('button', { class: 'small ghost', type: 'button', 'aria-label': `Move cue ${n} up`, disabled: i === 0, onclick: () => { cues.splice(i - 1, 0, ...cues.splice(i, 1)); paint(); } }, 'Move up'),
      h('button', { class: 'small ghost', type: 'button', 'aria-label': `Remove cue ${n}`, onclick: () => { cues.splice(i, 1); paint(); } }, 'Remove')))));
}

/** @param {TeamSummary} t */
function cueEditor(t) {
  let cues = copy(team(t.id).cues);
  const rows = h('ol', { class: 'cue-rows' });
  const err = h('p', { class: 'error', role: 'alert' });
  const paint = () => rows.replaceChildren(...cues.map((c, i) => cueRow(c, i, cues, paint)));
  paint();
  return h('section', { class: 'card stack' }, h('h2', null, 'Cues'),
    h('p', { class: 'muted' }, 'Each cue needs its own rhythm: vibration and pause lengths in milliseconds, starting and ending with a vibration.'),
    rows, err,
    h('div', { class: 'inline' },
      h('button', { class: 'secondary', type: 'button', onclick: () => {
        cues.push({ code: '', label: 'New cue', rhythm: [150, 100, 150, 100, 150], urgency: 'normal', ttl_seconds: 60 });
        paint();
      } }, 'Add cue'),
      h('button', { class: 'primary', type: 'button', onclick: async () => {
        err.textContent = '';
        giveCodes(cues);
        try {
          cues = copy(await act.saveCues(t.id, cues));
          paint();
          toast('Cues saved');
        } catch (ex) { err.textContent = act.errorText(ex); }
      } }, 'Save cues')));
}
