// "Install the app": the browser's own prompt where it offers one (app.js keeps it), the Home Screen steps on iPhone.
import { h } from '../ui.js';
import { standalone, isIOS } from '../push.js';

/** @type {{prompt: any}} the deferred `beforeinstallprompt` event */
export const install = { prompt: null };

export function installPrompt() {
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
