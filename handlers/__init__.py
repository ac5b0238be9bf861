"""The chat interface: aiogram routers by audience, keyboards and callback data."""

from aiogram import Router


def get_routers() -> list[Router]:
    """Fresh routers, in the order updates must try them.

    Routers with commands come first, then the guard that answers unknown commands, then the
    dialogs (whose free-text steps must never swallow a command), then the fallback.
    """
    from handlers import common, fallback, resident

    return [common.setup(), fallback.unknown_commands(), resident.setup(), fallback.setup()]
