// Boot and routing: open from the local cache at once (offline too), then catch up and go live.
import { h, toast } from './ui.js';
import { hooks as apiHooks, cookie, online } from './api.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import { signal } from './haptics.js';
import { S, on, loadLocal, refreshAll, startLive, cueOf, displayName, channelName, channel, ack, save, wipe } from './store.js';
import * as views from './views.js';

const app = document.getElementById('app');
let current = { cleanups: [] };

const ROUTES = [
  [/^\/login$/, (v) => views.authView(v, 'login')],
  [/^\/signup$/, (v) => views.authView(v, 'signup')],
  [/^\/join\/([^/]+)$/, (v, token) => views.joinView(v, decodeURIComponent(token))],
  [/^\/c\/(\d+)$/, (v, id) => views.channelView(v, +id)],
  [/^\/channels\/(\d+)$/, (v, id) => v.go(`/c/${id}`, true)], // a notification's link
  [/^\/table(?:\/(\d+))?$/, (v, id) => views.tableView(v, id ? +id : S.lastChannel)],
  [/^\/team$/, (v) => views.teamView(v)],
  [/^\/settings$/, (v) => views.settingsView(v)],
  [/^\/new$/, (v) => views.onboardingView(v)],
  [/^\/$/, (v) => views.homeView(v)],
];
const PUBLIC = /^\/(login|signup|join\/.+)$/;

export function go(path, replace = false) {
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  route();
}

let routing = 0;
async function route() {
  const ticket = ++routing;
  for (const fn of current.cleanups) fn();
  const mine = (current = { cleanups: [] });
  // A view that is no longer on screen (its async work finished late) may not navigate or subscribe.
  const live = () => ticket === routing;
  let path = location.pathname;
  if (!S.me && !PUBLIC.test(path)) {
    history.replaceState(null, '', '/login');
    path = '/login';
  }
  const match = ROUTES.map(([re, view]) => [path.match(re), view]).find(([m]) => m);
  const v = {
    go: (to, replace) => live() && go(to, replace),
    on: (topic, fn) => { const off = on(topic, fn); if (live()) mine.cleanups.push(off); else off(); },
    cleanup: (fn) => (live() ? mine.cleanups.push(fn) : fn()),
  };
  if (!match) return go('/', true);
  const channelMatch = path.match(/^\/(?:c|table)\/(\d+)$/);
  if (channelMatch) { S.lastChannel = +channelMatch[1]; save(); }
  const el = await match[1](v, ...match[0].slice(1));
  if (!live() || !el) return;
  app.replaceChildren(el);
  const heading = el.querySelector('h1, .title');
  document.title = heading?.textContent ? `${heading.textContent} · Backchannel` : 'Backchannel';
  if (!el.matches('.chat, .table-mode')) window.scrollTo(0, 0);
}

// Same-origin links navigate inside the app.
document.addEventListener('click', (e) => {
  const a = e.target.closest('a[href^="/"]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
addEventListener('popstate', route);

// --- incoming cues ----------------------------------------------------------------------------------
const alertBox = document.getElementById('alert');
let alertTimer = 0;
let alerting = null; // the cue shown
function hideAlert() {
  alertBox.hidden = true;
  alertBox.replaceChildren();
  alerting = null;
}
on('acked', (id) => id === alerting?.id && hideAlert());
on('history_cleared', (channelId) => channelId === alerting?.channel_id && hideAlert()); // the cue is gone
on('removed', (name) => toast(`You are no longer in ${name}.`));
const typing = () => document.activeElement?.matches('input, textarea, select, [contenteditable]');
on('alert', (m) => {
  const cue = cueOf(m.cue, m.team_id);
  const table = document.body.classList.contains('table');
  signal(cue, { alwaysFlash: table, silentScreen: S.neutral });
  if (table) return; // table mode shows the last cue itself
  clearTimeout(alertTimer);
  const ch = channel(m.channel_id);
  alertBox.className = `alert ${cue.urgency}`;
  alertBox.setAttribute('role', 'alertdialog');
  alertBox.setAttribute('aria-labelledby', 'alert-label');
  alertBox.replaceChildren(h('div', { class: 'alert-card', tabindex: '-1' },
    h('p', { class: 'alert-from' }, `${displayName(m.sender_id, m.team_id)} · ${channelName(ch)}`),
    h('h2', { id: 'alert-label', class: 'alert-label' }, cue.label),
    h('button', { class: 'gotit', type: 'button', onclick: async () => {
      hideAlert();
      try { await ack(m); } catch (ex) { toast(ex.message); }
    } }, 'Got it'),
    h('button', { class: 'dismiss', type: 'button', onclick: hideAlert }, 'Dismiss')));
  alertBox.hidden = false;
  alerting = m;
  // Never onto "Got it": the next key someone types would acknowledge a cue they have not read. Someone typing
  // keeps their focus; otherwise the card takes it, so a screen reader reads it and Tab reaches its buttons.
  if (!typing()) alertBox.querySelector('.alert-card').focus();
  alertTimer = setTimeout(hideAlert, cue.urgency === 'high' ? 20000 : 10000);
});

// --- session ends -----------------------------------------------------------------------------------
// The session is gone: signed out from another device, perhaps because this phone was lost. Leave nothing of
// the team's on it: cached history, state and unsent messages go (its push subscriptions went on the server).
async function loggedOut() {
  if (!PUBLIC.test(location.pathname)) toast('Please log in again.');
  go('/login', true);
  await wipe();
  document.cookie = 'bc_csrf=; Max-Age=0; Path=/'; // so that, offline, the next start goes to the login screen
}
apiHooks.unauthenticated = loggedOut;
on('unauthenticated', loggedOut);
// The home screen depends on whether I am in a team at all: repaint it when that changes.
on('teams', () => {
  const onboarding = !!app.querySelector('.onboarding');
  if (location.pathname === '/' && (app.querySelector('.auth, .boot') || onboarding === S.teams.length > 0)) route();
});

// --- outbox triggers --------------------------------------------------------------------------------
addEventListener('online', () => {
  outbox.flush();
  if (S.me) refreshAll().catch(() => {});
});
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && outbox.flush());
navigator.serviceWorker?.addEventListener('message', (e) => {
  if (e.data?.type === 'outbox') outbox.reload();
  else if (e.data?.type === 'open' && /^\/[^/]/.test(e.data.url)) go(e.data.url); // a tapped notification
});

addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  views.install.prompt = e;
});

async function boot() {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  await loadLocal();
  if (!S.me && !cookie('bc_csrf')) return route(); // never signed in here: no need to ask the server
  if (S.me) await route(); // paint from the cache first: this is what opens offline
  if (online()) {
    try {
      await refreshAll();
    } catch (ex) {
      if (ex.status === 401) return; // handled: back to the login screen
    }
    if (!app.querySelector('main') || app.querySelector('.auth')) await route();
  }
  if (S.me) {
    startLive();
    outbox.flush();
    push.check(S.me.id);
  }
}
boot();
