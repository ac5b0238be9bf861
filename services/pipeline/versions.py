"""What a button on a proposal was drawn for, so a press on a card that moved on is refused."""

from __future__ import annotations

from storage.models import Proposal


def proposal_version(proposal: Proposal) -> str:
    """A proposal's state and handling round as a button's ``v``: ``answered-1``.

    A dash, since a colon separates the fields of callback data.
    """
    return f"{proposal.state}-{proposal.handling_round}"
