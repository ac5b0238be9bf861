"""Whether a WebSocket was opened by this server's own page, judged by its ``Origin``."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from bot.client import came_over_https

DEFAULT_PORTS = {"http": 80, "https": 443}


def _parts(url: URL) -> tuple[str, str, int | None] | None:
    if url.scheme not in DEFAULT_PORTS or not url.host:
        return None
    return url.scheme, url.host.lower(), url.port


def own_origin(request: web.Request, *, trust_proxy: bool) -> URL | None:
    """This server's origin as the browser sees it: the scheme it used and the Host it named.

    Behind a trusted proxy the scheme (and, when the proxy rewrites it, the host) come from
    the forwarded headers.
    """
    scheme = "https" if came_over_https(request, trust_proxy=trust_proxy) else "http"
    host = request.headers.get("Host", "")
    if trust_proxy:
        forwarded = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip()
        host = forwarded or host
    if not host:
        return None
    try:
        return URL(f"{scheme}://{host}")
    except ValueError:
        return None


def same_origin(request: web.Request, *, trust_proxy: bool) -> bool:
    """True unless the request names an ``Origin`` other than this server's own.

    Browsers always send ``Origin`` on a WebSocket handshake, so a missing one means a
    client that is not a browser and carries no other site's cookies.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = own_origin(request, trust_proxy=trust_proxy)
    if own is None:
        return False
    try:
        theirs = _parts(URL(origin.strip()))
    except ValueError:
        return False
    mine = _parts(own)
    return theirs is not None and theirs == mine
