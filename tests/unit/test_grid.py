"""The copy-free keyboard builder lays buttons out like aiogram's."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardButton
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.grid import Grid


@pytest.mark.parametrize(
    ("sizes", "count"), [((1,), 3), ((2,), 5), ((2, 2, 2, 1, 1), 10), ((3, 3, 1, 1), 8), ((2,), 0)]
)
def test_same_layout_as_aiogram(sizes: tuple[int, ...], count: int) -> None:
    ours, theirs = Grid(), InlineKeyboardBuilder()
    for index in range(count):
        ours.button(text=str(index), callback_data=f"x:{index}")
        theirs.button(text=str(index), callback_data=f"x:{index}")
    ours.adjust(*sizes)
    theirs.adjust(*sizes)
    assert ours.as_markup() == theirs.as_markup()


def test_rows_after_buttons() -> None:
    grid = Grid()
    grid.button(text="a", callback_data="a")
    grid.button(text="b", callback_data="b")
    grid.adjust(2)
    grid.row(InlineKeyboardButton(text="c", callback_data="c"))
    layout = [[button.text for button in row] for row in grid.as_markup().inline_keyboard]
    assert layout == [["a", "b"], ["c"]]
