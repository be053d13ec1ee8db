// The screens. Each view returns its root element and subscribes to the state topics it shows.
import { h, icon, toast, clock } from './ui.js';
import { api, ApiError, online } from './api.js';
import { kv } from './db.js';
import * as outbox from './outbox.js';
import { signal, tick, buzz, canVibrate } from './haptics.js';
import * as push from './push.js';
import { standalone, isIOS } from './push.js';
import {
  S, on, save, team, isLead, channel, channelName, displayName, cueOf, messagesOf, cachedMessages, loadHistory,
  markRead, sendText, sendCue, ack, isDelivered, signIn, refreshAll, refreshTeam, wipe, startLive, stopLive,
} from './store.js';

export const install = { prompt: null };

function bar(v, title, { back, actions = [] } = {}) {
  return h('header', { class: 'bar' },
    back ? h('a', { class: 'icon-btn', href: back, 'aria-label': 'Back' }, icon('back')) : null,
    h('h1', { class: 'title' }, title),
    h('div', { class: 'actions' }, actions),
    liveDot(v));
}

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

function errorText(err) {
  return err instanceof ApiError ? err.message : 'Something went wrong.';
}

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', null, label), input, hint ? h('small', null, hint) : null);
}

// --- sign up / log in -----------------------------------------------------------------------------
export async function authView(v, mode) {
  const signup = mode === 'signup';
  const pending = await kv.get('pendingInvite');
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary', type: 'submit' }, signup ? 'Create account' : 'Log in');
  const form = h('form', { class: 'stack', novalidate: true },
    field('Username', h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
      signup ? '3–32 letters, digits, _ . -' : null),
    signup ? field('Your name', h('input', { name: 'display_name', autocomplete: 'name', required: true })) : null,
    field('Password', h('input', { name: 'password', type: 'password', required: true, minlength: signup ? 8 : 1, autocomplete: signup ? 'new-password' : 'current-password' }),
      signup ? 'At least 8 characters' : null),
    err, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    err.textContent = '';
    submit.disabled = true;
    try {
      const body = signup ? data : { ...data, device: deviceName() };
      const session = await api('POST', signup ? '/accounts' : '/sessions', body);
      await signIn(session);
      await refreshAll();
      startLive();
      push.check(S.me.id);
      const invite = await kv.get('pendingInvite');
      v.go(invite ? `/join/${invite}` : '/', true);
    } catch (ex) {
      err.textContent = ex.code === 'offline' ? 'You are offline. Connect to log in.' : errorText(ex);
      submit.disabled = false;
    }
  });
  return h('main', { class: 'screen auth' },
    h('div', { class: 'brand' },
      h('img', { src: '/icons/icon-192.png', alt: '', width: 64, height: 64 }),
      h('h1', null, 'Backchannel'),
      h('p', { class: 'muted' }, 'Quiet signals for your side of the table.')),
    pending ? h('p', { class: 'note' }, 'Log in or create an account to join your team.') : null,
    form,
    h('p', { class: 'switch' }, signup ? 'Have an account? ' : 'New here? ',
      h('a', { href: signup ? '/login' : '/signup' }, signup ? 'Log in' : 'Create an account')));
}

function prettyDevice(name) {
  return name.startsWith('Mozilla/') ? deviceName(name) : name.slice(0, 40);
}

function deviceName(ua = navigator.userAgent) {
  const os = /android/i.test(ua) ? 'Android' : /iphone|ipad|ipod/i.test(ua) ? 'iPhone' : /mac/i.test(ua) ? 'Mac' : /win/i.test(ua) ? 'Windows' : 'Linux';
  const app = /edg\//i.test(ua) ? 'Edge' : /chrome|chromium/i.test(ua) ? 'Chrome' : /firefox/i.test(ua) ? 'Firefox' : 'Safari';
  return `${app} on ${os}`;
}

