"""Which push endpoints the server will post to: https on a public address only (no SSRF into the network)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from api.errors import invalid

ENDPOINT_MAX = 2048


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _loopback(address: str) -> bool:
    return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback


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
    except (socket.gaierror, UnicodeError):
        raise invalid("endpoint", "its host does not resolve") from None
    addresses = {str(info[4][0]) for info in infos}
    if allow_loopback and all(_loopback(a) for a in addresses):
        return f"{parts.scheme}://{parts.netloc}"
    if parts.scheme != "https":
        raise invalid("endpoint", "must use https")
    if not all(_public(a) for a in addresses):
        raise invalid("endpoint", "resolves to a loopback, private, link-local or metadata address")
    return f"{parts.scheme}://{parts.netloc}"
