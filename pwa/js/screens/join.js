// Getting into a team: start one or paste an invite link (/new, and home without a team), or open the link (/join).
import { h, field, toast, checkFields, showFieldErrors } from '../ui.js';
import { S } from '../store.js';
import { createTeam, joinTeam, keepInvite, previewInvite, errorText } from '../actions.js';
import { bar, settingsLink } from '../components/bar.js';

/** @param {View} v */
export function onboardingScreen(v) {
  const err = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { name: 'name', required: true, placeholder: 'e.g. Acme acquisition' });
  const link = h('input', { name: 'invite', required: true, placeholder: 'Paste the link you were sent', autocapitalize: 'none' });
  const create = h('form', { class: 'card stack', novalidate: true }, h('h2', null, 'Start a team'),
    h('p', { class: 'muted' }, 'You will lead it: invite your side, tune the cues.'),
    field('Team name', name), h('button', { class: 'primary', type: 'submit' }, 'Create team'));
  const join = h('form', { class: 'card stack' }, h('h2', null, 'Join a team'),
    field('Invite link', link), h('button', { class: 'secondary', type: 'submit' }, 'Join team'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (!checkFields(create, { name: 'name' })) return;
    try {
      await createTeam(name.value.trim());
      v.go('/', true);
    } catch (ex) { if (!showFieldErrors(create, ex)) err.textContent = errorText(ex); }
  });
  join.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = link.value.trim().split('/join/').pop()?.split(/[?#]/)[0];
    if (token) v.go(`/join/${encodeURIComponent(token)}`);
  });
  return h('main', { class: 'screen onboarding' },
    bar(v, 'Welcome', { back: S.teams.length ? '/' : null, actions: [settingsLink()] }),
    h('div', { class: 'content stack' }, h('p', { class: 'lead-text' }, `Hi ${S.me?.display_name}. Set up your team or join one.`), err, create, join));
}

/**
 * An invite link: checked first (whose team, who invited, whether it still works), then joined, or kept for after
 * signing up or logging in. Offline it is kept unchecked, as before.
 * @param {View} v @param {string} token
 */
export async function joinScreen(v, token) {
  const content = h('div', { class: 'content stack' }, h('p', { class: 'muted', role: 'status' }, 'Checking the invite…'));
  const screen = h('main', { class: S.me ? 'screen' : 'screen auth' }, S.me ? bar(v, 'Join a team', { back: '/' }) : brand(), content);
  previewInvite(token).then((p) => {
    if (!p.usable) {
      return content.replaceChildren(h('h2', null, `This invite to ${p.team_name} no longer works`),
        h('p', { class: 'error' }, `${p.reason} Ask ${p.invited_by} for a new link.`), home());
    }
    const intro = [h('h2', null, `Join ${p.team_name}`),
      h('p', null, `${p.invited_by} invited you to ${p.team_name} on Backchannel, as ${p.role === 'lead' ? 'a lead' : 'a member'}.`)];
    if (!S.me) {
      const keep = (/** @type {string} */ to) => async (/** @type {Event} */ e) => { e.preventDefault(); await keepInvite(token); v.go(to); };
      return content.replaceChildren(...intro,
        h('a', { class: 'button primary', href: '/signup', onclick: keep('/signup') }, 'Create an account to join'),
        h('a', { class: 'button secondary', href: '/login', onclick: keep('/login') }, 'I have an account: log in'));
    }
    const err = h('p', { class: 'error', role: 'alert' });
    const join = h('button', { class: 'primary', type: 'button', onclick: () => {
      join.disabled = true;
      joinTeam(token).then((t) => { toast(`You joined ${t.name}.`); v.go('/', true); },
        (ex) => {
          err.textContent = errorText(ex);
          join.disabled = false;
          if (ex?.code === 'display_name_taken') err.append(' ', h('a', { href: '/settings' }, 'Change your name in Settings'), ', then open the link again.');
        });
    } }, `Join ${p.team_name}`);
    content.replaceChildren(...intro, err, join);
  }, async (ex) => {
    if (ex?.status === 0 && !S.me) { await keepInvite(token); return v.go('/signup', true); }
    content.replaceChildren(h('p', { class: 'error' }, ex?.status === 404 ? 'This invite link is not valid. Check that you have the whole link, or ask for a new one.'
      : ex?.status === 0 ? 'You are offline. Connect to check this invite.' : errorText(ex)), home());
  });
  return screen;
}

const home = () => (S.me ? h('a', { class: 'button secondary', href: '/' }, 'Go to my teams') : h('a', { class: 'button secondary', href: '/login' }, 'Log in'));
const brand = () => h('div', { class: 'brand' }, h('img', { src: '/icons/icon-192.png', alt: '', width: 64, height: 64 }), h('h1', null, 'Backchannel'));
