"""The consultation meeting in the chat: booked speeches, remote remarks, the steps."""

from aiogram import Router


def setup() -> Router:
    """The speaking dialog of members and guests, on a fresh router."""
    from handlers.consultation.speaking import speaking_dialog

    router = Router(name="consultation")
    router.include_router(speaking_dialog())
    return router
