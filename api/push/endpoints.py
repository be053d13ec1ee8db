"""Which push endpoints the server will post to: https on a public address only (no SSRF into the network)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from api.errors import ApiError, invalid

ENDPOINT_MAX = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at: IPv4-compatible (::/96, deprecated,
# still routed by some stacks), IPv4-mapped, SIIT (RFC 7915) and NAT64's well-known prefix (RFC 6052).
_IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.IPv6Network(net) for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# NAT64 for local use (RFC 8215): a translator inside our own network, and where the IPv4 address sits depends on
# the prefix length its operator chose (RFC 6052 §2.2). No push service lives there: refused whatever it carries.
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries and is delivered through (6to4 relay, Teredo server and client)."""
    if any(ip in net for net in _IPV4_IN_LAST_32_BITS):
        return (ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo  # (server, client); the client's bits are already un-inverted
    return ()


def public_address(ip: IPAddress) -> bool:
    """Whether the server may connect to this address: global unicast, also inside any IPv6 wrapping of IPv4.

    An IPv6 address that embeds IPv4 addresses is judged by them alone: ::127.0.0.1, 2002:7f00:1:: or
    64:ff9b::169.254.169.254 reach the loopback or metadata address whatever ipaddress says of the wrapper.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL_USE:
            return False
        inner = embedded_ipv4(ip)
        if inner:
            return all(public_address(v4) for v4 in inner)
    return ip.is_global and not ip.is_multicast


class Unresolved(ApiError):
    """The endpoint's host does not resolve now: refused at subscription, but only retried later by the worker
    (a DNS blip must not delete every subscription of a push service)."""

    def __init__(self) -> None:
        error = invalid("endpoint", "its host does not resolve")
        super().__init__(error.status, error.code, error.detail, error.fields)


def _address(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)


async def check_endpoint(endpoint: str, *, allow_loopback: bool) -> str:
    """The endpoint's origin if the server may post to it; a 400 naming the problem otherwise.

    `allow_loopback` is a development setting for a local push service (the tests run one): it admits
    http or https on loopback addresses only, never private or link-local ones.
    """
    if len(endpoint) > ENDPOINT_MAX:
        raise invalid("endpoint", f"longer than {ENDPOINT_MAX} characters")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise invalid("endpoint", "must be an https URL of a push service")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise invalid("endpoint", "has an invalid port") from None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise Unresolved() from None
    except UnicodeError:
        raise invalid("endpoint", "its host is not a valid name") from None
    addresses = {_address(str(info[4][0])) for info in infos}
    if allow_loopback and all(a.is_loopback for a in addresses):
        return f"{parts.scheme}://{parts.netloc}"
    if parts.scheme != "https":
        raise invalid("endpoint", "must use https")
    if not all(public_address(a) for a in addresses):
        raise invalid("endpoint", "resolves to a loopback, private, link-local or metadata address")
    return f"{parts.scheme}://{parts.netloc}"
