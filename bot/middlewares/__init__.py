"""Outer middlewares on every update, in the order they run.

concurrency cap -> session -> private chats only -> replayed updates -> flood -> actor
(identity, role) -> language.

The replay check comes before the flood check so that an update Telegram delivers again (a
webhook retry, a restart before the offset was confirmed) is dropped without counting toward
the chat's limit: the resident sent it once, and a burst of redeliveries must not silence them.
Its check is a lookup in memory (or one small query); the flood check still stops a flooding
chat before the actor and the handlers do any real work. The flood notice speaks the chat's
chosen language all the same: the flood check reads it from the identity cache the actor
fills (a flooding chat was seen seconds ago), never from the database.

An update's writes and its replay record commit together, and no write transaction spans a
Bot API call: the handlers' own changes commit in short write transactions of their own, and
the dialog state an update wrote is committed with its replay record when the handlers are
done, in one transaction shared with the other updates ending at that moment
(bot/middlewares/commit.py).
"""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.utils.i18n import I18n

from bot.i18n import LocaleMiddleware
from bot.middlewares.actor import ActorMiddleware
from bot.middlewares.chat_guard import PrivateChatOnlyMiddleware
from bot.middlewares.commit import UpdateCommitter
from bot.middlewares.concurrency import ConcurrencyLimitMiddleware
from bot.middlewares.dedupe import ReplayGuardMiddleware
from bot.middlewares.flood import FloodMiddleware
from bot.middlewares.session import DbSessionMiddleware
from services.accounts.identities import IdentityCache


def install_middlewares(
    dp: Dispatcher, i18n: I18n, *, flood_limit: int, max_concurrent_updates: int
) -> None:
    """Register the outer middlewares on the dispatcher's update observer.

    The dispatcher's workflow data must hold ``db`` and ``clock`` already.
    """
    committer = UpdateCommitter(dp["db"], dp["clock"])
    dp.update.outer_middleware(ConcurrencyLimitMiddleware(max_concurrent_updates))
    dp.update.outer_middleware(DbSessionMiddleware())
    dp.update.outer_middleware(PrivateChatOnlyMiddleware(i18n))
    dp.update.outer_middleware(ReplayGuardMiddleware(committer))
    identities = IdentityCache()
    dp.update.outer_middleware(FloodMiddleware(i18n, limit=flood_limit, identities=identities))
    dp.update.outer_middleware(ActorMiddleware(identities))
    dp.update.outer_middleware(LocaleMiddleware(i18n))
