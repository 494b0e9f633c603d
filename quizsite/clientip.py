"""The one rule for "which address is the client": used by the throttles, the audit log, attempts' IP and load
shedding alike, so a forged header can fool none of them.

`X-Forwarded-For` is anybody's to write. It is read only when the direct peer (REMOTE_ADDR) is one of the proxies
listed in the TRUSTED_PROXIES setting (CIDRs); then the header is walked from the right, skipping trusted proxies,
and the first address that is not one of them is the client (a client's own forged entries sit to the left of the
one its first trusted proxy appended, so they are never reached). TRUSTED_PROXIES empty, the default, trusts
nobody: REMOTE_ADDR is the client. Behind a proxy that is not listed, every client has the proxy's address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values, *, setting: str = "TRUSTED_PROXIES") -> tuple[Network, ...]:
    """CIDRs (or single addresses) to networks; a bad entry is an ImproperlyConfigured naming the setting."""
    networks = []
    for value in values or ():
        try:
            networks.append(ipaddress.ip_network(str(value).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{setting} must list IP networks (CIDR), got {value!r}") from None
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def _trusted() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def parse_address(value: str | None) -> Address | None:
    """An address as proxies write it ("1.2.3.4", "1.2.3.4:port", "[v6]:port", "::ffff:1.2.3.4"), or None."""
    text = (value or "").strip()
    if not text:
        return None
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # 203.0.113.9:4711
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address as text, or None when the request has none (a task, a test without REMOTE_ADDR)."""
    if request is None:
        return None
    meta = getattr(request, "META", None) or {}
    client = parse_address(meta.get("REMOTE_ADDR"))
    if client is None:
        return None
    networks = _trusted()
    if networks and _is_trusted(client, networks):
        for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = parse_address(hop)
            if address is None:
                break  # garbage (or an empty header): the last good address is as far as we can trust
            client = address
            if not _is_trusted(address, networks):
                break
    return str(client)