// --- create or join a team ------------------------------------------------------------------------
export function onboardingView(v) {
  const err = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { name: 'name', required: true, maxlength: 80, placeholder: 'e.g. Acme acquisition' });
  const link = h('input', { name: 'invite', required: true, placeholder: 'Paste the link you were sent', autocapitalize: 'none' });
  const create = h('form', { class: 'card stack' }, h('h2', null, 'Start a team'),
    h('p', { class: 'muted' }, 'You will lead it: invite your side, tune the cues.'),
    field('Team name', name), h('button', { class: 'primary', type: 'submit' }, 'Create team'));
  const join = h('form', { class: 'card stack' }, h('h2', null, 'Join a team'),
    field('Invite link', link), h('button', { class: 'secondary', type: 'submit' }, 'Join team'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      const t = await api('POST', '/teams', { name: name.value.trim() });
      S.teamId = t.id;
      await refreshAll();
      v.go('/', true);
    } catch (ex) { err.textContent = errorText(ex); }
  });
  join.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = link.value.trim().split('/join/').pop().split(/[?#]/)[0];
    if (token) v.go(`/join/${encodeURIComponent(token)}`);
  });
  return h('main', { class: 'screen onboarding' },
    bar(v, 'Welcome', { back: S.teams.length ? '/' : null, actions: [settingsLink()] }),
    h('div', { class: 'content stack' }, h('p', { class: 'lead-text' }, `Hi ${S.me.display_name}. Set up your team or join one.`), err, create, join));
}

export async function joinView(v, token) {
  if (!S.me) {
    await kv.set('pendingInvite', token);
    return v.go('/signup', true);
  }
  const msg = h('p', { class: 'muted', role: 'status' }, 'Joining the team…');
  const root = h('main', { class: 'screen' }, bar(v, 'Join a team', { back: '/' }), h('div', { class: 'content stack' }, msg));
  (async () => {
    try {
      const t = await api('POST', `/invites/${encodeURIComponent(token)}/accept`);
      await kv.set('pendingInvite', null);
      S.teamId = t.id;
      await refreshAll();
      toast(`You joined ${t.name}.`);
      v.go('/', true);
    } catch (ex) {
      await kv.set('pendingInvite', null);
      msg.textContent = ex.status === 410 ? 'This invite has expired or was used up. Ask for a new link.'
        : ex.status === 404 ? 'This invite link is not valid.' : errorText(ex);
      msg.className = 'error';
      root.querySelector('.content').append(h('a', { class: 'button secondary', href: '/' }, 'Go to my teams'));
    }
  })();
  return root;
}

// --- channel list ---------------------------------------------------------------------------------
const KIND_ORDER = { everyone: 0, leads: 1, group: 2, direct: 3 };
const KIND_HINT = { everyone: 'Whole team', leads: 'Leads only', group: 'Group', direct: 'One-to-one' };

function settingsLink() {
  return h('a', { class: 'icon-btn', href: '/settings', 'aria-label': 'Settings' }, icon('settings'));
}

export function homeView(v) {
  if (!S.teams.length) return onboardingView(v);
  const current = S.teams.find((t) => t.id === S.teamId) || S.teams[0];
  S.teamId = current.id;
  const title = S.teams.length > 1
    ? h('select', { class: 'team-select', 'aria-label': 'Team', onchange: (e) => { S.teamId = +e.target.value; save(); v.go('/', true); } },
      S.teams.map((t) => h('option', { value: String(t.id), selected: t.id === current.id }, t.name)))
    : current.name;
  const list = h('nav', { class: 'channels', 'aria-label': 'Channels' });
  const extra = h('div', { class: 'stack' });
  const paint = () => {
    const chans = [...team().channels].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || channelName(a).localeCompare(channelName(b)));
    list.replaceChildren(...chans.map((c) => h('a', { class: `row ${c.unread ? 'unread' : ''}`, href: `/c/${c.id}`, 'data-kind': c.kind },
      h('span', { class: `glyph ${c.kind}`, 'aria-hidden': 'true' }, c.kind === 'direct' ? channelName(c).slice(0, 1) : c.kind === 'leads' ? icon('lock') : '#'),
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, channelName(c)), h('small', null, KIND_HINT[c.kind])),
      c.unread ? h('span', { class: 'badge' }, `${c.unread} unread`) : null)));
    if (!chans.length) list.append(h('p', { class: 'muted' }, online() ? 'Loading channels…' : 'Offline: channels appear once you connect.'));
  };
  paint();
  v.on('channels', paint);
  v.on('teams', paint);
  const installCard = installPrompt();
  const newChannel = isLead() ? h('button', { class: 'secondary', type: 'button', onclick: () => toggle(extra, groupForm(v)) }, icon('plus'), 'New channel') : null;
  const direct = h('button', { class: 'secondary', type: 'button', onclick: () => toggle(extra, directPicker(v)) }, 'Direct message');
  return h('main', { class: 'screen' },
    bar(v, title, { actions: [
      h('a', { class: 'icon-btn', href: '/table', 'aria-label': 'Table mode' }, icon('moon')),
      h('a', { class: 'icon-btn', href: '/team', 'aria-label': 'Team' }, icon('people')),
      settingsLink()] }),
    h('div', { class: 'content stack' }, installCard, list, h('div', { class: 'row-actions' }, newChannel, direct), extra,
      h('a', { class: 'button table-cta', href: '/table' }, icon('moon'), 'Start table mode'),
      h('p', { class: 'hint muted' }, 'In the meeting, table mode keeps the screen black and awake with just the cue pad.')));
}

