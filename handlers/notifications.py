"""Notices the bot pushes on its own, rendered in each recipient's language.

Every notice says why it came and carries a button to act on it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from aiogram.utils.i18n import I18n

from handlers.notices.assessment import AssessmentNotices
from handlers.notices.assessment_summary import AssessmentSummaryNotices
from handlers.notices.broadcasts import BroadcastNotices
from handlers.notices.campaigns import CampaignNotices
from handlers.notices.cases import CaseNotices
from handlers.notices.casework import CaseworkNotices
from handlers.notices.consultation_prep import ConsultationPrepNotices
from handlers.notices.corrections import CorrectionNotices
from handlers.notices.duties import DutyNotices
from handlers.notices.handling import HandlingNotices
from handlers.notices.meeting_changes import MeetingChangeNotices
from handlers.notices.outcomes import OutcomeNotices
from handlers.notices.pipeline_reminders import PipelineReminderNotices
from handlers.notices.proceedings import ProceedingsNotices
from handlers.notices.proposal_member import ProposalMemberNotices
from handlers.notices.proposal_review import ProposalReviewNotices
from handlers.notices.stations_work import StationWorkNotices
from handlers.notices.topics import TopicNotices
from services.cases.facts import case_facts
from services.outbox.queue import Outgoing
from storage.models import ChatIdentity, Issue, IssueCategory, Station


class ChatNotifier(
    MeetingChangeNotices,
    DutyNotices,
    CaseNotices,
    CaseworkNotices,
    BroadcastNotices,
    AssessmentNotices,
    CampaignNotices,
    CorrectionNotices,
    AssessmentSummaryNotices,
    HandlingNotices,
    ProposalMemberNotices,
    PipelineReminderNotices,
    ProposalReviewNotices,
    OutcomeNotices,
    TopicNotices,
    ProceedingsNotices,
    ConsultationPrepNotices,
    StationWorkNotices,
):
    """Renders every kind of notice.

    Services call it through ``services.outbox.notices.Notifier``.
    """

    def __init__(self, i18n: I18n, tz: dt.tzinfo) -> None:
        self.i18n = i18n
        self.tz = tz
        self._kinds: dict[str, Callable[..., Outgoing]] = {
            "meeting-invitation": self.meeting_invitation,
            "meeting-materials": self.meeting_materials,
            "meeting-reminder": self.meeting_reminder,
            "meeting-nudge": self.meeting_nudge,
            "meeting-unanswered": self.meeting_unanswered,
            "meeting-summary": self.meeting_summary,
            "leave-request": self.leave_request,
            "leave-decision": self.leave_decision,
            "minimum-short": self.minimum_short,
            "minimum-summary": self.minimum_summary,
            "pace-behind": self.pace_behind,
            "issue-unassigned": self.issue_unassigned,
            "issue-rate": self.issue_rate,
            "issue-overdue": self.issue_overdue,
            "issue-overdue-staff": self.issue_overdue_staff,
        }
        for mixin in type(self).__mro__:
            for kind, method in vars(mixin).get("KINDS", {}).items():
                self._kinds[kind] = getattr(self, method)

    def render(self, kind: str, identity: ChatIdentity, **data: Any) -> Outgoing:
        """The notice in the recipient's language (their choice, else the committee's)."""
        locale = identity.locale or identity.client_locale or self.i18n.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return self._kinds[kind](locale=locale, **data)

    def case_facts(
        self,
        identity: ChatIdentity,
        *,
        issue: Issue,
        own: Issue | None,
        station: Station | None,
        category: IssueCategory | None,
        at: dt.datetime,
    ) -> dict[str, str]:
        """A case notice's plain facts, for a template message, in the recipient's language."""
        locale = identity.locale or identity.client_locale or self.i18n.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return case_facts(
                issue=issue,
                own=own,
                station=station,
                category=category,
                at=at,
                tz=self.tz,
                locale=locale,
            )
