"""Accessibility checks run on every screen: accessible names (Chromium's own AX tree) and text contrast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

CONTROLS = {
    "button", "link", "textbox", "combobox", "checkbox", "radio", "switch", "slider",
    "spinbutton", "searchbox", "menuitem", "tab", "listbox", "option",
}  # fmt: skip

# Run in the page: every visible text, composited over what is behind it, against WCAG AA.
CONTRAST_JS = (Path(__file__).with_name("contrast.js")).read_text()


def unnamed_controls(page: Page) -> list[str]:
    cdp = page.context.new_cdp_session(page)
    try:
        nodes: list[dict[str, Any]] = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
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


def check(page: Page) -> None:
    unnamed = unnamed_controls(page)
    assert not unnamed, f"{page.url}: controls without an accessible name: {unnamed}"
    low = low_contrast(page)
    assert not low, f"{page.url}: text below WCAG AA contrast: {low}"
