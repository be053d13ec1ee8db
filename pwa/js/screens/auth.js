// Log in or create an account (then on to an invite opened before, or home).
import { h, field } from '../ui.js';
import { enter, errorText, pendingInvite } from '../actions.js';

/** @param {View} v @param {'login' | 'signup'} mode */
export async function authScreen(v, mode) {
  const signup = mode === 'signup';
  const pending = await pendingInvite();
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
    err.textContent = '';
    submit.disabled = true;
    try {
      await enter(signup, Object.fromEntries(new FormData(form)));
      const invite = await pendingInvite();
      v.go(invite ? `/join/${invite}` : '/', true);
    } catch (ex) {
      err.textContent = /** @type {{code?: string}} */ (ex).code === 'offline' ? 'You are offline. Connect to log in.' : errorText(ex);
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