function toggle(holder, el) {
  const same = holder.firstChild?.dataset?.kind === el.dataset.kind;
  holder.replaceChildren(...(same ? [] : [el]));
  el.querySelector('input, button')?.focus();
}

function groupForm(v) {
  const name = h('input', { required: true, maxlength: 80, placeholder: 'e.g. Pricing' });
  const picks = team().members.filter((m) => m.user_id !== S.me.id).map((m) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: String(m.user_id) }), m.display_name));
  const form = h('form', { class: 'card stack', 'data-kind': 'group' }, h('h2', null, 'New channel'), field('Name', name),
    h('fieldset', { class: 'stack' }, h('legend', null, 'Members'), picks.length ? picks : h('p', { class: 'muted' }, 'Invite people first.')),
    h('button', { class: 'primary', type: 'submit' }, 'Create channel'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const members = [...form.querySelectorAll('input[type=checkbox]:checked')].map((i) => +i.value);
    try {
      const ch = await api('POST', `/teams/${S.teamId}/channels`, { name: name.value.trim(), members });
      await refreshTeam();
      v.go(`/c/${ch.id}`);
    } catch (ex) { toast(errorText(ex)); }
  });
  return form;
}

function directPicker(v) {
  const people = team().members.filter((m) => m.user_id !== S.me.id);
  return h('div', { class: 'card stack', 'data-kind': 'direct' }, h('h2', null, 'Message a teammate'),
    people.length ? people.map((m) => h('button', { class: 'row', type: 'button', onclick: async () => {
      try {
        const ch = await api('POST', `/teams/${S.teamId}/direct`, { user_id: m.user_id });
        await refreshTeam();
        v.go(`/c/${ch.id}`);
      } catch (ex) { toast(errorText(ex)); }
    } }, h('span', { class: 'glyph direct', 'aria-hidden': 'true' }, m.display_name.slice(0, 1)), h('span', { class: 'row-title' }, m.display_name)))
      : h('p', { class: 'muted' }, 'No teammates yet: invite them from Team.'));
}

function installPrompt() {
  if (standalone()) return null;
  if (install.prompt) {
    const card = h('div', { class: 'card install' }, h('p', null, 'Install Backchannel for a full-screen, one-tap pad.'),
      h('button', { class: 'primary', type: 'button', onclick: async () => {
        install.prompt.prompt();
        await install.prompt.userChoice.catch(() => null);
        install.prompt = null;
        card.remove();
      } }, 'Install app'));
    return card;
  }
  if (isIOS()) {
    return h('div', { class: 'card install' }, h('p', null, 'Add Backchannel to your Home Screen: tap ', h('strong', null, 'Share'), ', then ',
      h('strong', null, 'Add to Home Screen'), '. iPhone only delivers notifications to installed apps.'));
  }
  return null;
}

// --- a channel: messages, cue pad, composer -------------------------------------------------------
function ladder(m, pending, ch) {
  if (pending?.state === 'expired') {
    return h('div', { class: 'ladder warn' }, h('span', null, 'Expired, not sent'),
      h('button', { class: 'small', type: 'button', onclick: () => outbox.sendAnyway(pending) }, 'Send anyway'),
      h('button', { class: 'small ghost', type: 'button', onclick: () => outbox.discard(pending) }, 'Discard'));
  }
  if (pending?.state === 'failed') {
    return h('div', { class: 'ladder warn' }, h('span', null, `Not sent: ${pending.error}`),
      h('button', { class: 'small ghost', type: 'button', onclick: () => outbox.discard(pending) }, 'Discard'));
  }
  const names = pending ? [] : (m.acks || []).map((a) => displayName(a.user_id, ch.team_id));
  const step = pending ? 1 : names.length ? 4 : isDelivered(m, ch) ? 3 : 2;
  const label = ['Queued', 'Sent', 'Delivered', `Got it · ${names.join(', ')}`][step - 1];
  return h('p', { class: `ladder step-${step}` },
    h('span', { class: 'rungs', 'aria-hidden': 'true' }, h('i'), h('i'), h('i'), h('i')), h('span', null, label));
}

