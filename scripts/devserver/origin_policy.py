# Why this exists: the event stream, the report endpoint and the patches are for the page
# this server serves, not for any other site open in the same browser. A hostile page can
# still send requests to 127.0.0.1, so those endpoints refuse requests that the browser marks
# as coming from another origin, and requests whose Host is a DNS name that may have been
# rebound to this machine (a hostile page's own name pointing at 127.0.0.1).
from __future__ import annotations

import ipaddress
import urllib.parse
from email.message import Message
from typing import Optional

REFUSED_FETCH_SITES = ("cross-site", "same-site")


def _split_authority(authority: str) -> Optional[tuple[str, int]]:
    """("host", port) of "host[:port]" as sent in Host, or None when it is not one."""
    if not authority or any(character in authority for character in "/\\@?# \t"):
        return None
    try:
        parsed = urllib.parse.urlsplit("http://" + authority)
        port = parsed.port or 80
    except ValueError:
        return None
    if not parsed.hostname:
        return None
    return parsed.hostname, port


def _names_this_server(hostname: str, configured_host: str) -> bool:
    """True for names no DNS rebinding can produce: loopback names, IP literals, --host."""
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    if hostname == configured_host.lower().strip("[]"):
        return True
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def _origin_matches_host(origin: str, host: tuple[str, int]) -> bool:
    try:
        parsed = urllib.parse.urlsplit(origin.strip())
        port = parsed.port or 80
    except ValueError:
        return False
    if parsed.scheme != "http" or parsed.path or parsed.query or parsed.username:
        return False
    return (parsed.hostname, port) == host


def cross_origin_refusal(headers: Message, configured_host: str) -> Optional[str]:
    """None when a request may use a protected endpoint, else the one-line reason it may not."""
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site.strip().lower() in REFUSED_FETCH_SITES:
        return f"cross-origin request refused (Sec-Fetch-Site: {fetch_site.strip()})"

    host_header = headers.get("Host")
    host = None
    if host_header is not None:
        host = _split_authority(host_header.strip().lower())
        if host is None or not _names_this_server(host[0], configured_host):
            return f"request refused: Host {host_header!r} does not name this server"

    origins = headers.get_all("Origin") or []
    if len(origins) > 1:
        return "cross-origin request refused (more than one Origin header)"
    if origins:
        if host is None:
            return "cross-origin request refused (Origin sent without a Host to compare it with)"
        if not _origin_matches_host(origins[0], host):
            return (f"cross-origin request refused (Origin {origins[0]!r} is not this server's "
                    f"origin http://{host_header.strip()})")
    return None
