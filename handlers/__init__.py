"""The chat interface: aiogram routers by audience, keyboards and callback data."""

from aiogram import Router


def get_routers() -> list[Router]:
    """Every router, in the order updates must try them: common first, fallback last."""
    from handlers import common, fallback, resident

    return [common.router, resident.get_router(), fallback.router]
