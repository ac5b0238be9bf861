"""What the bot says to a chat while one of its updates is handled, gathered for one reply.

WeChat takes one passive reply in the answer to its callback; anything more costs
customer-service messages, a few per window. So what the handlers send to the chat whose
update is being handled is gathered here (a context variable marks that handling, so a
notice sent by the delivery loop at the same moment is never taken for the answer), then
merged: the first piece is the passive reply, the rest at most two follow-ups.

What a step says is folded to fit (``fit``): consecutive texts are joined while they fit one
message; an image cannot be joined and takes a message of its own; if that is still too many,
every text from the last message on is joined into it. Text is never dropped: texts too long
for one message together are split, even past the count. Images past the count are left out
(logged): the only images a resident is sent are their own case's photos, which stay on the
case.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass, field

from bot.channels.wechat.render import MAX_TEXT_BYTES, split_text

log = logging.getLogger(__name__)

# The passive reply plus this many customer-service messages: one dialog step.
MAX_FOLLOW_UPS = 2


@dataclass
class Piece:
    """A message to send: text, or an image by its WeChat media id."""

    text: str = ""
    media_id: str | None = None


@dataclass
class Reply:
    """What one update's handling said to its chat."""

    chat_id: int
    update_id: int
    pieces: list[Piece] = field(default_factory=list)
    # A callback's toast, said with the next text.
    toast: str | None = None
    # Set by the callback route when its deadline passed: everything goes as follow-ups.
    late: bool = False
    # The handling is over: nothing more is gathered.
    closed: bool = False
    handled: asyncio.Future[list[Piece]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    # Set once the passive reply is written, so that follow-ups arrive after it.
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    def add_text(self, text: str) -> None:
        """A text, with the toast waiting for it in front."""
        if self.toast:
            text = f"{self.toast}\n{text}"
            self.toast = None
        self.pieces.append(Piece(text=text))

    def finish(self, slots: int) -> list[Piece]:
        """The pieces to send, folded into at most ``slots`` messages (see ``fit``)."""
        if self.toast:
            self.pieces.append(Piece(text=self.toast))
            self.toast = None
        return fit(self.pieces, slots)


current_reply: contextvars.ContextVar[Reply | None] = contextvars.ContextVar(
    "wechat_reply", default=None
)


def merge(pieces: list[Piece], limit: int = MAX_TEXT_BYTES) -> list[Piece]:
    """Consecutive texts joined while they fit one message; a text too long is split."""
    merged: list[Piece] = []
    for piece in pieces:
        if piece.media_id is not None:
            merged.append(piece)
            continue
        for part in split_text(piece.text, limit):
            last = merged[-1] if merged else None
            if last is not None and last.media_id is None:
                joined = f"{last.text}\n\n{part}"
                if len(joined.encode()) <= limit:
                    last.text = joined
                    continue
            merged.append(Piece(text=part))
    return merged


def fit(pieces: list[Piece], slots: int) -> list[Piece]:
    """``pieces`` merged, then folded into ``slots`` messages: the rest joins the last one."""
    merged = merge(pieces)
    if len(merged) <= slots:
        return merged
    kept, folded = merged[: slots - 1], merged[slots - 1 :]
    texts = [piece.text for piece in folded if piece.media_id is None]
    if not texts:
        log.info("wechat: %d images left out of one step's answer", len(folded) - 1)
        return [*kept, folded[0]]
    if len(texts) < len(folded):
        log.info("wechat: %d images left out of one step's answer", len(folded) - len(texts))
    last = split_text("\n\n".join(texts))
    if len(last) > 1:
        log.warning("wechat: one step's answer is %d messages long", len(kept) + len(last))
    return [*kept, *(Piece(text=part) for part in last)]
