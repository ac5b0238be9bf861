"""Notices of the office's review: registered (with the number), not registered, assigned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.pipeline_callbacks import HandlingCB, ProposalCB
from handlers.texts import escape, local_date
from services.outbox.queue import Outgoing
from storage.models import Department, Proposal


def department_name(department: Department, locale: str) -> str:
    """The department's name in the reader's language."""
    return department.name_zh if locale.startswith("zh") else department.name_en


def _open_button(proposal: Proposal) -> dict[str, str]:
    return button(_("📄 Open the proposal"), ProposalCB(action="open", id=proposal.id or 0))


class ProposalReviewNotices:
    """Review notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "proposal-registered": "proposal_registered",
        "proposal-not-registered": "proposal_not_registered",
        "proposal-assigned": "proposal_assigned",
    }

    def proposal_registered(self, *, locale: str, proposal: Proposal) -> Outgoing:
        """To the author and the co-signers: the proposal is registered under its number."""
        text = "\n".join(
            [
                _("📄 The proposal “{title}” was registered under number {number}.").format(
                    title=escape(proposal.title), number=escape(proposal.number or "")
                ),
                _("Departments will be assigned to handle it; you will hear when they answer."),
                _("You receive this as its author or one of its co-signers."),
            ]
        )
        return Outgoing(
            text=text,
            buttons=[[_open_button(proposal)]],
        )

    def proposal_not_registered(
        self,
        *,
        locale: str,
        proposal: Proposal,
        reason: str,
        department: Department | None = None,
    ) -> Outgoing:
        """To the author: not registered, why, and what became of the text."""
        lines = [
            _("📄 The proposal “{title}” was not registered.").format(title=escape(proposal.title)),
            _("Reason: {reason}").format(reason=escape(reason)),
        ]
        if proposal.converted_to == "report":
            lines.append(
                _(
                    "The office filed it as a social-conditions report in your name; "
                    "you will hear how it is used."
                )
            )
        elif proposal.converted_to == "letter" and department is not None:
            lines.append(
                _("The office passes it as a letter to {department}.").format(
                    department=escape(department_name(department, locale))
                )
            )
        lines.append(_("You receive this as the proposal's author."))
        return Outgoing(
            text="\n".join(lines),
            buttons=[[_open_button(proposal)]],
        )

    def proposal_assigned(
        self, *, locale: str, proposal: Proposal, lead: bool, count: int
    ) -> Outgoing:
        """To a department's handlers: a proposal to answer item by item, and by when."""
        role = _("as the lead department") if lead else _("as a co-department")
        lines = [
            _("📥 Proposal {number} “{title}” was assigned to your department {role}.").format(
                number=escape(proposal.number or ""), title=escape(proposal.title), role=role
            ),
            _("Answer each of its {count} suggestions by {due}.").format(
                count=count,
                due=local_date(proposal.due_at, self.tz) if proposal.due_at else "-",
            ),
            _("You receive this as a handler of the department."),
        ]
        return Outgoing(
            text="\n".join(lines),
            buttons=[
                [
                    button(
                        _("📥 Open and answer"),
                        HandlingCB(action="open", kind="p", id=proposal.id or 0),
                    )
                ]
            ],
        )