function messageItem(m, ch, pending) {
  const mine = pending || m.sender_id === S.me.id;
  const acked = (m.acks || []).some((a) => a.user_id === S.me.id);
  const state = pending ? pending.state : (m.acks || []).length ? 'acked' : isDelivered(m, ch) ? 'delivered' : 'sent';
  const cue = m.kind === 'cue' ? cueOf(m.cue, ch.team_id) : null;
  return h('li', { class: `msg ${mine ? 'mine' : 'theirs'} ${m.kind} ${cue ? cue.urgency : ''}`, 'data-state': mine ? state : null, 'data-client-id': m.client_id },
    mine ? null : h('p', { class: 'who' }, displayName(m.sender_id, ch.team_id)),
    cue ? h('p', { class: 'cue-label' }, cue.label) : h('p', { class: 'text' }, m.text),
    h('div', { class: 'meta' }, h('time', null, clock(m.created_at)),
      mine ? ladder(m, pending, ch)
        : cue ? acked ? h('span', { class: 'got' }, 'You: got it')
          : h('button', { class: 'small', type: 'button', 'aria-label': `Got it: ${cue.label}`, onclick: () => ack(m).catch((ex) => toast(errorText(ex))) }, 'Got it') : null));
}

export function cuePad(channelId, teamId, { onSent } = {}) {
  const pad = h('div', { class: 'pad', role: 'group', 'aria-label': 'Cue pad' });
  const paint = () => pad.replaceChildren(...team(teamId).cues.map((cue) => h('button', {
    class: `cue-btn ${cue.urgency}`, type: 'button', 'aria-label': `Send cue: ${cue.label}`,
    onclick: (e) => {
      tick();
      sendCue(channelId, cue);
      const b = e.currentTarget;
      b.classList.remove('sent');
      void b.offsetWidth;
      b.classList.add('sent');
      onSent?.(cue);
    },
  }, cue.label)));
  paint();
  return { pad, paint };
}

export async function channelView(v, id) {
  const ch = channel(id);
  if (!ch) return notFound(v);
  S.teamId = ch.team_id;
  S.viewing = id;
  v.cleanup(() => { if (S.viewing === id) S.viewing = null; });
  await messagesOf(id);
  const list = h('ol', { class: 'messages', role: 'log', 'aria-label': 'Messages' });
  const scroller = h('div', { class: 'scroll' }, list);
  const paint = () => {
    const stored = cachedMessages(id);
    const known = new Set(stored.map((m) => m.client_id));
    const pending = outbox.items.filter((i) => i.channel_id === id && i.kind !== 'ack' && !known.has(i.client_id));
    const atBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
    list.replaceChildren(...stored.map((m) => messageItem(m, ch)), ...pending.map((p) => messageItem({ ...p, sender_id: S.me.id }, ch, p)));
    if (!list.children.length) list.append(h('li', { class: 'empty' }, 'No messages yet. Tap a cue to signal your side.'));
    if (atBottom || paint.first) scroller.scrollTop = scroller.scrollHeight;
    paint.first = false;
  };
  paint.first = true;
  v.on('messages', (cid) => cid === id && paint());
  v.on('outbox', paint);
  const { pad, paint: paintPad } = cuePad(id, ch.team_id);
  v.on('cues', paintPad);
  v.on('channels', () => { if (!channel(id)) v.go('/', true); });
  const input = h('input', { class: 'compose-input', name: 'text', 'aria-label': 'Message', placeholder: 'Message', autocomplete: 'off', maxlength: 4000, enterkeyhint: 'send' });
  const composer = h('form', { class: 'composer' }, input,
    h('button', { class: 'icon-btn send', type: 'submit', 'aria-label': 'Send' }, icon('send')));
  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    sendText(id, text);
  });
  const padToggle = h('button', { class: 'pad-toggle', type: 'button', 'aria-expanded': 'true', 'aria-controls': 'pad' }, 'Cues');
  pad.id = 'pad';
  padToggle.addEventListener('click', () => {
    const open = pad.hidden;
    pad.hidden = !open;
    padToggle.setAttribute('aria-expanded', String(open));
  });
  const root = h('main', { class: 'screen chat' },
    bar(v, channelName(ch), { back: '/', actions: [h('a', { class: 'icon-btn', href: `/table/${id}`, 'aria-label': 'Table mode' }, icon('moon'))] }),
    scroller, h('section', { class: 'tray', 'aria-label': 'Send' }, padToggle, pad, composer));
  requestAnimationFrame(paint);
  if (online()) loadHistory(id).then(() => markRead(id)).catch(() => {});
  push.clearNotifications(id);
  return root;
}

