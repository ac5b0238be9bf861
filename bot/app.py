"""The app factory: one Dispatcher for every channel, with its storage and middlewares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aiogram import Dispatcher, Router
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.bus import Bus, LocalBus
from bot.channels.responses import response_models
from bot.cluster import Cluster, SoleCluster
from bot.i18n import build_i18n
from bot.isolation import ChatIsolation
from bot.middlewares import install_middlewares
from bot.settings import Settings
from handlers.channel import ChannelCapabilities
from handlers.dialogs.engine import install_dialog_engine
from handlers.notifications import ChatNotifier
from services.clock import Clock
from services.members.rules import RuleBook
from storage.db import Database
from storage.fsm import SQLStorage

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    """What every part of the running bot shares; travels in the dispatcher's workflow data."""

    settings: Settings
    db: Database
    clock: Clock
    i18n: I18n
    rulebook: RuleBook
    # The one renderer of notices: handlers, planners, the monitor and the CLI share it.
    notifier: ChatNotifier
    channels: dict[int, str] = field(default_factory=dict)
    # What each channel's Bot can do, by bot id; handlers read it as ``capabilities``.
    capabilities: dict[int, ChannelCapabilities] = field(default_factory=dict)
    wake_delivery: Callable[[], None] = lambda: None
    # The installation's workers and the word between them; a process alone by default.
    cluster: Cluster = field(default_factory=SoleCluster)
    bus: Bus = field(default_factory=LocalBus)

    def register_channel(self, bot_id: int, capabilities: ChannelCapabilities) -> None:
        """A channel's Bot: its name for identities and cases, its capabilities for handlers."""
        self.channels[bot_id] = capabilities.name
        self.capabilities[bot_id] = capabilities


def build_context(settings: Settings, db: Database, clock: Clock) -> AppContext:
    """Assemble the shared context."""
    i18n = build_i18n(settings.default_locale)
    return AppContext(
        settings=settings,
        db=db,
        clock=clock,
        i18n=i18n,
        rulebook=RuleBook(settings.rules_dir) if settings.rules_dir else RuleBook(),
        notifier=ChatNotifier(i18n, settings.tz),
    )


def _fsm_backend(ctx: AppContext) -> tuple[BaseStorage, BaseEventIsolation]:
    if ctx.settings.redis_url:
        from aiogram.fsm.storage.base import DefaultKeyBuilder
        from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

        from bot.redis_client import redis_client

        storage = RedisStorage(
            redis_client(ctx.settings.redis_url),
            key_builder=DefaultKeyBuilder(with_bot_id=True, with_destiny=True),
        )
        return storage, RedisEventIsolation(storage.redis, key_builder=storage.key_builder)
    return SQLStorage(ctx.db, now=ctx.clock.now), ChatIsolation()


def build_dispatcher(ctx: AppContext, routers: Sequence[Router] | None = None) -> Dispatcher:
    """Create the single Dispatcher that every channel feeds."""
    storage, isolation = _fsm_backend(ctx)
    dp = Dispatcher(storage=storage, events_isolation=isolation)
    dp["db"] = ctx.db
    dp["clock"] = ctx.clock
    dp["settings"] = ctx.settings
    dp["tz"] = ctx.settings.tz
    dp["rulebook"] = ctx.rulebook
    dp["wake_delivery"] = lambda: ctx.wake_delivery()
    dp["notifier"] = ctx.notifier
    dp["files_dir"] = ctx.settings.files_dir
    dp["channels"] = ctx.channels
    dp["channel_capabilities"] = ctx.capabilities
    dp["app"] = ctx
    dp["response_models"] = response_models()
    # Imported here: the archive routes import this module for AppContext.
    from bot.archive_routes import archive_linker

    dp["archive_link"] = archive_linker(ctx)
    install_middlewares(
        dp,
        ctx.i18n,
        flood_limit=ctx.settings.flood_limit,
        max_concurrent_updates=ctx.settings.max_concurrent_updates,
    )
    if routers is None:
        from handlers import get_routers

        routers = get_routers()
    dp.include_routers(*routers)
    install_dialog_engine(dp, isolation=isolation)
    dp.errors.register(_on_error)
    return dp


async def _on_error(event: ErrorEvent, app: AppContext, locale: str | None = None) -> bool:
    """Log the failure and tell the user that nothing they entered was lost."""
    log.error("update %s failed", event.update.update_id, exc_info=event.exception)
    with app.i18n.context(), app.i18n.use_locale(locale or app.i18n.default_locale):
        text = _(
            "Sorry, something went wrong on our side. What you entered is kept; please try again."
        )
    try:
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(text, show_alert=True)
        elif event.update.message is not None:
            await event.update.message.answer(text)
    except Exception:
        log.warning("could not report the failure to the user", exc_info=True)
    return True
