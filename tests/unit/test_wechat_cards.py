"""The card a WeChat chat stands at: the last message drawn with options, only its own chat's."""

from __future__ import annotations

from services.chats.wechat import DrawnButton, latest_card, record_message
from storage.db import Database
from tests.conftest import START

CHANNEL = "wechat"


def options(*labels: str) -> list[DrawnButton]:
    return [DrawnButton(kind="callback", data=f"d-{label}", label=label) for label in labels]


async def test_the_latest_card_is_the_last_message_with_options(db: Database) -> None:
    async with db.writing() as session:
        assert await latest_card(session, channel=CHANNEL, chat_id=5) is None
        await record_message(
            session, channel=CHANNEL, chat_id=5, text="Step 1", now=START, buttons=options("A")
        )
        _id, tokens = await record_message(
            session,
            channel=CHANNEL,
            chat_id=5,
            text="Step 2",
            now=START,
            buttons=options("B", "C"),
        )
        await record_message(session, channel=CHANNEL, chat_id=5, text="a notice", now=START)
        await record_message(
            session, channel=CHANNEL, chat_id=6, text="other", now=START, buttons=options("X")
        )
    async with db.session() as session:
        found = await latest_card(session, channel=CHANNEL, chat_id=5)
    assert found is not None
    text, buttons = found
    assert text == "Step 2"
    assert [button.label for button in buttons] == ["B", "C"]
    assert [button.token for button in buttons] == tokens
