"""The PWA's limits module is the server's constants, regenerated: a limit changed on one side only fails here."""

from __future__ import annotations

from pathlib import Path

from api import limits

MODULE = Path(__file__).resolve().parents[2] / "pwa" / "js" / "limits.js"


def test_the_pwa_limits_module_is_generated_from_the_server_constants() -> None:
    assert MODULE.read_text() == limits.module(), "run: python -m api.limits > pwa/js/limits.js"


def test_the_limits_are_the_ones_the_decoder_enforces() -> None:
    assert limits.LIMITS["name"] == 60
    assert (limits.LIMITS["usernameMin"], limits.LIMITS["usernameMax"]) == (3, 32)
    assert (limits.LIMITS["passwordMin"], limits.LIMITS["passwordMax"]) == (8, 256)
