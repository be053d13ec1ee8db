// Keyed list updates: a list repaints by putting each item's fresh rendering in place only where it differs from
// what is on screen, so an event changes one row, and scroll position, focus and screen-reader place stay.

/**
 * Makes `list`'s children the given items, in order. An unchanged item keeps its node; a changed one replaces
 * its own node (focus moves to the same control in the new one); items no longer given go.
 * @param {Element} list @param {[string, HTMLElement][]} items each item's key and fresh rendering
 */
export function keyed(list, items) {
  const old = new Map([...list.children].map((el) => [/** @type {HTMLElement} */ (el).dataset.key, el]));
  let at = list.firstElementChild;
  for (const [key, fresh] of items) {
    fresh.dataset.key = key;
    const was = old.get(key);
    old.delete(key);
    const node = was?.isEqualNode(fresh) ? was : fresh;
    if (was && node !== was) {
      if (at === was) at = fresh;
      swap(was, fresh);
    }
    if (node === at) at = node.nextElementSibling;
    else list.insertBefore(node, at);
  }
  for (const el of old.values()) el.remove();
}

/** @param {Element} was @param {Element} fresh */
function swap(was, fresh) {
  const active = document.activeElement;
  const twin = active && was.contains(active)
    ? [...fresh.querySelectorAll(active.tagName)].find((el) => el.isEqualNode(active)) : null;
  was.replaceWith(fresh);
  /** @type {HTMLElement | undefined} */ (twin)?.focus({ preventScroll: true });
}