function notFound(v) {
  return h('main', { class: 'screen' }, bar(v, 'Not found', { back: '/' }),
    h('div', { class: 'content' }, h('p', { class: 'muted' }, 'This channel is not available on this device.')));
}

// --- table mode -----------------------------------------------------------------------------------
export function tableView(v, id) {
  const ch = channel(id) || team().channels.find((c) => c.kind === 'everyone');
  if (!ch) return notFound(v);
  document.body.classList.add('table');
  v.cleanup(() => document.body.classList.remove('table'));
  let lock = null;
  const wake = async () => {
    try { lock = await navigator.wakeLock?.request('screen'); } catch { lock = null; }
  };
  const onVisible = () => document.visibilityState === 'visible' && wake();
  wake();
  document.addEventListener('visibilitychange', onVisible);
  v.cleanup(() => { document.removeEventListener('visibilitychange', onVisible); lock?.release().catch(() => {}); });

  const last = h('section', { class: 'last-cue', 'aria-live': 'polite', 'aria-label': 'Last cue received' });
  const paintLast = () => {
    const m = S.lastCue?.message;
    if (!m || m.team_id !== ch.team_id) {
      last.replaceChildren(h('p', { class: 'waiting' }, 'Waiting for cues'), h('p', { class: 'muted small-print' }, channelName(ch)));
      return;
    }
    const cue = cueOf(m.cue, m.team_id);
    const mine = cachedMessages(m.channel_id).find((x) => x.id === m.id) || m;
    const acked = (mine.acks || []).some((a) => a.user_id === S.me.id);
    last.replaceChildren(
      h('p', { class: `last-label ${cue.urgency}` }, cue.label),
      h('p', { class: 'muted' }, `${displayName(m.sender_id, m.team_id)} · ${clock(m.created_at)}`),
      acked ? h('p', { class: 'got' }, 'Got it sent') : h('button', { class: 'gotit', type: 'button', onclick: () => ack(m).catch((ex) => toast(errorText(ex))) }, 'Got it'));
  };
  paintLast();
  v.on('alert', paintLast);
  v.on('messages', paintLast);
  const { pad, paint } = cuePad(ch.id, ch.team_id);
  v.on('cues', paint);

  const time = h('p', { class: 'neutral-time' });
  const date = h('p', { class: 'neutral-date' });
  const tickClock = () => {
    const now = new Date();
    time.textContent = now.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    date.textContent = now.toLocaleDateString([], { weekday: 'long', day: 'numeric', month: 'long' });
  };
  tickClock();
  const timer = setInterval(tickClock, 10000);
  v.cleanup(() => clearInterval(timer));
  const neutral = h('button', { class: 'neutral', type: 'button', hidden: true, 'aria-label': 'Clock. Double-tap to return' }, time, date);
  const hide = () => { neutral.hidden = false; S.neutral = true; neutral.focus(); };
  const show = () => { neutral.hidden = true; S.neutral = false; };
  neutral.addEventListener('dblclick', show);
  neutral.addEventListener('keydown', (e) => e.key === 'Enter' && show());
  v.cleanup(() => { S.neutral = false; });
  last.addEventListener('dblclick', hide);

  return h('main', { class: 'screen table-mode' },
    h('header', { class: 'table-bar' },
      h('a', { class: 'icon-btn', href: `/c/${ch.id}`, 'aria-label': 'Leave table mode' }, icon('close')),
      h('span', { class: 'table-title' }, channelName(ch)),
      h('button', { class: 'icon-btn', type: 'button', 'aria-label': 'Hide screen', onclick: hide }, icon('hide'))),
    last, pad, neutral);
}

