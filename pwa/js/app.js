// Boot and routing: open from the local cache at once (offline too), then catch up and go live.
import { toast } from './ui.js';
import { hooks as apiHooks, cookie, online } from './api.js';
import * as outbox from './outbox.js';
import * as push from './push.js';
import { S, on, loadLocal, channelVisited } from './store.js';
import { refreshAll, startLive } from './store/sync.js';
import { wipe, stillHere } from './actions.js';
import { install } from './components/install.js';
import './components/alert.js';
import { authScreen } from './screens/auth.js';
import { joinScreen, onboardingScreen } from './screens/join.js';
import { deckScreen } from './screens/deck.js';
import { WIDE_QUERY, panesOf } from './panes.js';
import { peopleScreen } from './screens/people.js';
import { tableScreen, meetingTable } from './screens/table.js';
import { meetingsScreen } from './screens/meetings.js';
import { sourcesScreen, sourceScreen } from './screens/sources.js';
import { intelScreen } from './screens/intel.js';
import { debriefScreen } from './screens/debrief.js';
import { teamScreen } from './screens/team.js';
import { settingsScreen } from './screens/settings.js';
import { searchScreen } from './screens/search.js';
import { contactGate, contactScreen, goneScreen } from './screens/contact.js';
import { guestBoot, isGuest, contactEnded, gone } from './guest.js';


const app = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {{cleanups: (() => void)[]}} */
let current = { cleanups: [] };

/** @type {[RegExp, ScreenOf][]} */
const ROUTES = [
  [/^\/login$/, (v) => authScreen(v, 'login')],
  [/^\/signup$/, (v) => authScreen(v, 'signup')],
  [/^\/join\/([^/]+)$/, (v, token) => joinScreen(v, decodeURIComponent(token))],
  // A source's link (docs/sources.md), opened again where it was joined: the conversation. Bare /contact is a source's
  // phone's one screen: its conversation, or its end.
  [/^\/contact(?:\/([^/]+))?$/, (v, token) => token && S.contact ? void v.go('/', true)
    : token ? contactGate(v, decodeURIComponent(token)) : S.contact ? contactScreen(v) : goneScreen()],
  [/^\/c\/(\d+(?:\/\d+)*)$/, (v, ids) => deckScreen(v, panesOf(ids))], // on a wide screen, side by side
  [/^\/c\/(\d+)\/people$/, (v, id) => peopleScreen(v, +id)],
  [/^\/channels\/(\d+)$/, (v, id) => { v.go(`/c/${id}`, true); }], // a notification's link
  // Table mode for a team (its Everyone) or one of its channels; bare /table is the team chosen on home.
  [/^\/table(?:\/(\d+)(?:\/(\d+))?)?$/, (v, t, id) => t ? tableScreen(v, +t, id ? +id : null) : void v.go(S.teamId == null ? '/' : `/table/${S.teamId}`, true)],
  [/^\/meetings$/, (v) => meetingsScreen(v)],
  [/^\/meetings\/(\d+)\/table$/, (v, id) => meetingTable(v, +id)],
  [/^\/meetings\/(\d+)\/debrief$/, (v, id) => debriefScreen(v, +id)],
  [/^\/search\/(\d+)$/, (v, t) => searchScreen(v, +t)], // ?q= keeps the query for Back
  [/^\/team$/, (v) => teamScreen(v)],
  [/^\/sources$/, (v) => sourcesScreen(v)], // sources and the intel log (docs/sources.md)
  [/^\/sources\/(\d+)$/, (v, id) => sourceScreen(v, +id)],
  [/^\/intel$/, (v) => intelScreen(v)],
  [/^\/settings$/, (v) => settingsScreen(v)],
  [/^\/new$/, (v) => onboardingScreen(v)],
  [/^\/$/, (v) => deckScreen(v, [])],
];
const PUBLIC = /^\/(login|signup|join\/.+|contact(\/.+)?)$/;

/** @param {string} path @param {boolean} [replace] */
export function go(path, replace = false) {
  history[replace ? 'replaceState' : 'pushState'](null, '', path);
  route();
}

