"""All tables, imported here so that ``SQLModel.metadata`` knows every one."""

from storage.models.activities import (
    Activity,
    ActivityPairedPerson,
    ActivityPhoto,
    ActivityRevision,
    ActivityTally,
)
from storage.models.assessment import (
    AssessmentCorrection,
    AssessmentEntry,
    AssessmentLine,
    AssessmentResult,
    AssessmentTotal,
    AssessmentYear,
    MemberConduct,
)
from storage.models.audit import AuditEntry
from storage.models.broadcasts import Broadcast, StationSubscription
from storage.models.casework import (
    CannedReply,
    ConditionsReport,
    ConditionsReportIssue,
    IssueExtension,
)
from storage.models.channels import ChannelMessage, ChannelUser, ChatButton, ChatWindow
from storage.models.consultation_prep import (
    DraftComment,
    DraftReport,
    MeetingMaterial,
    ResearchTask,
)
from storage.models.departments import Department, DepartmentBinding
from storage.models.files import StoredFile
from storage.models.guests import MeetingGuest
from storage.models.handling import (
    FaceMeeting,
    Handling,
    HandlingExtension,
    PipelineCounter,
    PipelineEvent,
    PipelineRating,
    Suggestion,
)
from storage.models.hotspots import HotlineRecord, Hotspot, HotspotMember, HotspotRun
from storage.models.identity import ChatIdentity, Resident
from storage.models.issues import Attachment, Issue, IssueCounter, IssueEvent, IssueSearch
from storage.models.meetings import Meeting, MeetingInvitee
from storage.models.members import (
    InviteCode,
    InviteFailure,
    Member,
    MemberBinding,
    MemberStation,
    PairedPerson,
    SpecialCommittee,
    SpecialCommitteeSector,
)
from storage.models.outbox import OutboxMessage
from storage.models.outcomes import Outcome, OutcomeIssue, OutcomeMember
from storage.models.plan import ConsultationPlan, PlanItem
from storage.models.proceedings import (
    ConfirmedSuggestion,
    MeetingProceedings,
    MeetingStep,
    OutcomeGuest,
    RemoteRemark,
    SpeechBooking,
    SpeechState,
)
from storage.models.proposals import Proposal, ProposalCosigner, ProposalFile
from storage.models.reference import IssueCategory, Sector, Station
from storage.models.staff import Staff, StaffBinding, StaffStation
from storage.models.stations_work import (
    DutyTurn,
    SessionPoint,
    SessionQuestion,
    StationDutyCode,
    StationSession,
)
from storage.models.support import IssueSupport
from storage.models.system import FsmRecord, InboxUpdate, ProcessedUpdate
from storage.models.topics import Topic, TopicLink
from storage.models.webchat import WebChatFile, WebChatHistoryEntry
from storage.models.wecom import WeComCard, WeComPerson

__all__ = [
    "Activity",
    "ActivityPairedPerson",
    "ActivityPhoto",
    "ActivityRevision",
    "ActivityTally",
    "AssessmentCorrection",
    "AssessmentEntry",
    "AssessmentLine",
    "AssessmentResult",
    "AssessmentTotal",
    "AssessmentYear",
    "Attachment",
    "AuditEntry",
    "Broadcast",
    "CannedReply",
    "ChannelMessage",
    "ChannelUser",
    "ChatButton",
    "ChatIdentity",
    "ChatWindow",
    "ConditionsReport",
    "ConditionsReportIssue",
    "ConfirmedSuggestion",
    "ConsultationPlan",
    "Department",
    "DepartmentBinding",
    "DraftComment",
    "DraftReport",
    "DutyTurn",
    "FaceMeeting",
    "FsmRecord",
    "Handling",
    "HandlingExtension",
    "HotlineRecord",
    "Hotspot",
    "HotspotMember",
    "HotspotRun",
    "InboxUpdate",
    "InviteCode",
    "InviteFailure",
    "Issue",
    "IssueCategory",
    "IssueCounter",
    "IssueEvent",
    "IssueExtension",
    "IssueSearch",
    "IssueSupport",
    "Meeting",
    "MeetingGuest",
    "MeetingInvitee",
    "MeetingMaterial",
    "MeetingProceedings",
    "MeetingStep",
    "Member",
    "MemberBinding",
    "MemberConduct",
    "MemberStation",
    "OutboxMessage",
    "Outcome",
    "OutcomeGuest",
    "OutcomeIssue",
    "OutcomeMember",
    "PairedPerson",
    "PipelineCounter",
    "PipelineEvent",
    "PipelineRating",
    "PlanItem",
    "ProcessedUpdate",
    "Proposal",
    "ProposalCosigner",
    "ProposalFile",
    "RemoteRemark",
    "ResearchTask",
    "Resident",
    "Sector",
    "SessionPoint",
    "SessionQuestion",
    "SpecialCommittee",
    "SpecialCommitteeSector",
    "SpeechBooking",
    "SpeechState",
    "Staff",
    "StaffBinding",
    "StaffStation",
    "Station",
    "StationDutyCode",
    "StationSession",
    "StationSubscription",
    "StoredFile",
    "Suggestion",
    "Topic",
    "TopicLink",
    "WeComCard",
    "WeComPerson",
    "WebChatFile",
    "WebChatHistoryEntry",
]
