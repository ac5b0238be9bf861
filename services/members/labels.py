"""The names of members' assessment groups and statuses, for menus and reports."""

from __future__ import annotations

from services.translation import gettext as _
from storage.enums import MemberGroup, MemberStatus


def group_label(group: str) -> str:
    """The name of a member assessment group; an unknown group is shown as it is."""
    labels = {
        MemberGroup.STANDING: _("Standing committee members"),
        MemberGroup.LOCAL: _("Members living in the city"),
        MemberGroup.NONLOCAL: _("Members living outside the city"),
        MemberGroup.HKMO: _("Members living in Hong Kong or Macao"),
    }
    try:
        return labels[MemberGroup(group)]
    except ValueError:
        return group


def member_status_label(status: str) -> str:
    """The name of a member's status; an unknown status is shown as it is."""
    labels = {
        MemberStatus.ACTIVE: _("active"),
        MemberStatus.SUSPENDED: _("suspended"),
        MemberStatus.LEFT: _("left"),
    }
    try:
        return labels[MemberStatus(status)]
    except ValueError:
        return status
