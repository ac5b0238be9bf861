"""What staff and assignees share around a case card: its photos and place."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import gettext as _

from handlers.turn import Turn
from services.cases.residents import IssueDetail

log = logging.getLogger(__name__)


async def send_case_media(
    bot: Bot, turn: Turn, detail: IssueDetail, *, what: str, channel: str
) -> None:
    """Send the case's photos (``what`` = "photos") or its location ("map") to the chat."""
    issue = detail.issue
    if what == "map":
        if issue.latitude is not None and issue.longitude is not None:
            await bot.send_location(turn.chat_id, issue.latitude, issue.longitude)
        return
    # A photo's file id is only good on the channel it came from.
    elsewhere = 0
    for photo in detail.photos:
        if photo.channel != channel:
            elsewhere += 1
            continue
        try:
            await bot.send_photo(turn.chat_id, photo.file_id)
        except TelegramAPIError as error:
            log.warning("photo %s of case %s: %s", photo.id, issue.id, error)
            elsewhere += 1
    if elsewhere:
        await turn.say(
            _("{count} photo(s) can only be shown in the chat they were sent from.").format(
                count=elsewhere
            )
        )