let routing = 0;
async function route() {
  const ticket = ++routing;
  for (const fn of current.cleanups) fn();
  const mine = current = { cleanups: /** @type {(() => void)[]} */ ([]) };
  // A view that is no longer on screen (its async work finished late) may not navigate or subscribe.
  const live = () => ticket === routing;
  // A source's link is /#/contact/<token> (its token never reaches the server's log), or /contact/<token>.
  let path = location.hash.startsWith('#/contact/') ? location.hash.slice(1) : location.pathname;
  if ((S.contact || !S.me && gone()) && !PUBLIC.test(path)) path = '/contact';
  if (!S.me && !PUBLIC.test(path)) {
    history.replaceState(null, '', '/login');
    path = '/login';
  }
  const hit = ROUTES.find(([re]) => re.test(path));
  /** @type {View} */
  const v = {
    go: (to, replace) => live() && go(to, replace),
    on: (topic, fn) => { const off = on(topic, fn); if (live()) mine.cleanups.push(off); else off(); },
    cleanup: (fn) => { if (live()) mine.cleanups.push(fn); else fn(); },
  };
  if (!hit) return go('/', true);
  const channelMatch = path.match(/^\/c\/(\d+)/);
  if (channelMatch) channelVisited(+channelMatch[1]);
  const el = await hit[1](v, ...(path.match(hit[0]) || []).slice(1));
  if (!live() || !el) return;
  app.replaceChildren(el);
  const heading = el.querySelector('.pane .title') || el.querySelector('h1, .title');
  document.title = el.matches('.guest') ? 'Messages' : heading?.textContent ? `${heading.textContent} · Backchannel` : 'Backchannel';
  if (!el.matches('.chat, .table-mode')) window.scrollTo(0, 0);
}

// Same-origin links navigate inside the app.
document.addEventListener('click', (e) => {
  const a = /** @type {Element} */ (e.target).closest('a[href^="/"]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.getAttribute('target') || a.hasAttribute('download')) return;
  e.preventDefault();
  go(a.getAttribute('href') || '/');
});
addEventListener('popstate', route);
// Across 1024 px, home and channels go side by side, or back to one screen at a time.
matchMedia(WIDE_QUERY).addEventListener('change', () => /^\/(c\/|$)/.test(location.pathname) && route());

// --- session ends -----------------------------------------------------------------------------------
// The session is gone: signed out from another device, perhaps because this phone was lost. Leave nothing of
// the team's on it: cached history, state and unsent messages go (its push subscriptions went on the server).
async function loggedOut() {
  if (isGuest()) return contactEnded().then(() => go('/', true)); // a source's conversation ended
  if (!PUBLIC.test(location.pathname)) toast('Please log in again.');
  go('/login', true);
  await wipe();
  document.cookie = 'bc_csrf=; Max-Age=0; Path=/'; // so that, offline, the next start goes to the login screen
}
apiHooks.unauthenticated = loggedOut;
on('unauthenticated', loggedOut);
on('removed', (name) => toast(`You are no longer in ${name}.`));
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
// "Last seen" in my device list moves on while the app is open, even when only the live socket talks.
setInterval(() => { if (S.me && !S.contact && document.visibilityState === 'visible' && online()) stillHere(); }, 4 * 60_000);
navigator.serviceWorker?.addEventListener('message', (e) => {
  if (e.data?.type === 'outbox') outbox.reload();
  else if (e.data?.type === 'open' && /^\/[^/]/.test(e.data.url)) go(e.data.url); // a tapped notification
});

addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  install.prompt = e;
});

// worker.js imports modules. A browser that cannot run a module worker (Firefox before 147) keeps no worker at
// all: the bridge at /sw.js that an older app left there has no push handler, so it would swallow pushes.
function registerWorker() {
  const sw = navigator.serviceWorker;
  sw.register('/worker.js', { type: 'module', scope: '/' }).catch(() =>
    sw.getRegistration('/').then((r) => r?.active?.scriptURL.endsWith('/sw.js') && r.unregister()).catch(() => {}),
  );
}

async function boot() {
  if ('serviceWorker' in navigator) registerWorker();
  await loadLocal();
  if (S.contact) return guestBoot(route); // a source's phone: no team routes
  if (!S.me && !cookie('bc_csrf')) return route(); // never signed in here: no need to ask the server
  if (S.me) await route(); // paint from the cache first: this is what opens offline
  if (online()) {
    try {
      await refreshAll();
    } catch (ex) {
      if (/** @type {{status?: number}} */ (ex).status === 401) return; // handled: back to the login screen
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
