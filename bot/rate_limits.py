"""Where the rate limits keep their windows: floods, uploads and wrong invitation codes.

The windows live where dialog state lives. With a Redis URL, dialog state is in Redis and so
are the windows, on the same connections: every process of the bot then counts against one
limit, and closing the dialog storage closes them too. Otherwise each process keeps its own
windows in memory, which is what a single process needs.

``limits`` measures its windows on the wall clock. The flood check names the bot's minute in
its keys, so it follows the bot's clock; the upload and invitation windows are real hours, and
tests that cross them move the wall clock (``time_machine``).
"""

from __future__ import annotations

from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.redis import RedisStorage as RedisDialogStorage
from limits.aio.storage import MemoryStorage, RedisStorage, Storage


def rate_limit_storage(dialog_storage: BaseStorage | None) -> Storage:
    """The windows' storage: the dialog state's Redis when it has one, else this process."""
    if isinstance(dialog_storage, RedisDialogStorage):
        # The URL is a formality: the client is built on the dialog storage's pool. limits
        # documents ``connection_pool`` but types its options as scalars.
        return RedisStorage(
            "async+redis://",
            implementation="redispy",
            connection_pool=dialog_storage.redis.connection_pool,  # type: ignore[arg-type]
        )
    return MemoryStorage()
