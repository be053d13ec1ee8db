"""Pure push rules, in process: which addresses the server may post to, which subscription keys it accepts."""

from __future__ import annotations

import ipaddress

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from api.errors import ApiError
from api.push.endpoints import CheckedResolver, RefusedAddress, canonical_endpoint, public_address
from api.push.keys import check_keys
from api.push.worker import _retry_after_ms
from tests.push_service import b64url

# Teredo is 2001:0:<server IPv4>:<flags>:<port>:<client IPv4 with every bit inverted>.
REFUSED = {
    "127.0.0.1": "loopback",
    "10.0.0.1": "private",
    "100.64.0.1": "carrier-grade NAT",
    "169.254.169.254": "link-local, cloud metadata",
    "0.0.0.0": "unspecified",
    "224.0.0.251": "multicast",
    "::1": "IPv6 loopback",
    "::": "IPv6 unspecified",
    "fe80::1": "IPv6 link-local",
    "fd00::1": "unique local",
    "ff02::1": "IPv6 multicast",
    "::ffff:10.0.0.1": "IPv4-mapped private",
    "::ffff:127.0.0.1": "IPv4-mapped loopback",
    "::127.0.0.1": "IPv4-compatible loopback",
    "::169.254.169.254": "IPv4-compatible metadata",
    "::ffff:0:10.0.0.1": "SIIT private",
    "::ffff:0:127.0.0.1": "SIIT loopback",
    "64:ff9b::169.254.169.254": "NAT64 well-known prefix, metadata",
    "64:ff9b::7f00:1": "NAT64 well-known prefix, loopback",
    "64:ff9b:1::a00:1": "NAT64 local-use prefix",
    "64:ff9b:1::808:808": "NAT64 local-use prefix, even around a public address",
    "2002:7f00:1::": "6to4 of loopback",
    "2002:a9fe:a9fe::": "6to4 of metadata",
    "2002:a00:1::1": "6to4 of private",
    "2001:0:7f00:1:0:0:80ff:fffe": "Teredo, server and client 127.0.0.1",
    "2001:0:808:808:0:0:f5ff:fffe": "Teredo, public server, client 10.0.0.1",
    "2001:0:a00:1:0:0:f7f7:f7f7": "Teredo, server 10.0.0.1, public client 8.8.8.8",
    "2a00:1450:4001::5efe:7f00:1": "ISATAP of loopback under a global prefix",
    "2a00:1450:4001::200:5efe:a00:1": "ISATAP (universal bit) of private",
    "192.0.0.8": "IETF protocol assignments (still global to Python 3.11)",
    "fec0::1": "deprecated site-local",
}
PUBLIC = {
    "8.8.8.8": "public IPv4",
    "2606:4700::1111": "public IPv6",
    "2a00:1450:4001:80b::200a": "public IPv6 (a push service)",
    "::ffff:8.8.8.8": "IPv4-mapped public",
    "64:ff9b::808:808": "NAT64 well-known prefix around a public address",
    "2002:808:808::1": "6to4 of a public address",
    "2001:0:808:808:0:0:fefe:fefe": "Teredo, server 8.8.8.8, client 1.1.1.1",
}


@pytest.mark.parametrize("address", REFUSED, ids=REFUSED.values())
def test_internal_addresses_are_refused_in_every_spelling(address: str) -> None:
    assert not public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC, ids=PUBLIC.values())
def test_public_addresses_pass_in_every_spelling(address: str) -> None:
    assert public_address(ipaddress.ip_address(address))


def _device_point() -> bytes:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


GOOD_AUTH = b64url(bytes(16))
BAD_KEYS = {
    "zero point": (b64url(b"\x04" + bytes(64)), GOOD_AUTH, "keys.p256dh"),
    "off the curve": (b64url(_device_point()[:-1] + bytes([_device_point()[-1] ^ 1])), GOOD_AUTH, "keys.p256dh"),
    "compressed point": (b64url(_device_point()[:33]), GOOD_AUTH, "keys.p256dh"),
    "too short": (b64url(b"\x04" + bytes(10)), GOOD_AUTH, "keys.p256dh"),
    "not base64url": ("é" * 87, GOOD_AUTH, "keys.p256dh"),
    "auth too short": (b64url(_device_point()), b64url(bytes(15)), "keys.auth"),
    "auth too long": (b64url(_device_point()), b64url(bytes(17)), "keys.auth"),
}


@pytest.mark.parametrize(("p256dh", "auth", "field"), BAD_KEYS.values(), ids=BAD_KEYS)
def test_subscription_keys_must_be_a_curve_point_and_a_16_byte_secret(p256dh: str, auth: str, field: str) -> None:
    with pytest.raises(ApiError) as refused:
        check_keys(p256dh, auth)
    assert refused.value.status == 400 and field in refused.value.fields


def test_a_real_browser_key_is_accepted() -> None:
    check_keys(b64url(_device_point()), GOOD_AUTH)


@pytest.mark.parametrize(
    ("retry_after", "ms"),
    [
        ("120", 120_000),
        (" 7 ", 7_000),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),  # a date in the past: now
        ("\u00b2", None),  # superscript two passes str.isdigit()
        ("\u0663", None),  # Arabic-Indic three is 3 to int()
        ("1_0", None),
        ("9" * 5000, None),  # too many digits for int()
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_seconds_in_ascii_digits_or_an_http_date(retry_after: str | None, ms: int | None) -> None:
    assert _retry_after_ms(retry_after) == ms


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [
        ("https://push.example/send/abc", "https://push.example/send/abc"),
        ("HTTPS://Push.Example/send/abc", "https://push.example/send/abc"),
        ("https://push.example:443/send/abc", "https://push.example/send/abc"),
        ("https://push.example:8443/send/abc", "https://push.example:8443/send/abc"),
        ("https://push.example", "https://push.example/"),
        ("https://[2606:4700::1111]:443/x?y=1", "https://[2606:4700::1111]/x?y=1"),
        ("http://127.0.0.1:80/x", "http://127.0.0.1/x"),
    ],
)
def test_an_endpoint_has_one_spelling(spelled: str, canonical: str) -> None:
    assert canonical_endpoint(spelled) == canonical


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://[::1",
        "https://[x]/",
        "https://a]/",
        "https://push.example:99999/",
        "https://:@push.example/x",
        "https://user@push.example/x",
        "https://push.example/x#frag",
        "ftp://push.example/x",
        "https:///x",
        "x",
    ],
)
def test_an_endpoint_that_is_no_push_url_is_a_400_naming_it(endpoint: str) -> None:
    with pytest.raises(ApiError) as refused:
        canonical_endpoint(endpoint)
    assert refused.value.status == 400 and "endpoint" in refused.value.fields


async def test_the_push_clients_resolver_checks_the_addresses_it_connects_to() -> None:
    """The worker connects only to addresses it checked at that moment, so a host that rebinds to 127.0.0.1 after
    its subscription was checked is refused (DNS rebinding; shown here with a name that resolves to loopback)."""
    with pytest.raises(RefusedAddress):
        await CheckedResolver(allow_loopback=False).resolve("localhost", 443)
    allowed = await CheckedResolver(allow_loopback=True).resolve("localhost", 443)
    assert allowed and all(ipaddress.ip_address(r["host"]).is_loopback for r in allowed)
