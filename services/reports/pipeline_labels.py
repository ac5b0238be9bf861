"""Words for the lists' codes: sources, stages and states, adoption, ratings, departments.

Called where :mod:`services.translation` translates into the reader's language; ``locale``
picks the names kept in both languages (departments, meeting kinds). An unknown code is
shown as it is stored rather than hidden.
"""

from __future__ import annotations

from services.meetings.invitations import meeting_kind
from services.translation import gettext as _

PROPOSAL_SOURCE = "proposal"


def source_label(code: str, locale: str) -> str:
    """Where a suggestion came from: a proposal, a kind of consultation, research, a report."""
    fixed = {
        PROPOSAL_SOURCE: _("Proposal"),
        "research": _("Research report"),
        "report": _("Social-conditions report"),
    }
    if code in fixed:
        return fixed[code]
    kind = meeting_kind(code)
    if kind is None:
        return code
    return kind.name_zh if locale.startswith("zh") else kind.name_en


def stage_label(code: str) -> str:
    """An outcome suggestion's stage, or a proposal's state."""
    labels = {
        "formed": _("formed"),
        "submitted": _("submitted"),
        "reviewed": _("reviewed"),
        "assigned": _("assigned"),
        "handled": _("handled"),
        "fed_back": _("fed back"),
        "registered": _("registered"),
        "answered": _("answered"),
        "rehandling": _("being handled again"),
        "closed": _("closed"),
    }
    return labels.get(code, code)


def adoption_label(code: str | None) -> str:
    """How far a suggestion was adopted; a dash when the answer did not say."""
    labels = {
        "adopted": _("adopted"),
        "partly": _("partly adopted"),
        "explained": _("explained, not adopted"),
    }
    return labels.get(code, code) if code else "–"


def satisfaction_label(code: str | None) -> str:
    """A rating of handling; a dash when there is none."""
    labels = {
        "satisfied": _("satisfied"),
        "basic": _("basically satisfied"),
        "unsatisfied": _("not satisfied"),
    }
    if code and code.isdigit():
        # A resident rates how an outcome ended in stars, as they rate an answer to a case.
        return "★" * int(code)
    return labels.get(code, code) if code else "–"


def purpose_label(code: str) -> str:
    """Whose rating it is and why: the member's, a resident's, a look back's."""
    labels = {
        "handling": _("member's rating"),
        "resident": _("resident's rating"),
        "lookback": _("look back"),
    }
    return labels.get(code, code)


def department_name(name_zh: str, name_en: str, locale: str) -> str:
    """A department's name in the reader's language."""
    return name_en if locale == "en" and name_en else name_zh
