"""A local push service for tests: verifies every push like a real one would, and decrypts it.

It checks the VAPID JWT (ES256 signed by the advertised key, aud = this origin, exp within 24 h,
a mailto:/https: sub), decrypts the aes128gcm body (RFC 8188 / RFC 8291) with the subscription's
private key, and records the payload and headers. Each subscription can be told to answer with
given statuses first (404, 410, 413, 429 + Retry-After, 503...), or to stall: read every push and never answer.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# What a server needs to post to this service on loopback (a development setting) with a valid VAPID subject.
PUSH_ENV = {"BACKCHANNEL_PUSH_ALLOW_LOOPBACK": "1", "BACKCHANNEL_VAPID_SUBJECT": "mailto:ops@example.com"}


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


@dataclass
class Device:
    """A browser's push subscription: its key pair and auth secret, as the push service's client holds them."""

    id: str
    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def public_bytes(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    @property
    def keys(self) -> dict[str, str]:
        """The subscription's keys as a browser posts them."""
        return {"p256dh": b64url(self.public_bytes), "auth": b64url(self.auth_secret)}

    def decrypt(self, body: bytes) -> bytes:
        salt, record_size, id_len = body[:16], struct.unpack("!L", body[16:20])[0], body[20]
        server_public = body[21 : 21 + id_len]
        ciphertext = body[21 + id_len :]
        assert record_size >= 18 and len(ciphertext) <= record_size, "one record expected"
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), server_public)
        shared = self.private_key.exchange(ec.ECDH(), peer)
        ikm = _hkdf(self.auth_secret, shared, b"WebPush: info\x00" + self.public_bytes + server_public, 32)
        key = _hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
        plain = AESGCM(key).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
        assert plain.endswith(b"\x02"), "the last record ends with the 0x02 delimiter"
        return plain[:-1]


def browser_keys() -> dict[str, str]:
    """Keys a real browser could have sent: a point on P-256 and a 16-byte auth secret."""
    return Device(id="unused").keys


@dataclass
class Push:
    device_id: str
    payload: dict[str, Any]
    headers: dict[str, str]
    at: float


class PushService:
    def __init__(self) -> None:
        self.devices: dict[str, Device] = {}
        self.pushes: list[Push] = []
        self.attempts: list[tuple[str, float]] = []
        self.scripted: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.vapid_key: str | None = None  # the server's advertised applicationServerKey
        self.errors: list[str] = []
        self.stalled: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()  # lets the stalled requests' threads end
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.socket.listen(128)  # not http.server's 5: the worker opens up to 32 connections at once
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> PushService:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def new_device(self) -> tuple[Device, dict[str, Any]]:
        """A device and the subscription JSON a browser would post for it."""
        device = Device(id=b64url(os.urandom(9)))
        self.devices[device.id] = device
        return device, {"endpoint": f"{self.origin}/push/{device.id}", "keys": device.keys}

    def answer(self, device: Device, *statuses: int | tuple[int, dict[str, str]]) -> None:
        """Make the next pushes to this device get these statuses before normal 201s resume."""
        self.scripted[device.id] = [s if isinstance(s, tuple) else (s, {}) for s in statuses]

    def stall(self, device: Device) -> None:
        """Make every push to this device be read and never answered, as a push service that hangs would."""
        self.stalled.add(device.id)

    def received(self, device: Device) -> list[Push]:
        with self._lock:
            return [p for p in self.pushes if p.device_id == device.id]

    def wait_for(self, device: Device, count: int = 1, timeout: float = 10) -> list[Push]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received(device)
            if len(got) >= count:
                return got
            time.sleep(0.02)
        raise AssertionError(f"expected {count} pushes to {device.id}, got {len(self.received(device))}")

    def _verify_vapid(self, authorization: str) -> None:
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", authorization
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        token, key = fields["t"], fields["k"]
        assert self.vapid_key is None or key == self.vapid_key, "signed by the advertised key"
        header_b64, claims_b64, signature_b64 = token.split(".")
        assert json.loads(b64url_decode(header_b64))["alg"] == "ES256"
        signature = b64url_decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64url_decode(claims_b64))
        assert claims["aud"] == self.origin, claims
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, claims
        assert claims["sub"].startswith(("mailto:", "https://")), claims

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                device_id = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with service._lock:
                    service.attempts.append((device_id, time.monotonic()))
                    script = service.scripted.get(device_id)
                    status, extra = script.pop(0) if script else (201, {})
                if device_id in service.stalled:
                    service._stopping.wait()
                    return
                if status == 201:
                    try:
                        service._verify_vapid(self.headers["authorization"])
                        assert self.headers["content-encoding"] == "aes128gcm"
                        assert int(self.headers["ttl"]) >= 0 and self.headers["urgency"] in ("normal", "high")
                        payload = json.loads(service.devices[device_id].decrypt(body))
                    except Exception as exc:  # report, and answer like a strict push service
                        service.errors.append(f"{type(exc).__name__}: {exc}")
                        status = 400
                    else:
                        headers = {k.lower(): v for k, v in self.headers.items()}
                        with service._lock:
                            service.pushes.append(Push(device_id, payload, headers, time.monotonic()))
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

        return Handler
