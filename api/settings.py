"""Settings read from ``BACKCHANNEL_*`` environment variables, each with a safe default."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    # Seconds between server pings on the live socket; a socket silent for two intervals is closed.
    heartbeat_seconds: float = 20.0
    # Seconds a request's head may take to arrive (from the connection's or the request's first byte), and then
    # its body (at most 64 KiB); past either the client gets a 408 and the connection is closed (api/transport.py).
    head_timeout_seconds: float = 10.0
    body_timeout_seconds: float = 20.0
    # Seconds in which a client that is not taking its answer (the server's buffer for it is full, or the
    # connection is closing with bytes unsent) must take 64 KiB of it, or the rest; if not, the connection is
    # aborted (api/transport.py).
    send_timeout_seconds: float = 20.0
    # Send the session cookie with the Secure flag even on plain http (set behind a TLS proxy).
    secure_cookies: bool = False
    # Messages one user may send per minute (retries of a stored message do not count).
    messages_per_minute: int = 120
    # argon2id cost; lower only for tests.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    # VAPID: the contact push services see (a mailto: or https: URL) and, optionally, the private key
    # as PEM (otherwise one is generated into the data folder on first start).
    vapid_subject: str = "mailto:push@backchannel.invalid"
    vapid_private_key: str | None = None
    # Development only: allow push endpoints on loopback (a local push service, as the tests run).
    push_allow_loopback: bool = False
    pwa_dir: Path = Path(__file__).resolve().parent.parent / "pwa"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "backchannel.sqlite3"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        raw = {
            field: env[f"BACKCHANNEL_{field.upper()}"]
            for field in cls.__struct_fields__
            if f"BACKCHANNEL_{field.upper()}" in env
        }
        return msgspec.convert(raw, cls, strict=False, dec_hook=_decode_path)


def _decode_path(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError
