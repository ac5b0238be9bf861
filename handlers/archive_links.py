"""🖨 Printable record: sending the signed link to a member's printable year.

The link itself is made by the shell (``bot.archive_routes``: it knows the signing key and the
public address) and reaches handlers as the ``archive_link`` workflow datum, an
:class:`ArchiveLinker`. Callers pass the member id from their own context (the chat's member,
or the record an administrator opened), never from a button, so a link is only ever made for
a record the reader may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.texts import escape, local_time
from handlers.turn import Turn


@dataclass(frozen=True)
class PrintableLink:
    """A signed link and when it stops working."""

    url: str
    expires: dt.datetime


class ArchiveLinker(Protocol):
    """Makes the link to ``member_id``'s printable ``year``; None without a public address."""

    def __call__(self, member_id: int, year: int) -> PrintableLink | None:
        """The link, or None when the bot has no public address."""


async def send_printable(
    callback: CallbackQuery, data: dict[str, Any], turn: Turn, *, member_id: int, year: int
) -> None:
    """Answer a 🖨 press with the link, or say plainly why there is none."""
    linker: ArchiveLinker | None = data.get("archive_link")
    link = linker(member_id, year) if linker is not None else None
    if link is None:
        await callback.answer(
            _(
                "Printable records need the bot's public web address (LIAISON_PUBLIC_URL), "
                "which is not set. Please ask the office."
            ),
            show_alert=True,
        )
        return
    await callback.answer()
    lines = [
        _("🖨 The printable record for {year}: open it in a browser and print it.").format(
            year=year
        ),
        escape(link.url),
        _("The link works until {expires}; please do not forward it.").format(
            expires=local_time(link.expires, turn.tz)
        ),
    ]
    await turn.say("\n".join(lines))
