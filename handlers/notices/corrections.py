"""Notices of ledger corrections: a new request to the office, the decision to the member."""

from __future__ import annotations

from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MemberMenuCB, StaffMenuCB
from handlers.notices.buttons import button
from handlers.texts import escape, shorten
from services.outbox.queue import Outgoing
from storage.models import AssessmentCorrection, Member


class CorrectionNotices:
    """Correction notices; ``KINDS`` maps a notice kind to the method that renders it."""

    KINDS: Mapping[str, str] = {
        "correction-request": "correction_request",
        "correction-decision": "correction_decision",
    }

    def correction_request(
        self, *, locale: str, correction: AssessmentCorrection, member: Member | None
    ) -> Outgoing:
        """To the administrators: a member asks for a correction of their record."""
        text = "\n".join(
            [
                _("📁 {name} asks for a correction of their {year} record (item {item}).").format(
                    name=escape(member.name if member else "?"),
                    year=correction.year,
                    item=escape(correction.item_code),
                ),
                f"<blockquote>{escape(shorten(correction.reason, 300))}</blockquote>",
                _("You receive this as an administrator of the committee office."),
            ]
        )
        return Outgoing(
            text=text,
            buttons=[[button(_("📁 Corrections"), StaffMenuCB(action="corrections"))]],
        )

    def correction_decision(self, *, locale: str, correction: AssessmentCorrection) -> Outgoing:
        """To the member: their request was accepted (the fix follows) or refused, with the note."""
        if correction.state == "accepted":
            head = _(
                "✅ Your request to correct your {year} record (item {item}) was accepted. "
                "The office will make the fix (an attendance fix or an entry); "
                "your record shows it once it is made."
            )
        else:
            head = _("Your request to correct your {year} record (item {item}) was refused.")
        lines = [head.format(year=correction.year, item=escape(correction.item_code))]
        if correction.staff_note:
            lines.append(
                _("Note from the office: {note}").format(note=escape(correction.staff_note))
            )
        lines.append(_("You receive this because you asked for the correction."))
        return Outgoing(
            text="\n".join(lines),
            buttons=[[button(_("📁 My record"), MemberMenuCB(action="record"))]],
        )
