"""Administrators decide a department's request for more time from the notice.

A decided or lapsed request answers so, and the notice is replaced by the request as it
stands; station staff have no part in the pipeline and are refused as for an unknown id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.department.errors import handling_error
from handlers.notifications import ChatNotifier
from handlers.pipeline_callbacks import HandlingExtensionCB
from handlers.staff.context import ActiveStaff
from handlers.staff.desk import Desk, DeskMiddleware
from handlers.texts import escape
from services.errors import DomainError
from services.pipeline.extensions import decide_extension
from storage.models import HandlingExtension

log = logging.getLogger(__name__)


def request_as_it_stands(extension: HandlingExtension) -> str:
    """The request and what became of it."""
    outcome = {
        "granted": _("granted"),
        "refused": _("refused"),
        "lapsed": _("lapsed: the department answered meanwhile"),
    }.get(extension.decision or "", _("waiting"))
    text = _("⏳ A request for {days} more days:\n<blockquote>{reason}</blockquote>\n{outcome}")
    return text.format(days=extension.days, reason=escape(extension.reason), outcome=outcome)


async def extension_decided(
    callback: CallbackQuery,
    callback_data: HandlingExtensionCB,
    desk: Desk,
    notifier: ChatNotifier,
    wake_delivery: Callable[[], None],
) -> None:
    """Grant or refuse; a stale press says why and shows the request as it stands."""
    if callback_data.action not in ("grant", "refuse"):
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    extension: HandlingExtension | None
    try:
        extension = await decide_extension(
            desk.session,
            extension_id=callback_data.id,
            grant=callback_data.action == "grant",
            scope=desk.scope,
            actor=desk.actor,
            now=desk.now,
            notifier=notifier,
        )
    except DomainError as error:
        await callback.answer(handling_error(error), show_alert=True)
        if error.code == "extension_unknown":
            log.warning(
                "chat %s: handling extension %s refused", callback.from_user.id, callback_data.id
            )
            return
        extension = await desk.session.get(
            HandlingExtension, callback_data.id, populate_existing=True
        )
    else:
        wake_delivery()
        granted = callback_data.action == "grant"
        await callback.answer(_("More time granted.") if granted else _("More time refused."))
    if extension is not None and isinstance(callback.message, Message):
        await callback.message.edit_text(request_as_it_stands(extension))


def setup() -> Router:
    """The decision handler, behind the staff filter."""
    router = Router(name="department-handling-decisions")
    router.callback_query.filter(ActiveStaff())
    router.callback_query.middleware(DeskMiddleware())
    router.callback_query.register(extension_decided, HandlingExtensionCB.filter())
    return router
