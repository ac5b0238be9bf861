"""Buttons on proposals, outcome suggestions and departments' handling, shared by notices.

A notice written by one part of the pipeline often opens a card of another (a department's
answer asks the member to rate; a co-signing invitation opens the proposal), so the callback
data lives here. Every id is checked again on arrival against who pressed; ``v`` is the
state the button was drawn for (a proposal's ``state`` and round, a suggestion's stage),
so a press on a card that moved on is refused and the current card shown.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ProposalCB(CallbackData, prefix="pp"):
    """A proposal's card and what is done from it.

    ``open`` its card; ``cosign``/``decline`` an invitation; ``rate`` it; staff
    ``register``, ``refuse``, ``assign``, ``mark``; the member's ``edit`` of a draft.
    """

    action: str
    id: int
    v: str = ""


class HandlingCB(CallbackData, prefix="hd"):
    """A department's work on a proposal or an outcome suggestion.

    ``open`` it to answer, ``answer`` an item, ``more`` (ask for more time), ``face``
    (record a face-to-face meeting).

    ``kind`` is ``p`` (a proposal: ``id`` is the proposal) or ``s`` (an outcome suggestion).
    """

    action: str
    kind: str
    id: int
    v: str = ""


class HandlingExtensionCB(CallbackData, prefix="hx"):
    """Staff decide a department's request for more time: ``grant`` or ``refuse``."""

    action: str
    id: int


class OutcomeCB(CallbackData, prefix="oc"):
    """An outcome or one of its suggestions (``kind`` ``o`` or ``s``).

    ``open``, ``move`` to the next stage, ``undo`` the last move; a resident's ``rate`` of
    how it ended.
    """

    action: str
    kind: str
    id: int
    v: str = ""


# What the administrators' desk does with an outcome; look backs and ratings belong elsewhere.
OUTCOME_DESK_ACTIONS = ("open", "move", "undo")