// --- team settings --------------------------------------------------------------------------------
export function teamView(v) {
  const t = S.teams.find((x) => x.id === S.teamId);
  if (!t) return homeView(v);
  const lead = isLead();
  const members = h('ul', { class: 'list' });
  const paintMembers = () => members.replaceChildren(...team().members.map((m) => {
    const editable = lead && m.role !== 'owner' && m.user_id !== S.me.id;
    const role = editable
      ? h('select', { 'aria-label': `Role of ${m.display_name}`, onchange: async (e) => {
        try { await api('PATCH', `/teams/${t.id}/members/${m.user_id}`, { role: e.target.value }); await refreshTeam(); } catch (ex) { toast(errorText(ex)); }
      } }, ['member', 'lead', ...(t.role === 'owner' ? ['owner'] : [])].map((r) => h('option', { value: r, selected: r === m.role }, r[0].toUpperCase() + r.slice(1))))
      : h('span', { class: `role ${m.role}` }, m.role);
    return h('li', { class: `item ${editable ? 'editable' : ''}` }, h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, m.user_id === S.me.id ? `${m.display_name} (you)` : m.display_name), h('small', null, `@${m.username}`)),
      role, editable ? h('button', { class: 'small ghost', type: 'button', 'aria-label': `Remove ${m.display_name}`, onclick: async () => {
        if (!confirm(`Remove ${m.display_name} from ${t.name}?`)) return;
        try { await api('DELETE', `/teams/${t.id}/members/${m.user_id}`); await refreshTeam(); } catch (ex) { toast(errorText(ex)); }
      } }, 'Remove') : null);
  }));
  paintMembers();
  v.on('team', paintMembers);
  v.on('teams', paintMembers);

  const sections = [h('section', { class: 'card stack' }, h('h2', null, 'Members'), members)];
  if (lead) sections.push(invitesSection(t), cueEditor(t));
  if (t.role !== 'owner') {
    sections.push(h('button', { class: 'danger', type: 'button', onclick: async () => {
      if (!confirm(`Leave ${t.name}?`)) return;
      try { await api('DELETE', `/teams/${t.id}/members/${S.me.id}`); await refreshAll(); v.go('/', true); } catch (ex) { toast(errorText(ex)); }
    } }, 'Leave team'));
  }
  sections.push(h('a', { class: 'button secondary', href: '/new' }, 'Create or join another team'));
  if (online()) refreshTeam().catch(() => {});
  return h('main', { class: 'screen' }, bar(v, t.name, { back: '/' }), h('div', { class: 'content stack' }, sections));
}

function invitesSection(t) {
  const role = h('select', { 'aria-label': 'Invite as' }, h('option', { value: 'member' }, 'Member'), h('option', { value: 'lead' }, 'Lead'));
  const result = h('div', { class: 'stack' });
  const open = h('ul', { class: 'list' });
  const load = async () => {
    const invites = await api('GET', `/teams/${t.id}/invites`).catch(() => []);
    const live = invites.filter((i) => !i.revoked && i.expires_at > Date.now() && i.uses < i.max_uses);
    open.replaceChildren(...live.map((i) => h('li', { class: 'item' },
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, `${i.role === 'lead' ? 'Lead' : 'Member'} invite`),
        h('small', null, `${i.uses}/${i.max_uses} used · until ${new Date(i.expires_at).toLocaleDateString()}`)),
      h('button', { class: 'small ghost', type: 'button', 'aria-label': `Revoke ${i.role} invite ${i.id}`, onclick: async () => {
        await api('DELETE', `/teams/${t.id}/invites/${i.id}`).catch((ex) => toast(errorText(ex)));
        load();
      } }, 'Revoke'))));
  };
  load();
  const create = h('button', { class: 'primary', type: 'button', onclick: async () => {
    try {
      const inv = await api('POST', `/teams/${t.id}/invites`, { role: role.value, max_uses: 10, expires_in_seconds: 7 * 86400 });
      const url = location.origin + inv.path;
      const box = h('input', { readonly: true, value: url, 'aria-label': 'Invite link', class: 'mono' });
      result.replaceChildren(h('p', { class: 'muted' }, 'Share this link with your side. It works 10 times, for 7 days.'),
        h('div', { class: 'inline' }, box, h('button', { class: 'secondary', type: 'button', onclick: async () => {
          try { await navigator.clipboard.writeText(url); toast('Link copied'); } catch { box.select(); toast('Select and copy the link'); }
        } }, 'Copy')));
      load();
    } catch (ex) { toast(errorText(ex)); }
  } }, 'Create invite link');
  return h('section', { class: 'card stack' }, h('h2', null, 'Invite'), h('div', { class: 'split' }, role, create), result, open);
}

