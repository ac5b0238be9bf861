"""A resident's own data: /mydata sends everything stored about them, /forget erases it.

/forget asks first; its buttons carry a one-time nonce kept in the dialog state, so a stale,
replayed or forged confirmation erases nothing. Erasing runs in one transaction (see
:mod:`services.privacy.forget`), which also finds the web chat's history and files of the
chat in the database; then the dialog state goes through the FSM storage (its in-memory copy
included) and a channel that keeps files itself (the web chat) deletes the freed ones from
its disk and redraws the chat's open pages. Nothing runs after the handler that writes a row for
the chat: the identity is touched and the update recorded before it, and the update record
holds no chat id.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.channel import ChannelCapabilities
from handlers.exports import PersonalExport
from handlers.messaging import show_choice
from handlers.resident.flow import back_to_draft, draft, draw_below
from handlers.resident.privacy_texts import (
    PrivacyCB,
    confirm_keyboard,
    forget_question,
    not_a_resident_text,
)
from services.cases.residents import IssueDraft, PhotoRef
from services.clock import Clock
from services.errors import DomainError
from services.privacy.own_data import (
    export_resident_data,
    forget_resident,
    holds_only_the_chat,
    linked_account,
    settle_erasure,
)
from storage.models import ChatIdentity

log = logging.getLogger(__name__)

NONCE_KEY = "privacy_nonce"
ACTIONS = frozenset({"erase", "keep"})


def _draft(manager: DialogManager, channel: str) -> IssueDraft | None:
    """The report this chat is writing, if any, read from the report dialog's data."""
    data: dict[str, Any] | None = draft(manager)
    if data is None:
        return None
    photos = [
        PhotoRef(file_id=str(photo["file_id"]))
        for photo in data.get("photos") or []
        if isinstance(photo, dict) and photo.get("file_id")
    ]
    location = data.get("location")
    located = location if isinstance(location, dict) else None
    return IssueDraft(
        station_id=int(data.get("station_id") or 0),
        category_id=int(data.get("category_id") or 0),
        description=str(data.get("description") or ""),
        photos=photos,
        latitude=float(located["latitude"]) if located else None,
        longitude=float(located["longitude"]) if located else None,
        contact_phone=str(data["phone"]) if data.get("phone") else None,
        channel=channel,
    )


async def my_data(
    message: Message,
    session: AsyncSession,
    identity: ChatIdentity,
    state: FSMContext,
    clock: Clock,
    locale: str,
    channel: str,
    dialog_manager: DialogManager,
) -> None:
    """Send everything stored about this chat's person as a JSON file."""
    assert identity.id is not None
    now = clock.now()
    data = await export_resident_data(
        session,
        identity_id=identity.id,
        now=now,
        locale=locale,
        draft=_draft(dialog_manager, channel),
    )
    if holds_only_the_chat(data):
        caption = _(
            "Nothing is stored about you beyond this chat itself: its channel, language and "
            "when it was first and last seen. Here it is."
        )
    else:
        caption = _(
            "Everything stored about you here: this chat, your cases with their timelines, "
            "photos, subscriptions, an unfinished report and the messages queued to you. "
            "/forget erases it."
        )
    if await linked_account(session, identity_id=identity.id) is not None:
        caption += "\n\n" + _(
            "Your records as a member, staff member or department are kept by the committee "
            "office; please ask the office for them."
        )
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    name = f"mydata-{now:%Y%m%d-%H%M%S}.json"
    await message.answer_document(PersonalExport(body, filename=name), caption=caption)
    await back_to_draft(dialog_manager)


async def forget_command(
    message: Message,
    session: AsyncSession,
    identity: ChatIdentity,
    state: FSMContext,
    clock: Clock,
) -> None:
    """Explain what erasing removes and what stays, and ask to confirm."""
    assert identity.id is not None
    if await linked_account(session, identity_id=identity.id) is not None:
        await message.answer(not_a_resident_text())
        return
    data = await export_resident_data(session, identity_id=identity.id, now=clock.now())
    nonce = secrets.token_urlsafe(9)
    await state.update_data({NONCE_KEY: nonce})
    await message.answer(forget_question(len(data["cases"])), reply_markup=confirm_keyboard(nonce))


