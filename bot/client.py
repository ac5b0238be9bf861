"""Who is on the other end of an HTTP request: the client's address and whether it used HTTPS.

Behind the documented reverse proxy the connection comes from the proxy, so the real client
and scheme are read from ``X-Forwarded-For`` and ``X-Forwarded-Proto``; but only when
``LIAISON_TRUST_PROXY`` says a proxy is there, since anyone can send those headers.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: web.Request, *, trust_proxy: bool) -> str:
    """The client's IP address; the proxy's view of it when the proxy is trusted."""
    if trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The proxy appends the address it saw: the last entry is the one it vouches for.
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if hops:
            found = _valid_address(hops[-1])
            if found is not None:
                return found
    peer = request.remote or ""
    return _valid_address(peer) or "unknown"


def came_over_https(request: web.Request, *, trust_proxy: bool) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through the trusted proxy)."""
    if request.secure:
        return True
    if trust_proxy:
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False
