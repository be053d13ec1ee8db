"""Which push endpoints the server will post to: https on a public address only (no SSRF into the network)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver

from api.errors import invalid

ENDPOINT_MAX = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges whose last 32 bits are an IPv4 address the packet ends up at: IPv4-compatible (::/96, deprecated,
# still routed by some stacks), IPv4-mapped, SIIT (RFC 7915) and NAT64's well-known prefix (RFC 6052).
_IPV4_IN_LAST_32_BITS = tuple(
    ipaddress.IPv6Network(net) for net in ("::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# ISATAP (RFC 5214): an interface id of 0000:5efe or 0200:5efe then an IPv4 address the router tunnels to.
_ISATAP_IDS = (0x0000_5EFE, 0x0200_5EFE)
# Ranges Python 3.11's is_global still counts as global, though no push service can live there: IETF protocol
# assignments (192.0.0.0/24, only parts of it global since RFC 8155/7723) and deprecated site-local IPv6.
_NOT_PUSH_SERVICES = (ipaddress.IPv4Network("192.0.0.0/24"), ipaddress.IPv6Network("fec0::/10"))
# NAT64 for local use (RFC 8215): a translator inside our own network, and where the IPv4 address sits depends on
# the prefix length its operator chose (RFC 6052 §2.2). No push service lives there: refused whatever it carries.
_NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries and is delivered through (6to4 relay, Teredo server and client,
    ISATAP router)."""
    if any(ip in net for net in _IPV4_IN_LAST_32_BITS):
        return (ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo  # (server, client); the client's bits are already un-inverted
    if (int(ip) >> 32) & 0xFFFF_FFFF in _ISATAP_IDS:
        return (ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF),)
    return ()


def public_address(ip: IPAddress) -> bool:
    """Whether the server may connect to this address: global unicast, also inside any IPv6 wrapping of IPv4.

    An IPv6 address that embeds IPv4 addresses is judged by them alone: ::127.0.0.1, 2002:7f00:1:: or
    64:ff9b::169.254.169.254 reach the loopback or metadata address whatever ipaddress says of the wrapper.
    """
    if any(ip in net for net in _NOT_PUSH_SERVICES):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL_USE:
            return False
        inner = embedded_ipv4(ip)
        if inner:
            return all(public_address(v4) for v4 in inner)
    return ip.is_global and not ip.is_multicast


def allowed_address(ip: IPAddress, *, allow_loopback: bool) -> bool:
    """Whether the server may connect to this address (loopback only with the development setting)."""
    return public_address(ip) or (allow_loopback and ip.is_loopback)


def _address(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)


def canonical_endpoint(endpoint: str) -> str:
    """The one spelling of a push endpoint: scheme and host in lower case, no default port, no fragment.

    Two spellings of one push target are one endpoint, so it stays with the account that registered it
    (``HTTPS://Push.example:443/x`` is ``https://push.example/x``). A 400 naming the problem if it is no URL of a
    push service.
    """
    if len(endpoint) > ENDPOINT_MAX:
        raise invalid("endpoint", f"longer than {ENDPOINT_MAX} characters")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise invalid("endpoint", "is not a valid URL (its host or port cannot be read)") from None
    if parts.scheme not in ("https", "http") or not parts.hostname or "@" in parts.netloc or parts.fragment:
        raise invalid("endpoint", "must be an https URL of a push service")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = 443 if parts.scheme == "https" else 80
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


async def check_endpoint(endpoint: str, *, allow_loopback: bool) -> str:
    """The canonical endpoint if the server may post to it now; a 400 naming the problem otherwise.

    `allow_loopback` is a development setting for a local push service (the tests run one): it admits
    http or https on loopback addresses only, never private or link-local ones. The worker checks the addresses
    again on every connection (CheckedResolver), so a host that resolves elsewhere later is refused then.
    """
    canonical = canonical_endpoint(endpoint)
    parts = urlsplit(canonical)
    assert parts.hostname is not None
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
    except socket.gaierror:
        raise invalid("endpoint", "its host does not resolve") from None
    except UnicodeError:
        raise invalid("endpoint", "its host is not a valid name") from None
    addresses = {_address(str(info[4][0])) for info in infos}
    if allow_loopback and all(a.is_loopback for a in addresses):
        return canonical
    if parts.scheme != "https":
        raise invalid("endpoint", "must use https")
    if not all(public_address(a) for a in addresses):
        raise invalid("endpoint", "resolves to a loopback, private, link-local or metadata address")
    return canonical


class RefusedAddress(OSError):
    """A push endpoint's host resolved to an address the server must not connect to."""


class CheckedResolver(ThreadedResolver):
    """aiohttp's resolver, refusing any address the server must not connect to.

    The address checked is the address connected to: a host that resolved to a public address at subscription
    and resolves to 127.0.0.1 or 169.254.169.254 now (DNS rebinding) is refused at connection time. (aiohttp does
    not resolve IP literals; those were checked once and for all at subscription.)
    """

    def __init__(self, *, allow_loopback: bool) -> None:
        super().__init__()
        self._allow_loopback = allow_loopback

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        for result in results:
            if not allowed_address(_address(result["host"]), allow_loopback=self._allow_loopback):
                raise RefusedAddress(f"{host} resolves to a refused address")
        return results
