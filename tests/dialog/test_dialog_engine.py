"""The dialog engine on our Dispatcher: state in our storage, stale presses refused."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Select
from aiogram_dialog.widgets.text import Format

from bot.app import AppContext, build_dispatcher
from handlers.dialogs.text import Step, T
from tests.support.chat import ChatUser


class Pick(StatesGroup):
    fruit = State()
    confirm = State()


async def fruits(**_: Any) -> dict[str, Any]:
    return {"fruits": [("<apple>", "1"), ("pear", "2")], "name": "<b>Ann</b>"}


async def chosen(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    return {"fruit": dialog_manager.dialog_data.get("fruit", "")}


async def on_fruit(
    callback: CallbackQuery, widget: Any, manager: DialogManager, item_id: str
) -> None:
    manager.dialog_data["fruit"] = {"1": "<apple>", "2": "pear"}[item_id]
    await manager.next()


async def on_done(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    await manager.done()
    assert callback.message is not None
    await callback.message.answer("finished")


def pick_dialog() -> Dialog:
    return Dialog(
        Window(
            Step("Which fruit, {name}?", number=1, total=2),
            Select(
                Format("{item[0]}"),
                id="fruit",
                item_id_getter=itemgetter(1),
                items="fruits",
                on_click=on_fruit,
            ),
            getter=fruits,
            state=Pick.fruit,
        ),
        Window(
            T("You chose {fruit}."),
            Button(Format("Done"), id="done", on_click=on_done),
            getter=chosen,
            state=Pick.confirm,
        ),
    )


def routers() -> list[Router]:
    router = Router()

    @router.message(Command("pick"))
    async def start(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(Pick.fruit, mode=StartMode.RESET_STACK)

    @router.message(F.text == "ping")
    async def ping(message: Message) -> None:
        await message.answer("pong")

    router.include_router(pick_dialog())
    return [router]


def user(app: AppContext, bot: Bot) -> ChatUser:
    return ChatUser(build_dispatcher(app, routers()), bot, user_id=4242)


def texts_of(requests: list[Any]) -> list[str]:
    return [r.text for r in requests if isinstance(r, SendMessage | EditMessageText)]


async def test_a_window_escapes_user_data_and_steps_through(app: AppContext, bot: Bot) -> None:
    chat = user(app, bot)
    sent = await chat.send("/pick")
    assert texts_of(sent) == ["<b>Step 1 of 2</b> · Which fruit, &lt;b&gt;Ann&lt;/b&gt;?"]
    sent = await chat.press(chat.button("pear"))
    assert texts_of(sent) == ["You chose pear."]


async def test_a_restart_resumes_the_dialog_from_the_database(app: AppContext, bot: Bot) -> None:
    chat = user(app, bot)
    await chat.send("/pick")
    pear = chat.button("pear")
    # A new Dispatcher on the same database is a restarted process.
    restarted = user(app, bot)
    sent = await restarted.press(pear)
    assert texts_of(sent) == ["You chose pear."]


async def test_a_press_on_a_finished_dialog_is_refused(app: AppContext, bot: Bot) -> None:
    chat = user(app, bot)
    await chat.send("/pick")
    pear = chat.button("pear")
    await chat.press(pear)
    await chat.press(chat.button("Done"))
    sent = await chat.press(pear)
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert answers and "out of date" in (answers[0].text or "")
    assert "conversation that has ended" in " ".join(texts_of(sent))


async def test_a_press_on_an_older_card_shows_the_current_one(app: AppContext, bot: Bot) -> None:
    chat = user(app, bot)
    await chat.send("/pick")
    first = chat.button("pear")
    await chat.send("/pick")  # a new dialog replaces the first one
    sent = await chat.press(first)
    answers = [r for r in sent if isinstance(r, AnswerCallbackQuery)]
    assert answers and "out of date" in (answers[0].text or "")
    assert any("Which fruit" in text for text in texts_of(sent))


async def test_on_redis_a_restart_resumes_the_dialog(redis_app: AppContext, bot: Bot) -> None:
    redis_app.channels[bot.id] = "telegram"
    chat = user(redis_app, bot)
    await chat.send("/pick")
    await chat.dp.storage.close()
    restarted = user(redis_app, bot)
    sent = await restarted.press(chat.button("pear"))
    await restarted.dp.storage.close()
    assert texts_of(sent) == ["You chose pear."]


async def test_tapping_the_drawn_card_edits_it_in_place(app: AppContext, bot: Bot) -> None:
    chat = user(app, bot)
    await chat.send("/pick")
    sent = await chat.tap("pear")
    edits = [r for r in sent if isinstance(r, EditMessageText)]
    assert [edit.text for edit in edits] == ["You chose pear."]


def test_dialogs_opened_in_the_same_second_never_share_an_id() -> None:
    from aiogram_dialog.api.entities import Stack

    import handlers.dialogs.engine  # noqa: F401 - installs the engine's dialog ids

    stack = Stack()
    ids = {stack.push(Pick.fruit, None).id for _ in range(99)}
    assert len(ids) == 99
