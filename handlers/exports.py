"""Files that carry a person's own data, marked so a channel can keep them only briefly."""

from __future__ import annotations

from aiogram.types import BufferedInputFile


class PersonalExport(BufferedInputFile):
    """A person's data export (/mydata).

    Telegram keeps what it is sent, out of our hands; a channel that keeps the files it shows
    (the web chat) lets this one expire soon and deletes it with the person's data.
    """