async def _drop_nonce(state: FSMContext) -> None:
    data = await state.get_data()
    if data.pop(NONCE_KEY, None) is not None:
        await state.set_data(data)


def _dialog_keys(state: FSMContext, manager: DialogManager) -> list[str]:
    """The dialog-state rows of this chat, as the database-backed storage names them.

    The chat's own state, and the dialog engine's stack and the context of every dialog on it
    (named as aiogram_dialog.context.storage names them: one stack and context per chat).
    """
    builder = getattr(state.storage, "key_builder", None)
    if not isinstance(builder, KeyBuilder):
        return []
    key = state.key
    destinies = ["aiogd:stack:"]
    if manager.has_context():
        destinies += [f"aiogd:context:{intent}" for intent in manager.current_stack().intents]
    engine_keys = [
        StorageKey(
            bot_id=key.bot_id,
            chat_id=key.chat_id,
            user_id=key.chat_id,
            thread_id=key.thread_id,
            business_connection_id=key.business_connection_id,
            destiny=destiny,
        )
        for destiny in destinies
    ]
    return [builder.build(key), *(builder.build(engine_key) for engine_key in engine_keys)]


async def forget_chosen(
    callback: CallbackQuery,
    callback_data: PrivacyCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    state: FSMContext,
    clock: Clock,
    channel: str,
    capabilities: ChannelCapabilities,
    dialog_manager: DialogManager,
) -> None:
    """Erase or keep, for the question just asked only; anything else is refused."""
    expected = (await state.get_data()).get(NONCE_KEY)
    if callback_data.action not in ACTIONS:
        log.warning("chat %s sent privacy action %r", callback.from_user.id, callback_data.action)
        await callback.answer(_("This button is not valid."), show_alert=True)
        return
    given = callback_data.nonce.encode()
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(), given):
        log.info("chat %s pressed a stale or forged erase button", callback.from_user.id)
        await callback.answer(
            _("This question is no longer open, so nothing was erased. Send /forget to ask again."),
            show_alert=True,
        )
        return
    if callback_data.action == "keep":
        await _drop_nonce(state)
        await show_choice(callback, _("Nothing was erased; your data is kept."))
        await back_to_draft(dialog_manager)
        return
    await _erase(
        callback, bot, session, identity, state, clock, channel, capabilities, dialog_manager
    )


async def _erase(
    callback: CallbackQuery,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    state: FSMContext,
    clock: Clock,
    channel: str,
    capabilities: ChannelCapabilities,
    manager: DialogManager,
) -> None:
    assert identity.id is not None
    chat_id = identity.chat_id
    memory = capabilities.memory
    candidates: set[str] = set()
    if memory is not None:
        unfinished = _draft(manager, channel)
        candidates = {photo.file_id for photo in unfinished.photos} if unfinished else set()
    try:
        result = await forget_resident(
            session,
            identity_id=identity.id,
            now=clock.now(),
            dialog_keys=_dialog_keys(state, manager),
            media_candidates=candidates,
        )
    except DomainError as error:
        if error.code != "not_a_resident":
            raise
        await _drop_nonce(state)
        await callback.answer(not_a_resident_text(), show_alert=True)
        return
    # The rows are gone already; this clears the storage's own copy (or Redis).
    await state.clear()
    # With no card to remember, the engine's stack row goes as well.
    draw_below(manager)
    if manager.has_context():
        await manager.reset_stack(remove_keyboard=False)
    log.info("a resident's data was erased: %s", result.removed)
    await show_choice(callback, _("Your data was erased."))
    if memory is not None:
        await memory.forget_chat(chat_id, result.media_keys)
    await settle_erasure(session)
    await bot.send_message(
        chat_id,
        _(
            "Everything stored about you here was erased; your cases stay only as anonymous "
            "records. If you write again, you start afresh as a new resident."
        ),
        reply_markup=keyboards.main_menu("resident"),
    )


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="resident-privacy")
    router.message.register(my_data, Command("mydata"))
    router.message.register(forget_command, Command("forget"))
    router.callback_query.register(forget_chosen, PrivacyCB.filter())
    return router
