// Channels side by side on a wide screen (the first article's "several chat windows": Everyone beside Leads).
// The path names the open channels, left to right (/c/3/7), so a reload, the back button and a bookmark keep them.

export const WIDE_QUERY = '(min-width: 1024px)';
export const MAX_PANES = 3; // beyond three, a conversation is too narrow to read on a 1280 px screen

/** Whether the screen is wide enough for the channel list beside the conversations. */
export const wide = () => matchMedia(WIDE_QUERY).matches;

/** @param {number[]} ids @returns {string} */
export const panesPath = (ids) => (ids.length ? `/c/${ids.join('/')}` : '/');

/** The channels of a path's list ("3/7"): each once, at most MAX_PANES. @param {string} list @returns {number[]} */
export const panesOf = (list) => [...new Set(list.split('/').map(Number))].filter((id) => id > 0).slice(0, MAX_PANES);

/** One more channel at the right; with all panes taken, it replaces the rightmost. @param {number[]} ids @param {number} id */
export const besidePath = (ids, id) => panesPath([...ids.slice(0, MAX_PANES - 1), id]);

/** @param {number[]} ids @param {number} id */
export const withoutPath = (ids, id) => panesPath(ids.filter((x) => x !== id));

/** @type {number[]} */
let lastOpen = []; // the channels last shown side by side, for a screen opened from one of them (its people)

/** @param {number[]} ids */
export const remember = (ids) => { lastOpen = ids; };

/** Where a channel just made opens: beside the channels open on a wide screen, or alone. @param {number} id */
export const besideOpen = (id) => (wide() && lastOpen.length ? besidePath(lastOpen, id) : `/c/${id}`);

/** Where a screen opened from home goes back to: on a wide screen, the channels that were open there. */
export const homePath = () => (wide() ? panesPath(lastOpen) : '/');

/** Where a screen opened from channel `id` goes back to: the panes it was among, on a wide screen; or the channel.
 * @param {number} id @param {boolean} [gone] the channel is no longer mine */
export function backFrom(id, gone = false) {
  const among = wide() && lastOpen.includes(id);
  if (gone) return among ? withoutPath(lastOpen, id) : '/';
  return among ? panesPath(lastOpen) : `/c/${id}`;
}
