// This device: table mode and vibration, buzzes when closed (Web Push) and what they say, devices, log out.
import { h, icon, toast, deviceName, field, checkFields, showFieldErrors, clearErrors, RULES } from '../ui.js';
import { LIMITS } from '../limits.js';
import { online } from '../api.js';
import * as outbox from '../outbox.js';
import * as push from '../push.js';
import { signal, buzz, canVibrate, visualCue } from '../haptics.js';
import { S } from '../store.js';
import { devices, signOutDevice, renameDevice, renameMe, changePassword, logOut, setPushLevel, loadPushLevel, errorText } from '../actions.js';
import { bar } from '../components/bar.js';
import { installPrompt } from '../components/install.js';
import { homePath } from '../panes.js';

/** @param {string} name what the log-in sent: a user agent from older versions */
const prettyDevice = (name) => (name.startsWith('Mozilla/') ? deviceName(name) : name.slice(0, 40));

/** @param {number} ms */
const when = (ms) => new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

let reloadDevices = () => {};
/** @param {View} v */
function devicesList(v) {
  const list = h('ul', { class: 'list devices' });
  const load = async () => {
    if (!online()) { list.replaceChildren(h('li', { class: 'muted' }, 'Connect to see your devices.')); return; }
    /** @type {any[]} */
    const all = await devices();
    list.replaceChildren(...all.map((d) => deviceItem(d, load)));
  };
  load();
  reloadDevices = load;
  const timer = setInterval(() => { if (!list.querySelector('form')) load(); }, 60_000); // last seen moves on
  v.cleanup(() => clearInterval(timer));
  return list;
}

/** @param {any} d @param {() => void} load */
function deviceItem(d, load) {
  const name = prettyDevice(d.device);
  const item = h('li', { class: 'item device' },
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, d.current ? `${name} (this device)` : name),
      h('small', null, `Signed in ${when(d.created_at)}`),
      h('small', null, d.current ? 'In use now' : `Last seen ${when(d.last_seen_at)}`)),
    h('span', { class: 'inline' },
      h('button', { class: 'small ghost', type: 'button', 'aria-label': `Rename ${name}`, onclick: () => renaming() }, 'Rename'),
      d.current ? null : h('button', { class: 'small ghost', type: 'button', 'aria-label': `Sign out ${name}`, onclick: async () => {
        if (!confirm(`Sign out ${name}? It will need your password to get back in; unsent messages on it are lost.`)) return;
        await signOutDevice(d.id).catch((ex) => toast(errorText(ex)));
        load();
      } }, 'Sign out')));
  const renaming = () => {
    const input = h('input', { name: 'device', value: name, required: true });
    const form = h('form', { class: 'stack', novalidate: true }, field(`New name for ${name}`, input),
      h('div', { class: 'inline' }, h('button', { class: 'small primary', type: 'submit' }, 'Save device name'),
        h('button', { class: 'small ghost', type: 'button', onclick: load }, 'Cancel')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!checkFields(form, { device: 'device' })) return;
      try { await renameDevice(d.id, input.value.trim()); toast('Device renamed'); load(); } catch (ex) { if (!showFieldErrors(form, ex)) toast(errorText(ex)); }
    });
    item.replaceChildren(form);
    input.focus();
  };
  return item;
}

function nameForm() {
  const input = h('input', { name: 'display_name', value: S.me?.display_name || '', autocomplete: 'name', required: true });
  const form = h('form', { class: 'stack', novalidate: true }, field('Your name', input, 'Your teammates see it on every cue you send.'),
    h('button', { class: 'secondary', type: 'submit' }, 'Save name'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checkFields(form, { display_name: 'name' })) return;
    try {
      await renameMe(input.value.trim());
      toast('Name saved');
    } catch (ex) {
      const taken = /** @type {{code?: string}} */ (ex).code === 'display_name_taken';
      if (!showFieldErrors(form, ex, { display_name: taken ? errorText(ex) : RULES.name })) toast(errorText(ex));
    }
  });
  return form;
}

function passwordForm() {
  const current = h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'stack', novalidate: true },
    field('Current password', current), field('New password', next, `At least ${LIMITS.passwordMin} characters. Your other devices will be signed out.`),
    h('button', { class: 'secondary', type: 'submit' }, 'Change password'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!current.value) { showFieldErrors(form, { fields: { current_password: '' } }, { current_password: 'Enter your current password.' }); return; }
    if (!checkFields(form, { new_password: 'password' })) return;
    try {
      await changePassword(current.value, next.value);
      form.reset();
      toast('Password changed. Your other devices are signed out.');
      reloadDevices();
    } catch (ex) {
      if (!showFieldErrors(form, ex, { current_password: 'That is not your current password.', new_password: RULES.password })) toast(errorText(ex));
    }
  });
  return form;
}

