"""The department handler's refusals, in the reader's language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from handlers.staff.case_errors import case_error
from services.errors import DomainError


def handling_error(error: DomainError) -> str:
    """What to say when a handling action is refused."""
    own = {
        "not_found": _("This is not available."),
        "handling_answered": _("This item was answered already."),
        "handling_closed": _("This no longer waits for your answer."),
        "handling_adoption": _("Choose how far the suggestion was adopted."),
        "face_date_future": _("The meeting cannot be in the future."),
        "extension_lapsed": _("This request lapsed: the department has answered since."),
    }
    return own.get(error.code) or case_error(error)
