"""What works everywhere: /start (with QR deep links), /help, /language, /cancel, the menu."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import keyboards
from handlers.callbacks import LanguageCB, MenuCB
from handlers.channel import ChannelCapabilities
from handlers.filters import ButtonText
from handlers.help_texts import (
    desk_commands_text,
    desk_help_text,
    desk_welcome_text,
    help_text,
    member_help_text,
    welcome_text,
)
from handlers.member.log_entry import RESTART, entry_open, offer
from handlers.resident.flow import (
    back_to_draft,
    continue_at_station,
    draw_below,
    offer_resume,
    open_report,
    report_open,
    start_report,
)
from handlers.resident.my_issues import show_my_issues
from handlers.resident.stations import show_stations
from handlers.texts import Buttons, escape
from handlers.turn import Turn
from services.accounts.identities import SUPPORTED_LOCALES, set_locale
from services.members.profiles import MemberProfile
from services.reference.catalog import get_station_by_code
from storage.models import ChatIdentity

log = logging.getLogger(__name__)

STATION_PAYLOAD = "st-"


async def start_at_station(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    state: FSMContext,
    locale: str,
    dialog_manager: DialogManager,
) -> None:
    """A station's QR code: start a report with that station already chosen."""
    code = (command.args or "")[len(STATION_PAYLOAD) :]
    station = await get_station_by_code(session, code)
    if station is None:
        log.info("unknown station code %r from chat %s", code, message.chat.id)
        await message.answer(
            _("This QR code does not match any liaison station. Please choose from the list.")
        )
        await start_report(dialog_manager, state)
        return
    if report_open(dialog_manager):
        # The code names where the resident stands: the draft keeps everything else.
        await continue_at_station(dialog_manager, station, locale)
        return
    await start_report(dialog_manager, state, station_id=station.id, from_qr_code=True)


def member_welcome_text(member: MemberProfile) -> str:
    """The greeting of a linked member."""
    return _(
        "Welcome, {name}.\n\n"
        "Log your liaison activities with the people of your sector and follow your progress "
        "against this year's minimums. Choose from the menu below."
    ).format(name=escape(member.member.name))


async def start(
    message: Message,
    state: FSMContext,
    menu_role: str,
    dialog_manager: DialogManager,
    member: MemberProfile | None = None,
) -> None:
    """Greet and show the menu; offer to resume an unfinished report or entry."""
    if member is not None and member.active:
        text = member_welcome_text(member)
    else:
        text = desk_welcome_text(menu_role) or welcome_text()
    await message.answer(text, reply_markup=keyboards.main_menu(menu_role))
    if report_open(dialog_manager):
        await offer_resume(dialog_manager)
    elif entry_open(dialog_manager):
        await offer(dialog_manager, then=RESTART)


async def help_command(
    message: Message,
    turn: Turn,
    dialog_manager: DialogManager,
    member: MemberProfile | None = None,
) -> None:
    """Explain the bot: a desk's own work to staff and departments, the rest to everyone."""
    desk = desk_help_text(turn.menu_role)
    if desk is not None:
        # A desk does not report cases of its own: the residents' guide would mislead.
        await message.answer(desk)
        await message.answer(desk_commands_text())
        await back_to_draft(dialog_manager)
        return
    await message.answer(help_text())
    if member is not None and member.active:
        await message.answer(member_help_text())
    await back_to_draft(dialog_manager)


async def language_command(message: Message) -> None:
    """Offer the languages."""
    await message.answer(_("Choose your language:"), reply_markup=keyboards.languages())


async def language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageCB,
    bot: Bot,
    session: AsyncSession,
    identity: ChatIdentity,
    i18n: I18n,
    state: FSMContext,
    menu_role: str,
    dialog_manager: DialogManager,
    capabilities: ChannelCapabilities,
) -> None:
    """Remember the language and answer in it from now on; the channel's page follows."""
    if callback_data.code not in SUPPORTED_LOCALES:
        log.warning("chat %s asked for language %r", callback.from_user.id, callback_data.code)
        await callback.answer(_("This button is not valid."))
        return
    assert identity.id is not None
    await set_locale(session, identity_id=identity.id, locale=callback_data.code)
    if capabilities.page is not None:
        await capabilities.page.relabel(callback.from_user.id, callback_data.code)
    with i18n.use_locale(callback_data.code):
        await callback.answer()
        in_dialog = report_open(dialog_manager) or entry_open(dialog_manager)
        markup = None if in_dialog else keyboards.main_menu(menu_role)
        await bot.send_message(
            callback.from_user.id, _("Language set: English."), reply_markup=markup
        )


async def cancel(
    message: Message, state: FSMContext, menu_role: str, dialog_manager: DialogManager
) -> None:
    """Drop the draft or the open dialog, if any, and show the menu."""
    menu = keyboards.main_menu(menu_role)
    if report_open(dialog_manager):
        text = _("Your report was discarded; nothing was sent.")
    elif entry_open(dialog_manager):
        text = _("Your activity entry was discarded; nothing was saved.")
    elif await state.get_state() is not None or dialog_manager.has_context():
        text = _("Cancelled; nothing was changed.")
    else:
        text = _("There is nothing to cancel.")
    await state.clear()
    if dialog_manager.has_context():
        # The menu below replaces the dialog's keyboard; its cards stay as they are.
        draw_below(dialog_manager)
        await dialog_manager.reset_stack(remove_keyboard=False)
    await message.answer(text, reply_markup=menu)


async def report_command(
    message: Message, state: FSMContext, dialog_manager: DialogManager
) -> None:
    """Start a report, or offer to resume the one already open."""
    await open_report(dialog_manager, state)


async def report_from_button(
    callback: CallbackQuery, state: FSMContext, dialog_manager: DialogManager
) -> None:
    """The "report an issue" button under an empty list."""
    await callback.answer()
    await open_report(dialog_manager, state)


async def my_issues_command(
    message: Message,
    session: AsyncSession,
    identity: ChatIdentity,
    dialog_manager: DialogManager,
) -> None:
    """List my cases (on top of an unfinished report, which the next message goes on with)."""
    await show_my_issues(message, session=session, identity=identity, dialog_manager=dialog_manager)


async def stations_command(message: Message, dialog_manager: DialogManager) -> None:
    """The stations directory (on top of an unfinished report, as "my issues")."""
    await show_stations(message, dialog_manager=dialog_manager)


def setup() -> Router:
    """The handlers of this module, on a fresh router."""
    router = Router(name="common")
    router.message.register(
        start_at_station, CommandStart(deep_link=True, magic=F.args.startswith(STATION_PAYLOAD))
    )
    router.message.register(start, CommandStart())
    router.message.register(help_command, Command("help"))
    router.message.register(help_command, ButtonText(Buttons.HELP))
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_chosen, LanguageCB.filter())
    router.message.register(cancel, Command("cancel"))
    router.message.register(cancel, ButtonText(Buttons.CANCEL))
    router.message.register(report_command, Command("report"))
    router.message.register(report_command, ButtonText(Buttons.REPORT))
    router.callback_query.register(report_from_button, MenuCB.filter(F.action == "report"))
    router.message.register(my_issues_command, Command("myissues"))
    router.message.register(my_issues_command, ButtonText(Buttons.MY_ISSUES))
    router.message.register(stations_command, Command("stations"))
    router.message.register(stations_command, ButtonText(Buttons.STATIONS))
    return router
