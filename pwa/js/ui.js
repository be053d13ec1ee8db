// DOM helpers. Text always goes in as text nodes (never innerHTML); no inline styles (CSP).
import { LIMITS, USERNAME } from './limits.js';
const SVG = 'http://www.w3.org/2000/svg';
const PATHS = {
  back: 'M15 5l-7 7 7 7',
  settings: 'M4 8h9m4 0h3M4 16h3m4 0h9M17 8a2 2 0 1 1-4 0 2 2 0 1 1 4 0M11 16a2 2 0 1 1-4 0 2 2 0 1 1 4 0',
  people: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6M3 19c0-3 3-5 6-5s6 2 6 5M16 5.5a3 3 0 0 1 0 5.5M18 14c2 .5 3 2.5 3 5',
  moon: 'M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z',
  send: 'M12 19V5M6 11l6-6 6 6',
  hide: 'M3 3l18 18M10.6 6.1A10 10 0 0 1 12 6c5 0 9 6 9 6a17 17 0 0 1-2.6 3.2M6.6 6.6C4.3 8.1 3 12 3 12s4 6 9 6c1.6 0 3-.4 4.3-1.1',
  close: 'M6 6l12 12M18 6L6 18',
  plus: 'M12 5v14M5 12h14',
  lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v9H5z',
  beside: 'M4 5h16v14H4zM12 5v14',
  search: 'M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14M20 20l-4-4',
};

/** @param {keyof typeof PATHS} name */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'i');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', PATHS[name]);
  svg.append(path);
  return svg;
}

/**
 * An element: props are attributes, `on…` listeners, or value/checked/selected properties; kids nest (null skipped).
 * @template {keyof HTMLElementTagNameMap} K @param {K} tag @param {Record<string, any> | null} [props] @param {...any} kids
 */
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected') /** @type {any} */ (el)[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

/** A labelled form field. @param {string} label @param {Element} input @param {string | null} [hint] */
export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', null, label), input, hint ? h('small', null, hint) : null);
}

// --- errors next to their field, in plain words ------------------------------------------------
let errorIds = 0;
/** Shows (or, with '', clears) the error of one input, under it. @param {Element} input @param {string} text */
export function fieldError(input, text) {
  const box = input.closest('.field') || input.parentElement;
  let note = /** @type {HTMLElement | null} */ (box?.querySelector('.field-error') || null);
  if (!note && text) {
    note = h('small', { class: 'field-error', id: `fe${++errorIds}` });
    box?.append(note);
  }
  if (note && text) note.textContent = text;
  else note?.remove();
  if (text) {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', /** @type {HTMLElement} */ (note).id);
  } else {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
}

/** What each rule says, in plain words (the limits are the server's: limits.js). */
export const RULES = {
  username: `Usernames are ${LIMITS.usernameMin} to ${LIMITS.usernameMax} letters, digits, dots, dashes or underscores.`,
  password: `Passwords are at least ${LIMITS.passwordMin} characters.`,
  name: `Names need a visible character, at most ${LIMITS.name} characters, no invisible or control characters.`,
};

/** What is wrong with a name, said for this one ('' when nothing is): a long name is never cut (no input has a
 * maxlength), the person decides what goes. A device's name may be longer than a person's.
 * @param {string} value trimmed @param {number} max */
const nameProblem = (value, max) => !value ? 'Enter a name.'
  : value.length > max ? `Names are at most ${max} characters; this one has ${value.length}.` : '';

/** What is wrong with each kind of field ('' when nothing is); a password as typed, the others trimmed.
 * @type {Record<'username' | 'password' | 'name' | 'device', (value: string, raw: string) => string>} */
const PROBLEMS = {
  name: (value) => nameProblem(value, LIMITS.name),
  device: (value) => nameProblem(value, LIMITS.device),
  username: (value) => (USERNAME.test(value) ? '' : RULES.username),
  password: (_, raw) => raw.length < LIMITS.passwordMin ? RULES.password
    : raw.length > LIMITS.passwordMax ? `Passwords are at most ${LIMITS.passwordMax} characters; this one has ${raw.length}.` : '',
};

/**
 * Checks a form's inputs against the rules before it goes to the server; shows what is wrong next to each.
 * @param {Element} form @param {Record<string, keyof typeof PROBLEMS>} rules input name: its rule
 * @returns {boolean} whether all pass
 */
export function checkFields(form, rules) {
  clearErrors(form);
  let first = /** @type {HTMLInputElement | null} */ (null);
  for (const [key, rule] of Object.entries(rules)) {
    const input = /** @type {HTMLInputElement | null} */ (form.querySelector(`[name="${key}"]`));
    if (!input) continue;
    const problem = PROBLEMS[rule](input.value.trim(), input.value);
    if (problem) { fieldError(input, problem); first = first || input; }
  }
  first?.focus();
  return first === null;
}

/** Clears every field error of a form. @param {Element} form */
export function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid]')) fieldError(input, '');
}

/**
 * Puts each of the server's field errors next to its input (by name), in the words given for that field, or the
 * server's own ("must be at most 60 characters") after the field's label. The first one gets focus.
 * @param {Element} form @param {unknown} err @param {Record<string, string>} [words] @returns {boolean} whether any showed
 */
export function showFieldErrors(form, err, words = {}) {
  const fields = /** @type {{fields?: Record<string, string>}} */ (err)?.fields || {};
  let first = /** @type {HTMLElement | null} */ (null);
  for (const [key, problem] of Object.entries(fields)) {
    const input = /** @type {HTMLElement | null} */ (form.querySelector(`[name="${CSS.escape(key)}"]`));
    if (!input) continue;
    const label = input.closest('.field')?.firstElementChild?.textContent || key;
    fieldError(input, words[key] || `${label} ${problem}.`);
    first = first || input;
  }
  first?.focus();
  return first !== null;
}

let toastTimer = 0;
/** @param {string} text */
export function toast(text) {
  const el = /** @type {HTMLElement} */ (document.getElementById('toast'));
  el.textContent = text;
  el.classList.add('on');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('on'), 3200);
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** @param {number} ms */
export const clock = (ms) => timeFmt.format(new Date(ms));

/** What a device is called in my device list (the server keeps what the log-in sent). */
export function deviceName(ua = navigator.userAgent) {
  const os = /android/i.test(ua) ? 'Android' : /iphone|ipad|ipod/i.test(ua) ? 'iPhone' : /mac/i.test(ua) ? 'Mac' : /win/i.test(ua) ? 'Windows' : 'Linux';
  const app = /edg\//i.test(ua) ? 'Edge' : /chrome|chromium/i.test(ua) ? 'Chrome' : /firefox/i.test(ua) ? 'Firefox' : 'Safari';
  return `${app} on ${os}`;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  const x = [...b].map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