function cueEditor(t) {
  let cues = team(t.id).cues.map((c) => ({ ...c, rhythm: [...c.rhythm] }));
  const rows = h('ol', { class: 'cue-rows' });
  const err = h('p', { class: 'error', role: 'alert' });
  const paint = () => rows.replaceChildren(...cues.map((c, i) => {
    const n = i + 1;
    const summary = h('summary', null, h('span', { class: `swatch ${c.urgency}`, 'aria-hidden': 'true' }),
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, c.label), h('small', { class: 'mono' }, c.rhythm.join(' · '))));
    return h('li', null, h('details', { class: 'cue-row', open: c.code === '' }, summary, h('div', { class: 'stack' },
      field('Label', h('input', { value: c.label, maxlength: 40, oninput: (e) => { c.label = e.target.value; } })),
      field('Rhythm (ms: vibrate, pause, vibrate…)', h('input', { value: c.rhythm.join(' '), class: 'mono', inputmode: 'numeric',
        oninput: (e) => { c.rhythm = e.target.value.trim().split(/[\s,]+/).filter(Boolean).map(Number); } })),
      h('div', { class: 'split' },
        field('Urgency', h('select', { onchange: (e) => { c.urgency = e.target.value; } },
          h('option', { value: 'normal', selected: c.urgency === 'normal' }, 'Normal'), h('option', { value: 'high', selected: c.urgency === 'high' }, 'Urgent'))),
        field('Expires after (s)', h('input', { type: 'number', min: 10, max: 3600, value: String(c.ttl_seconds), class: 'mono',
          oninput: (e) => { c.ttl_seconds = +e.target.value; } }))),
      h('div', { class: 'inline' },
        h('button', { class: 'small', type: 'button', 'aria-label': `Feel cue ${n}`, onclick: () => signal(c) }, 'Feel it'),
        h('button', { class: 'small ghost', type: 'button', 'aria-label': `Move cue ${n} up`, disabled: i === 0, onclick: () => { cues.splice(i - 1, 0, ...cues.splice(i, 1)); paint(); } }, 'Move up'),
        h('button', { class: 'small ghost', type: 'button', 'aria-label': `Remove cue ${n}`, onclick: () => { cues.splice(i, 1); paint(); } }, 'Remove')))));
  }));
  paint();
  const slug = (label) => label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 24) || 'cue';
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
        const used = new Set();
        for (const c of cues) {
          let code = c.code || slug(c.label);
          for (let k = 2; used.has(code); k += 1) code = `${slug(c.label)}_${k}`;
          c.code = code;
          used.add(code);
        }
        try {
          const saved = await api('PUT', `/teams/${t.id}/cues`, { cues });
          team(t.id).cues = saved.cues;
          cues = saved.cues.map((c) => ({ ...c, rhythm: [...c.rhythm] }));
          paint();
          toast('Cues saved');
        } catch (ex) { err.textContent = errorText(ex); }
      } }, 'Save cues')));
}

// --- device settings ------------------------------------------------------------------------------
export function settingsView(v) {
  const devices = h('ul', { class: 'list' });
  const loadDevices = async () => {
    if (!online()) { devices.replaceChildren(h('li', { class: 'muted' }, 'Connect to see your devices.')); return; }
    const list = await api('GET', '/sessions').catch(() => []);
    devices.replaceChildren(...list.map((d) => h('li', { class: 'item' },
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, prettyDevice(d.device)),
        h('small', null, d.current ? 'This device' : `Last seen ${new Date(d.last_seen_at).toLocaleString()}`)),
      d.current ? null : h('button', { class: 'small ghost', type: 'button', 'aria-label': `Sign out ${prettyDevice(d.device)}`, onclick: async () => {
        await api('DELETE', `/sessions/${d.id}`).catch((ex) => toast(errorText(ex)));
        loadDevices();
      } }, 'Sign out'))));
  };
  loadDevices();
  const installCard = installPrompt();
  return h('main', { class: 'screen' }, bar(v, 'Settings', { back: '/' }),
    h('div', { class: 'content stack' },
      h('section', { class: 'card stack' }, h('h2', null, 'Meeting'),
        h('a', { class: 'button primary', href: '/table' }, icon('moon'), 'Start table mode'),
        h('p', { class: 'muted' }, canVibrate ? 'Incoming cues vibrate in their own rhythm while the app is open.' : 'This device cannot vibrate: incoming cues flash the screen instead.'),
        h('button', { class: 'secondary', type: 'button', onclick: () => { if (!buzz([200, 100, 200])) signal({ urgency: 'normal' }, { alwaysFlash: true }); } }, 'Test vibration')),
      buzzSection(),
      installCard || (standalone() ? null : h('section', { class: 'card' }, h('p', { class: 'muted' }, 'Install from your browser menu to use Backchannel full screen.'))),
      h('section', { class: 'card stack' }, h('h2', null, 'Devices'), devices),
      h('section', { class: 'card stack' }, h('h2', null, 'Account'),
        h('p', null, S.me.display_name, h('span', { class: 'muted' }, ` @${S.me.username}`)),
        h('button', { class: 'danger', type: 'button', onclick: async () => {
          if (outbox.items.length && !confirm('Unsent messages on this device will be lost. Log out?')) return;
          await push.forget();
          try { await api('DELETE', `/sessions/${(await api('GET', '/me')).session_id}`); } catch { /* offline: forget locally */ }
          stopLive();
          await wipe();
          v.go('/login', true);
        } }, 'Log out'))));
}

