"""A subscription's keys (RFC 8291): the browser's P-256 public key and its 16-byte auth secret.

Checked at subscription so that every stored subscription can be encrypted to: a key that is not a
point on the curve makes encryption fail at every attempt, for as long as the subscription lives.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric import ec

from api.errors import invalid

KEY_MAX = 200  # base64url characters: far above the 87 and 22 that real keys take
P256DH_BYTES = 65  # an uncompressed point: 0x04, x, y
AUTH_BYTES = 16


def _decode(field: str, value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise invalid(field, "is not base64url") from None


def check_keys(p256dh: str, auth: str) -> None:
    """A 400 naming the key unless p256dh is an uncompressed point on P-256 and auth is 16 bytes."""
    point = _decode("keys.p256dh", p256dh)
    if len(point) != P256DH_BYTES or point[0] != 4:
        raise invalid("keys.p256dh", f"must be {P256DH_BYTES} bytes (an uncompressed P-256 point)")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise invalid("keys.p256dh", "is not a point on the P-256 curve") from None
    if len(_decode("keys.auth", auth)) != AUTH_BYTES:
        raise invalid("keys.auth", f"must be {AUTH_BYTES} bytes")