/** @param {View} v */
export function settingsScreen(v) {
  const installCard = installPrompt();
  return h('main', { class: 'screen' }, bar(v, 'Settings', { back: homePath() }),
    h('div', { class: 'content stack' },
      h('section', { class: 'card stack' }, h('h2', null, 'Meeting'),
        h('a', { class: 'button primary', href: '/table' }, icon('moon'), 'Start table mode'),
        h('p', { class: 'muted' }, canVibrate ? 'Incoming cues vibrate in their own rhythm while the app is open.' : 'This device cannot vibrate: incoming cues show a small, dim mark in a corner.'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: visualCue.on, onchange: (/** @type {Event} */ e) => visualCue.set(/** @type {HTMLInputElement} */ (e.target).checked) }),
          ' Flash the whole screen for incoming cues in this browser'),
        h('button', { class: 'secondary', type: 'button', onclick: () => { if (!buzz([200, 100, 200])) signal({ urgency: 'normal' }, { alwaysFlash: true }); } }, 'Test vibration')),
      buzzSection(),
      installCard || (push.standalone() ? null : h('section', { class: 'card' }, h('p', { class: 'muted' }, 'Install from your browser menu to use Backchannel full screen.'))),
      h('section', { class: 'card stack' }, h('h2', null, 'Devices'), devicesList(v)),
      h('section', { class: 'card stack' }, h('h2', null, 'Account'),
        h('p', null, 'Signed in as ', h('span', { class: 'mono' }, `@${S.me?.username}`)),
        nameForm(), passwordForm(),
        h('button', { class: 'danger', type: 'button', onclick: async () => {
          if (outbox.items.length && !confirm('Unsent messages on this device will be lost. Log out?')) return;
          await logOut();
          v.go('/login', true);
        } }, 'Log out'))));
}

// --- buzz when closed (Web Push) and what a notification says --------------------------------------
/** @type {Record<string, string>} */
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

function buzzToggle() {
  const uid = S.me?.id ?? 0;
  /** @type {string | undefined} */
  let key;
  let busy = false;
  const toggle = h('button', { class: 'toggle', type: 'button', role: 'switch', 'aria-checked': 'false', 'aria-describedby': 'buzz-state', disabled: true },
    h('span', null, 'Buzz me when the app is closed'));
  const status = h('p', { id: 'buzz-state', class: 'muted', role: 'status' }, 'Checking…');
  const problem = h('p', { class: 'note', role: 'status' });
  /** @param {string} state */
  const paint = (state) => {
    toggle.setAttribute('aria-checked', String(state === 'on'));
    toggle.disabled = busy || !['on', 'off'].includes(state);
    toggle.dataset.state = state;
    status.textContent = BUZZ_STATE[state];
  };
  const refresh = () => push.state(uid).then((st) => { if (!busy) paint(st); }, () => paint('unsupported'));
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
      state = on ? await push.disable() : await push.enable(uid, key);
    } catch (ex) {
      problem.textContent = ex instanceof push.PushError ? ex.message : 'Could not turn buzzes on. Try again later.';
    }
    busy = false;
    toggle.removeAttribute('aria-busy');
    if (state) paint(state);
    else await refresh();
  });
  return [toggle, status, problem];
}

function levelChoice() {
  const radios = LEVELS.map(([value, label, hint]) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'level', value, checked: (S.prefs.level || 'hidden') === value }),
    h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, label), h('small', null, hint))));
  /** @param {string} level */
  const pick = (level) => {
    for (const r of radios) { const input = /** @type {HTMLInputElement} */ (r.firstChild); input.checked = input.value === level; }
  };
  const levels = h('fieldset', { class: 'stack radios' }, h('legend', null, 'What a notification shows'), radios);
  let touched = false; // a choice made here wins over the server's answer still on its way
  levels.addEventListener('change', async (e) => {
    touched = true;
    const was = S.prefs.level || 'hidden';
    try {
      await setPushLevel(/** @type {HTMLInputElement} */ (e.target).value);
      toast('Saved');
    } catch (ex) {
      pick(was);
      toast(errorText(ex));
    }
  });
  if (online()) loadPushLevel(() => touched).then((level) => touched || pick(level), () => {});
  return levels;
}

function buzzSection() {
  return h('section', { class: 'card stack' }, h('h2', null, 'When the app is closed'),
    buzzToggle(),
    h('p', { class: 'small-print muted' }, 'A cue then arrives as a notification and buzzes in its own rhythm where the phone allows. The notification uses your phone’s own sound, so keep the phone on vibrate in meetings. On iPhone this needs Backchannel on the Home Screen (iOS 16.4 or later).'),
    levelChoice(),
    h('p', { class: 'small-print muted' }, 'Notification text stays in your phone’s notification history.'));
}
