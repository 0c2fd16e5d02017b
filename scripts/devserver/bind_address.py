# Why this exists: the dev server exposes the source tree's build output and accepts reports,
# so it listens on loopback unless told otherwise, and says loudly when it is not. It also
# turns the bind address into the URL a person should open.
from __future__ import annotations

import ipaddress
from typing import Optional

WILDCARD_ADDRESSES = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def non_loopback_warning(host: str, port: int) -> Optional[str]:
    """The warning to print when `host` is reachable from other machines, else None."""
    if is_loopback(host):
        return None
    return (f"warning: listening on {host or '0.0.0.0'}:{port}, which is not a loopback address: "
            f"anyone who can reach this machine can read the served files. "
            f"Use --host 127.0.0.1 unless you need this.")


def browse_url(host: str, port: int) -> str:
    """The URL to open in a browser on this machine for a server bound to `host`."""
    address = WILDCARD_ADDRESSES.get(host, host)
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"
    return f"http://{address}:{port}/"
