// Getting into a team: start one or paste an invite link (/new, and home without a team), or open the link (/join).
import { h, field, toast, checkFields, showFieldErrors } from '../ui.js';
import { LIMITS } from '../limits.js';
import { S } from '../store.js';
import { createTeam, joinTeam, keepInvite, errorText } from '../actions.js';
import { bar, settingsLink } from '../components/bar.js';

/** @param {View} v */
export function onboardingScreen(v) {
  const err = h('p', { class: 'error', role: 'alert' });
  const name = h('input', { name: 'name', required: true, maxlength: LIMITS.name, placeholder: 'e.g. Acme acquisition' });
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

/** An invite link: kept for after signing in, or accepted at once. @param {View} v @param {string} token */
export async function joinScreen(v, token) {
  if (!S.me) {
    await keepInvite(token);
    return void v.go('/signup', true);
  }
  const msg = h('p', { class: 'muted', role: 'status' }, 'Joining the team…');
  const content = h('div', { class: 'content stack' }, msg);
  joinTeam(token).then((t) => {
    toast(`You joined ${t.name}.`);
    v.go('/', true);
  }, (ex) => {
    msg.textContent = ex?.status === 410 ? 'This invite has expired or was used up. Ask for a new link.'
      : ex?.status === 404 ? 'This invite link is not valid.' : errorText(ex);
    msg.className = 'error';
    content.append(h('a', { class: 'button secondary', href: '/' }, 'Go to my teams'));
  });
  return h('main', { class: 'screen' }, bar(v, 'Join a team', { back: '/' }), content);
}
