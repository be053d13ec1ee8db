"""Accessibility checks run on every screen: accessible names (Chromium's own AX tree), text contrast, and axe-core
with the rules of Lighthouse's accessibility category (so that its score stays 100)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from playwright.sync_api import CDPSession, Page

from tests.server import ROOT

CONTROLS = {
    "button", "link", "textbox", "combobox", "checkbox", "radio", "switch", "slider",
    "spinbutton", "searchbox", "menuitem", "tab", "listbox", "option",
}  # fmt: skip

# Run in the page: every visible text, composited over what is behind it, against WCAG AA.
CONTRAST_JS = (Path(__file__).with_name("contrast.js")).read_text()

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json, installed by scripts/setup dev
# Lighthouse's accessibility category runs axe on the tags wcag2a and wcag2aa with these rules switched on or off
# (its gatherer, core/gather/gatherers/accessibility.js): the best-practice rules it scores, less those it leaves out.
LIGHTHOUSE_ON = (
    "accesskeys", "aria-allowed-role", "aria-dialog-name", "aria-text", "aria-treeitem-name", "empty-heading",
    "heading-order", "html-xml-lang-mismatch", "identical-links-same-purpose", "image-redundant-alt",
    "input-button-name", "label-content-name-mismatch", "landmark-one-main", "link-in-text-block", "meta-viewport",
    "select-name", "skip-link", "tabindex", "table-duplicate-name", "table-fake-caption", "td-has-header",
)  # fmt: skip
LIGHTHOUSE_OFF = (
    "area-alt", "aria-braille-equivalent", "aria-conditional-attr", "aria-deprecated-role", "aria-prohibited-attr",
    "aria-roledescription", "audio-caption", "blink", "duplicate-id", "frame-focusable-content",
    "frame-title-unique", "marquee", "nested-interactive", "no-autoplay-audio", "role-img-alt",
    "scrollable-region-focusable", "server-side-image-map", "svg-img-alt",
)  # fmt: skip
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
    "resultTypes": ["violations"],
    "rules": {**{r: {"enabled": True} for r in LIGHTHOUSE_ON}, **{r: {"enabled": False} for r in LIGHTHOUSE_OFF}},
}
SETTLED = """() => Promise.all(document.getAnimations()
  .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity).map((a) => a.finished.catch(() => null)))"""
# How many animations and transitions started since the last call (it listens from the first).
MOVES = """() => {
  const moves = (window.__moves ??= { n: 0, note: () => moves.n++ });
  if (!moves.listening) {
    for (const type of ['transitionrun', 'animationstart']) document.addEventListener(type, moves.note, true);
    moves.listening = true;
  }
  const n = moves.n;
  moves.n = 0;
  return n;
}"""
# Each violation as "rule: help: the CSS targets of the elements".
AXE_RUN = """async (options) => {
  const { violations } = await window.axe.run(document, options);
  return violations.map((v) => `${v.id}: ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}"""


# One DevTools session a page, kept open: detaching one ends the context's emulated offline state (navigator.onLine
# turns true and the app reconnects in the middle of an offline test).
_SESSIONS: WeakKeyDictionary[Page, CDPSession] = WeakKeyDictionary()


def unnamed_controls(page: Page) -> list[str]:
    cdp = _SESSIONS.get(page) or _SESSIONS.setdefault(page, page.context.new_cdp_session(page))
    nodes: list[dict[str, Any]] = cdp.send("Accessibility.getFullAXTree")["nodes"]
    missing = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROLS:
            continue
        if not str(node.get("name", {}).get("value", "")).strip():
            missing.append(f"{role} (backend node {node.get('backendDOMNodeId')})")
    return missing


def low_contrast(page: Page) -> list[str]:
    return list(page.evaluate(CONTRAST_JS))


def axe_violations(page: Page) -> list[str]:
    """axe-core's findings on the page as it is. Its source goes in through page.evaluate (the DevTools protocol),
    which the app's CSP (script-src 'self') does not stop, as it would a script tag."""
    assert AXE.is_file(), f"axe-core is missing ({AXE}): run scripts/setup dev"
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {AXE.read_text()}\n}}")
    return list(page.evaluate(AXE_RUN, AXE_OPTIONS))


def settle(page: Page) -> None:
    """Waits for the animations and transitions under way that end (a toast going, a screen coming in)."""
    page.evaluate(SETTLED)


def check(page: Page) -> None:
    """Named controls, AA contrast and axe-core's findings, judged at rest: made again (up to three times) when an
    animation started while they ran, such as a toast going halfway through."""
    for _ in range(3):
        settle(page)
        page.evaluate(MOVES)  # counts from here
        unnamed, low, found = unnamed_controls(page), low_contrast(page), axe_violations(page)
        if not page.evaluate(MOVES):
            break
    where = f"{page.url} at {page.viewport_size}"
    assert not unnamed, f"{where}: controls without an accessible name: {unnamed}"
    assert not low, f"{where}: text below WCAG AA contrast: {low}"
    assert not found, f"{where}: axe-core found:\n" + "\n".join(found)