// --- buzz when closed (Web Push) and what a notification says --------------------------------------
const BUZZ_STATE = {
  on: 'On: cues reach this phone as notifications when the app is closed.',
  off: 'Off: cues buzz only while the app is open.',
  blocked: 'Blocked: notifications are turned off for Backchannel. Allow them in your browser’s site settings (on iPhone: Settings › Notifications › Backchannel), then come back.',
  unsupported: 'Not supported: this browser cannot receive push notifications. Cues buzz while the app is open.',
  install: 'iPhone: add Backchannel to your Home Screen first (Share › Add to Home Screen), then open it from there and turn this on.',
};
const LEVELS = [
  ['hidden', 'Nothing sensitive', '“New cue” or “New message”, nothing more'],
  ['sender', 'Sender and cue', 'Who sent it and which cue, never message text'],
  ['full', 'Full text', 'Sender, cue and the start of each message'],
];

function buzzSection() {
  let key = null;
  let busy = false;
  const toggle = h('button', { class: 'toggle', type: 'button', role: 'switch', 'aria-checked': 'false', 'aria-describedby': 'buzz-state', disabled: true },
    h('span', null, 'Buzz me when the app is closed'));
  const status = h('p', { id: 'buzz-state', class: 'muted', role: 'status' }, 'Checking…');
  const problem = h('p', { class: 'note', role: 'status' });
  const paint = (state) => {
    toggle.setAttribute('aria-checked', String(state === 'on'));
    toggle.disabled = busy || !['on', 'off'].includes(state);
    toggle.dataset.state = state;
    status.textContent = BUZZ_STATE[state];
  };
  const refresh = () => push.state(S.me.id).then((st) => { if (!busy) paint(st); }, () => paint('unsupported'));
  refresh();
  if (push.support() === 'ok' && online()) push.serverKey().then((k) => { key = k; }, () => {});
  toggle.addEventListener('click', async () => {
    const on = toggle.getAttribute('aria-checked') === 'true';
    busy = true;
    problem.textContent = '';
    toggle.disabled = true;
    toggle.setAttribute('aria-busy', 'true');
    status.textContent = on ? 'Turning off…' : 'Turning on…';
    let state;
    try {
      state = on ? await push.disable() : await push.enable(S.me.id, key);
    } catch (ex) {
      problem.textContent = ex instanceof push.PushError ? ex.message : 'Could not turn buzzes on. Try again later.';
    }
    busy = false;
    toggle.removeAttribute('aria-busy');
    if (state) paint(state);
    else await refresh();
  });

  const radios = LEVELS.map(([value, label, hint]) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'level', value, checked: (S.prefs.level || 'hidden') === value }),
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, label), h('small', null, hint))));
  const pick = (level) => { for (const r of radios) r.firstChild.checked = r.firstChild.value === level; };
  const levels = h('fieldset', { class: 'stack radios' }, h('legend', null, 'What a notification shows'), radios);
  let touched = false; // a choice made here wins over the server's answer still on its way
  levels.addEventListener('change', async (e) => {
    touched = true;
    const was = S.prefs.level || 'hidden';
    try {
      const saved = await api('PUT', '/push/level', { level: e.target.value });
      S.prefs.level = saved.level;
      save();
      toast('Saved');
    } catch (ex) {
      pick(was);
      toast(errorText(ex));
    }
  });
  if (online()) {
    api('GET', '/push/level').then(({ level }) => {
      if (touched) return;
      S.prefs.level = level;
      save();
      pick(level);
    }, () => {});
  }
  return h('section', { class: 'card stack' }, h('h2', null, 'When the app is closed'),
    toggle, status, problem,
    h('p', { class: 'small-print muted' }, 'A cue then arrives as a notification and buzzes in its own rhythm where the phone allows. The notification uses your phone’s own sound, so keep the phone on vibrate in meetings. On iPhone this needs Backchannel on the Home Screen (iOS 16.4 or later).'),
    levels,
    h('p', { class: 'small-print muted' }, 'Notification text stays in your phone’s notification history.'));
}
