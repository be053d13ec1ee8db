"""The service worker's shell (api/web.py's /shell.js): drawn from the files, so its version follows them."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from api.web import shell_module, shell_of
from tests.server import ROOT


def _shell(root: Path) -> tuple[str, list[str]]:
    """What the worker imports, read back from the module's text."""
    module = shell_module(shell_of(root))
    version = re.search(r'^export const VERSION = "([0-9a-f]{16})";$', module, re.M)
    listed = re.search(r"^export const SHELL = (\[.*\]);$", module, re.M)
    assert version and listed, module
    return version[1], json.loads(listed[1])


def test_the_version_changes_whenever_a_shell_file_does(tmp_path: Path) -> None:
    root = tmp_path / "pwa"
    shutil.copytree(ROOT / "pwa", root)
    first, files = _shell(root)
    assert _shell(root) == (first, files), "the same files, the same version"

    app = root / "js" / "app.js"
    app.write_bytes(app.read_bytes() + b"\n")
    edited, _ = _shell(root)
    assert edited != first

    (root / "js" / "extra.js").write_text("export {};\n")
    added, with_extra = _shell(root)
    assert added != edited and with_extra == sorted([*files, "/js/extra.js"])

    (root / "js" / "extra.js").rename(root / "js" / "renamed.js")
    renamed, _ = _shell(root)
    assert renamed != added, "a file's path counts, not only its bytes"

    (root / "worker.js").write_text("// the worker is not precached: the browser updates it when its bytes change\n")
    (root / "sw.js").write_text("// nor is the bridge at its old address\n")
    assert _shell(root)[0] == renamed


def test_files_the_server_would_not_serve_are_left_out(tmp_path: Path) -> None:
    root = tmp_path / "pwa"
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html>")
    (root / "js" / ".hidden.js").write_text("")
    (root / ".editor").mkdir()
    (root / ".editor" / "state").write_text("")
    (root / "worker.js").write_text("")
    (root / "sw.js").write_text("")
    assert _shell(root)[1] == ["/index.html"]
