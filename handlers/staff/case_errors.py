"""Why a case action did not happen, in words."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from handlers.texts import year_closed_text
from services.cases.labels import status_label
from services.errors import DomainError


def case_error(error: DomainError) -> str:
    """The refusal for a case action's DomainError."""
    code, params = error.code, error.params
    if code == "wrong_status":
        return _("Not possible while the case is “{status}”.").format(
            status=status_label(str(params.get("status", "")))
        )
    if code == "text_too_long":
        return _("That is {length} characters; please keep it under {maximum}.").format(
            length=params.get("length", "?"), maximum=params.get("maximum", "?")
        )
    if code == "year_closed":
        return year_closed_text(params)
    if code == "days_range":
        return _("Please choose between {minimum} and {maximum} days.").format(
            minimum=params.get("minimum"), maximum=params.get("maximum")
        )
    messages = {
        "issue_unknown": _("This case is not available."),
        "text_empty": _("Please write something first."),
        "no_answer_yet": _(
            "This case has no answer the resident can read yet. "
            "Reply first: every case gets an answer."
        ),
        "assignee_unknown": _("That member or department cannot take cases now."),
        "due_in_past": _("The due date must be in the future."),
        "due_too_far": _("The due date can be at most a year away."),
        "original_unknown": _("There is no case with that number that you can see."),
        "original_is_itself": _("A case cannot be a duplicate of itself."),
        "extension_pending": _("A request for more time is already waiting for staff."),
        "extension_unknown": _("This request is not available."),
        "already_decided": _("This was decided already."),
        "extension_lapsed": _(
            "This request lapsed: the case was answered, closed or passed on while it waited."
        ),
        "report_unknown": _("This report is not available."),
        "cases_range": _("Choose between 1 and 10 cases."),
    }
    return messages.get(code, _("This could not be done."))
