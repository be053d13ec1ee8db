"""The server's VAPID identity: its key pair (kept in the data folder, mode 0600) and cached JWTs.

The webpush package signs a fresh JWT on every call and drops the port from `aud`; here one token
per push-service origin is signed and reused until shortly before it expires.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

TOKEN_LIFETIME = 12 * 3600  # push services refuse more than 24 h
TOKEN_RENEW_BEFORE = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_or_create_private_key(data_dir: Path, pem_from_env: str | None) -> ec.EllipticCurvePrivateKey:
    if pem_from_env:
        key = serialization.load_pem_private_key(pem_from_env.encode(), password=None)
    else:
        path = data_dir / "vapid_private.pem"
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("the VAPID key must be an EC P-256 private key")
    return key


class Vapid:
    def __init__(self, private_key: ec.EllipticCurvePrivateKey, subject: str) -> None:
        if not subject.startswith(("mailto:", "https://")):
            raise ValueError("BACKCHANNEL_VAPID_SUBJECT must be a mailto: or https: URL (Apple rejects others)")
        self.private_key = private_key
        self.subject = subject
        self.pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.application_server_key = b64url(
            private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        self._tokens: dict[str, tuple[str, float]] = {}

    def authorization(self, origin: str) -> str:
        """The `Authorization` header for a push service origin (scheme://host[:port])."""
        now = time.time()
        cached = self._tokens.get(origin)
        if cached is None or cached[1] - TOKEN_RENEW_BEFORE <= now:
            expires = now + TOKEN_LIFETIME
            token = jwt.encode({"aud": origin, "exp": int(expires), "sub": self.subject}, self.pem, algorithm="ES256")
            cached = (token, expires)
            self._tokens[origin] = cached
        return f"vapid t={cached[0]}, k={self.application_server_key}"
