// Log in or create an account (then on to an invite opened before, or home).
import { h, field, checkFields, showFieldErrors, RULES } from '../ui.js';
import { LIMITS } from '../limits.js';
import { enter, errorText, pendingInvite } from '../actions.js';

/** @param {View} v @param {'login' | 'signup'} mode */
export async function authScreen(v, mode) {
  const signup = mode === 'signup';
  const pending = await pendingInvite();
  const err = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { class: 'primary', type: 'submit' }, signup ? 'Create account' : 'Log in');
  const form = h('form', { class: 'stack', novalidate: true },
    field('Username', h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' }),
      signup ? `${LIMITS.usernameMin}–${LIMITS.usernameMax} letters, digits, . - _` : null),
    signup ? field('Your name', h('input', { name: 'display_name', autocomplete: 'name', required: true })) : null,
    field('Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: signup ? 'new-password' : 'current-password' }),
      signup ? `At least ${LIMITS.passwordMin} characters` : null),
    err, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    if (signup && !checkFields(form, { username: 'username', display_name: 'name', password: 'password' })) return;
    submit.disabled = true;
    try {
      await enter(signup, Object.fromEntries(new FormData(form)));
      const invite = await pendingInvite();
      v.go(invite ? `/join/${invite}` : '/', true);
    } catch (ex) {
      const code = /** @type {{code?: string}} */ (ex).code;
      const shown = showFieldErrors(form, ex, { username: code === 'username_taken' ? 'That username is taken. Try another.' : RULES.username, display_name: RULES.name, password: RULES.password });
      err.textContent = code === 'offline' ? 'You are offline. Connect to log in.' : shown ? '' : errorText(ex);
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
