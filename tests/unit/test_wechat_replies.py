"""Folding what one step says into the passive reply and two follow-ups."""

from __future__ import annotations

from bot.channels.wechat.render import MAX_TEXT_BYTES
from bot.channels.wechat.replies import MAX_FOLLOW_UPS, Piece, fit

SLOTS = 1 + MAX_FOLLOW_UPS
THIRD = "x" * (MAX_TEXT_BYTES // 3 - 4)  # three of them (and their separators) fit one message
HALF = "y" * (MAX_TEXT_BYTES // 2 + 10)  # two of them do not


def test_short_texts_are_joined_into_one_message() -> None:
    assert fit([Piece(text="a"), Piece(text="b")], SLOTS) == [Piece(text="a\n\nb")]


def test_an_image_takes_a_message_of_its_own() -> None:
    pieces = [Piece(text="a"), Piece(media_id="M1"), Piece(text="b")]
    assert fit(pieces, SLOTS) == pieces


def test_the_rest_of_the_texts_join_the_last_follow_up_and_images_past_it_are_left_out() -> None:
    pieces = [
        Piece(text=HALF),
        Piece(media_id="M1"),
        Piece(text="b"),
        Piece(media_id="M2"),
        Piece(text="c"),
    ]
    assert fit(pieces, SLOTS) == [Piece(text=HALF), Piece(media_id="M1"), Piece(text="b\n\nc")]


def test_images_alone_keep_the_first_that_fits() -> None:
    pieces = [Piece(media_id=f"M{number}") for number in range(5)]
    assert fit(pieces, SLOTS) == pieces[:3]


def test_late_answers_fold_into_two() -> None:
    pieces = [Piece(text=HALF), Piece(media_id="M1"), Piece(text="b"), Piece(text="c")]
    assert fit(pieces, MAX_FOLLOW_UPS) == [Piece(text=HALF), Piece(text="b\n\nc")]


def test_text_is_never_dropped_even_past_the_count() -> None:
    pieces = [Piece(text=HALF), Piece(text=HALF), Piece(text=HALF), Piece(text=HALF)]
    folded = fit(pieces, SLOTS)
    assert len(folded) == 4
    assert "".join(piece.text for piece in folded).count("y") == 4 * len(HALF)
    assert all(len(piece.text.encode()) <= MAX_TEXT_BYTES for piece in folded)


def test_thirds_fill_a_message() -> None:
    assert len(fit([Piece(text=THIRD)] * 3, SLOTS)) == 1
