"""Inline keyboards built without copies.

aiogram's InlineKeyboardBuilder deep-copies every button when it exports the markup; for the
station and category lists that is about a millisecond an update, spent for nothing since
the buttons are built fresh each time. This builder keeps the part of its API we use.
"""

from __future__ import annotations

from itertools import cycle, islice

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup


class Grid:
    """Buttons laid out in rows: ``button`` then ``adjust``, or whole ``row``s."""

    def __init__(self) -> None:
        self._rows: list[list[InlineKeyboardButton]] = []
        self._pending: list[InlineKeyboardButton] = []
        self._sizes: tuple[int, ...] = (1,)

    def button(self, *, text: str, callback_data: CallbackData | str) -> None:
        """Add a button to the ones ``adjust`` lays out."""
        data = callback_data if isinstance(callback_data, str) else callback_data.pack()
        self._pending.append(InlineKeyboardButton(text=text, callback_data=data))

    def adjust(self, *sizes: int) -> None:
        """Row widths for the pending buttons; the last width repeats, as in aiogram."""
        self._sizes = sizes or (1,)

    def row(self, *buttons: InlineKeyboardButton) -> None:
        """Lay out what is pending, then add one row as given."""
        self._flush()
        self._rows.append(list(buttons))

    def _flush(self) -> None:
        sizes = self._sizes
        pending = iter(self._pending)
        for width in (*sizes[:-1], *islice(cycle([sizes[-1]]), len(self._pending))):
            chunk = list(islice(pending, width))
            if not chunk:
                break
            self._rows.append(chunk)
        self._pending = []
        self._sizes = (1,)

    def as_markup(self) -> InlineKeyboardMarkup:
        """The finished keyboard."""
        self._flush()
        return InlineKeyboardMarkup(inline_keyboard=self._rows)
