"""``/archive/{token}``: a member's printable yearly record behind a signed, expiring link.

The token names the member, the year and the expiry, signed with the web chat's key (the
one that signs cookies and file links, :func:`bot.channels.webchat.web_secret`), under a
purpose of its own so a file-link signature can never pass for an archive one. Whoever holds
the link reads the page until it expires: the chat offers it only to the member themself
and to the office's administrators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from aiohttp import web

from bot.app import AppContext
from bot.channels.webchat import web_secret
from handlers.archive_links import ArchiveLinker, PrintableLink
from services.assessment.archive import member_archive
from services.errors import DomainError
from services.reports.archive_page import refusal_page, render
from services.translation import gettext as _
from services.translation import translated

log = logging.getLogger(__name__)
ARCHIVE_PATH = "/archive/"
ARCHIVE_CONTEXT = web.AppKey("archive_context", AppContext)
# How long a link offered in the chat opens the page: enough to print it, short enough that a
# forwarded link soon stops showing a member's personal record.
CHAT_LINK_DAYS = 7


class ArchiveLinkError(Exception):
    """A token that does not open the archive; ``expired`` tells the two cases apart."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "forged")
        self.expired = expired


@dataclass(frozen=True)
class ArchiveTicket:
    """What a genuine token names."""

    member_id: int
    year: int
    expires: dt.datetime


def _signature(secret: bytes, member_id: int, year: int, expires: int) -> str:
    message = f"archive:{member_id}:{year}:{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def archive_token(secret: bytes, member_id: int, year: int, expires: dt.datetime) -> str:
    """``<member>.<year>.<expiry>.<signature>``: opens one member's year until ``expires``."""
    stamp = int(expires.timestamp())
    return f"{member_id}.{year}.{stamp}.{_signature(secret, member_id, year, stamp)}"


def read_token(secret: bytes, token: str, *, now: dt.datetime) -> ArchiveTicket:
    """The ticket a token names; :class:`ArchiveLinkError` when forged or expired."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() for p in parts[:3]):
        raise ArchiveLinkError(expired=False)
    if any(len(p) > 12 for p in parts[:3]):
        raise ArchiveLinkError(expired=False)
    member_id, year, stamp = (int(p) for p in parts[:3])
    if not hmac.compare_digest(_signature(secret, member_id, year, stamp), parts[3]):
        raise ArchiveLinkError(expired=False)
    # The signature is checked first: an expired notice is only for links we really made.
    if stamp <= now.timestamp():
        raise ArchiveLinkError(expired=True)
    return ArchiveTicket(member_id, year, dt.datetime.fromtimestamp(stamp, dt.UTC))


def archive_link(
    member_id: int, year: int, expires: dt.datetime, *, secret: bytes, base_url: str = ""
) -> str:
    """The link to a member's printable record (``base_url`` is ``LIAISON_PUBLIC_URL``)."""
    token = archive_token(secret, member_id, year, expires)
    return f"{base_url.rstrip('/')}{ARCHIVE_PATH}{token}"


def archive_linker(ctx: AppContext) -> ArchiveLinker:
    """The chat's link maker: signed with the web key, pointing at ``LIAISON_PUBLIC_URL``.

    Without a public address there is no link a member's browser could open (the listen
    address is usually 127.0.0.1), so it makes none and the chat says why.
    """

    def make(member_id: int, year: int) -> PrintableLink | None:
        base = ctx.settings.public_url
        if not base:
            return None
        expires = ctx.clock.now() + dt.timedelta(days=CHAT_LINK_DAYS)
        secret = web_secret(ctx.settings)
        return PrintableLink(
            archive_link(member_id, year, expires, secret=secret, base_url=base), expires
        )

    return make


def _locale(request: web.Request, ctx: AppContext) -> str:
    """``?lang=en`` or ``?lang=zh_CN``; else the committee's language."""
    wanted = request.query.get("lang", "")
    return wanted if wanted in ctx.i18n.available_locales else ctx.settings.default_locale


def _page(text: str, locale: str, status: int) -> web.Response:
    return web.Response(
        text=refusal_page(text, locale),
        status=status,
        content_type="text/html",
        headers={"Cache-Control": "no-store"},
    )


async def archive_page(request: web.Request) -> web.Response:
    """Serve the page a genuine, unexpired token names; 403 forged, 410 expired."""
    ctx = request.app[ARCHIVE_CONTEXT]
    locale = _locale(request, ctx)
    with translated(ctx.i18n.locales.get(locale)):
        try:
            ticket = read_token(
                web_secret(ctx.settings), request.match_info["token"], now=ctx.clock.now()
            )
        except ArchiveLinkError as error:
            log.info("archive link refused: %s", error)
            if error.expired:
                return _page(
                    _("This link has expired: ask for a new one in the chat."), locale, 410
                )
            return _page(_("This link is not valid."), locale, 403)
        async with ctx.db.session() as session:
            try:
                archive = await member_archive(
                    session,
                    member_id=ticket.member_id,
                    year=ticket.year,
                    rules=ctx.rulebook.for_year(ticket.year),
                    tz=ctx.settings.tz,
                )
            except DomainError as error:
                log.info("archive refused: %s", error.code)
                return _page(_("There is no record for this link."), locale, 404)
        html = render(archive, locale)
    return web.Response(
        text=html,
        content_type="text/html",
        # Personal data: neither shared caches nor the referrer should keep the address.
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


def setup_archive_routes(app: web.Application, ctx: AppContext) -> None:
    """Register ``/archive/{token}`` on the server."""
    app[ARCHIVE_CONTEXT] = ctx
    app.router.add_get(ARCHIVE_PATH + "{token}", archive_page)
