"""Which push endpoints the server posts to: the parts decided without the network (IP literals only here; the
spellings of internal addresses and the resolver are in tests/test_push_rules.py)."""

from __future__ import annotations

import ipaddress

import pytest

from api.errors import ApiError
from api.push.endpoints import allowed_address, check_endpoint, embedded_ipv4


def v4(text: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(text)


@pytest.mark.parametrize(
    ("wrapped", "inner"),
    [
        ("::ffff:127.0.0.1", ("127.0.0.1",)),  # IPv4-mapped
        ("64:ff9b::a9fe:a9fe", ("169.254.169.254",)),  # NAT64
        ("2002:7f00:1::", ("127.0.0.1",)),  # 6to4
        ("fe80::5efe:a00:1", ("10.0.0.1",)),  # ISATAP
        ("2001:4860:4860::8888", ()),  # plain IPv6
    ],
)
def test_the_ipv4_addresses_an_ipv6_address_is_delivered_through(wrapped: str, inner: tuple[str, ...]) -> None:
    assert embedded_ipv4(ipaddress.IPv6Address(wrapped)) == tuple(v4(a) for a in inner)


def test_loopback_is_allowed_only_with_the_development_setting() -> None:
    assert not allowed_address(v4("127.0.0.1"), allow_loopback=False)
    assert allowed_address(v4("127.0.0.1"), allow_loopback=True)
    assert not allowed_address(v4("10.0.0.1"), allow_loopback=True)  # never private ones
    assert allowed_address(v4("1.1.1.1"), allow_loopback=False)


async def test_a_public_https_endpoint_is_kept_in_its_canonical_spelling() -> None:
    assert await check_endpoint("HTTPS://1.1.1.1:443/push", allow_loopback=False) == "https://1.1.1.1/push"


@pytest.mark.parametrize(
    ("endpoint", "allow_loopback", "problem"),
    [
        ("http://1.1.1.1/push", False, "must use https"),
        ("https://10.0.0.1/push", False, "private"),
        ("https://127.0.0.1/push", False, "loopback"),
        ("https://[::ffff:169.254.169.254]/push", False, "metadata"),
    ],
)
async def test_an_endpoint_the_server_must_not_post_to_is_a_400(
    endpoint: str, allow_loopback: bool, problem: str
) -> None:
    with pytest.raises(ApiError) as refused:
        await check_endpoint(endpoint, allow_loopback=allow_loopback)
    assert refused.value.status == 400 and problem in refused.value.fields["endpoint"]


async def test_a_local_push_service_is_allowed_over_http_in_development() -> None:
    assert await check_endpoint("http://127.0.0.1:9/x", allow_loopback=True) == "http://127.0.0.1:9/x"
