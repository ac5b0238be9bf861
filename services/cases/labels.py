"""The names of case statuses as residents, staff and reports read them."""

from __future__ import annotations

from services.translation import gettext as _
from storage.enums import IssueStatus


def status_label(status: str) -> str:
    """The resident-facing name of a case status; an unknown status is shown as it is."""
    labels = {
        IssueStatus.NEW: _("Received"),
        IssueStatus.ACCEPTED: _("Accepted"),
        IssueStatus.ASSIGNED: _("Being handled"),
        IssueStatus.ANSWERED: _("Answered"),
        IssueStatus.RESOLVED: _("Resolved"),
        IssueStatus.REOPENED: _("Reopened"),
        IssueStatus.REJECTED: _("Not accepted"),
        IssueStatus.DUPLICATE: _("Merged with another case"),
    }
    try:
        return labels[IssueStatus(status)]
    except (ValueError, KeyError):
        return status
