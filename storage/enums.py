"""Closed vocabularies stored as strings in the tables."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a conversation happens."""

    TELEGRAM = "telegram"
    WEB = "web"


class Role(StrEnum):
    """What a chat identity may do; later issues add members and staff."""

    RESIDENT = "resident"
    MEMBER = "member"
    STAFF = "staff"
    DEPARTMENT = "department"
    # Invited to one consultation by a link; sees that meeting and nothing else.
    GUEST = "guest"


class IssueStatus(StrEnum):
    """Where a resident's case stands."""

    NEW = "new"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


OPEN_STATUSES = frozenset(
    {IssueStatus.NEW, IssueStatus.ACCEPTED, IssueStatus.ASSIGNED, IssueStatus.REOPENED}
)


class IssueEventKind(StrEnum):
    """One line of a case's timeline."""

    SUBMITTED = "submitted"
    STATUS = "status"
    REPLY = "reply"
    NOTE = "note"
    ASSIGNED = "assigned"
    DUE = "due"
    EXTENSION = "extension"
    HANDED_BACK = "handed_back"
    RATED = "rated"
    DUPLICATE = "duplicate"


class ActorKind(StrEnum):
    """Who caused a timeline event."""

    RESIDENT = "resident"
    STAFF = "staff"
    MEMBER = "member"
    DEPARTMENT = "department"
    SYSTEM = "system"


class MemberGroup(StrEnum):
    """The four groups members are ranked in."""

    STANDING = "standing"
    LOCAL = "local"
    NONLOCAL = "nonlocal"
    HKMO = "hkmo"


class MemberStatus(StrEnum):
    """Whether a member is serving."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    LEFT = "left"


class ActivityAction(StrEnum):
    """What happened to an activity entry, kept in its history."""

    CREATED = "created"
    EDITED = "edited"
    DELETED = "deleted"


class StaffRole(StrEnum):
    """What a staff member may do."""

    ADMIN = "admin"
    STATION = "station"


class MeetingResponse(StrEnum):
    """A member's answer to an invitation."""

    PENDING = "pending"
    ATTENDING = "attending"
    LEAVE_REQUESTED = "leave_requested"
    LEAVE_APPROVED = "leave_approved"
    LEAVE_REFUSED = "leave_refused"


class Attendance(StrEnum):
    """How a member's invitation ended, once the meeting is over."""

    ATTENDED = "attended"
    EXCUSED = "excused"
    ABSENT = "absent"


class AudienceKind(StrEnum):
    """Who a broadcast goes to."""

    MEMBERS = "members"
    SECTOR = "sector"
    GROUP = "group"
    COMMITTEE = "committee"
    MEETING = "meeting"
    STATION = "station"
    DEPARTMENTS = "departments"
    EVERYONE = "everyone"


class BroadcastState(StrEnum):
    """Where a broadcast stands."""

    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class ReportState(StrEnum):
    """Where a social-conditions report stands."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ExtensionDecision(StrEnum):
    """Staff's answer to a request for more time."""

    GRANTED = "granted"
    REFUSED = "refused"
    # Nobody decided: the case was answered, closed or passed on while the request waited.
    LAPSED = "lapsed"


class ActivitySource(StrEnum):
    """Who recorded an activity: the member, or the office (an accepted report)."""

    MEMBER = "member"
    OFFICE = "office"


class ProposalState(StrEnum):
    """Where a proposal stands, from the member's draft to the member's rating."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    REGISTERED = "registered"
    NOT_REGISTERED = "not_registered"
    ASSIGNED = "assigned"
    ANSWERED = "answered"
    REHANDLING = "rehandling"
    CLOSED = "closed"


# A proposal counts (six ones, assessment) from its registration on.
REGISTERED_PROPOSAL_STATES = frozenset(
    {
        ProposalState.REGISTERED,
        ProposalState.ASSIGNED,
        ProposalState.ANSWERED,
        ProposalState.REHANDLING,
        ProposalState.CLOSED,
    }
)


class CosignerState(StrEnum):
    """A co-signer's answer to the invitation."""

    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


class Stage(StrEnum):
    """The six stages of a consultation outcome's suggestion, in order."""

    FORMED = "formed"
    SUBMITTED = "submitted"
    REVIEWED = "reviewed"
    ASSIGNED = "assigned"
    HANDLED = "handled"
    FED_BACK = "fed_back"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class Adoption(StrEnum):
    """How far a department adopted a suggestion."""

    ADOPTED = "adopted"
    PARTLY = "partly"
    EXPLAINED = "explained"


class Satisfaction(StrEnum):
    """A rating of handling, in writing."""

    SATISFIED = "satisfied"
    BASIC = "basic"
    UNSATISFIED = "unsatisfied"


class RatingPurpose(StrEnum):
    """Why a rating of handling was given (``PipelineRating.purpose``)."""

    # The member's own rating of their proposal's handling, one per round.
    HANDLING = "handling"
    # Members rating a handled item again when it is looked back at.
    LOOKBACK = "lookback"
    # Members and sector representatives rating a department in a quality evaluation.
    QUALITY = "quality"
    # A resident rating how an outcome their case fed ended.
    RESIDENT = "resident"


class TopicSource(StrEnum):
    """Where a consultation topic came from."""

    PROPOSAL = "proposal"
    CONDITIONS_REPORT = "conditions_report"
    PLENARY_SPEECH = "plenary_speech"
    GOVERNMENT_REQUEST = "government_request"
    RESIDENT = "resident"
    MEMBER = "member"
    HOTSPOT = "hotspot"
    HOTLINE = "hotline"


class TopicState(StrEnum):
    """Where a topic stands on the way to the year's consultation plan."""

    SUGGESTED = "suggested"
    SHORTLISTED = "shortlisted"
    PLANNED = "planned"
    DECLINED = "declined"
    # Consulted on: an outcome was formed from its consultation.
    CONSULTED = "consulted"


class TopicLinkKind(StrEnum):
    """What a topic links to (``TopicLink.kind``); ``ref_id`` is that row's id."""

    ISSUE = "issue"
    HOTLINE = "hotline"
    HOTSPOT = "hotspot"
    PROPOSAL = "proposal"
    CONDITIONS_REPORT = "conditions_report"
    MEETING = "meeting"
    OUTCOME = "outcome"
    TOPIC = "topic"


class GuestKind(StrEnum):
    """Who a consultation's guest is."""

    DEPARTMENT_HEAD = "department_head"
    EXPERT = "expert"
    SECTOR_REPRESENTATIVE = "sector_representative"


class ConsultationStep(StrEnum):
    """The steps of a consultation meeting, in order (state opinions, discuss, revise, confirm)."""

    OPINIONS = "opinions"
    DISCUSSION = "discussion"
    REVISION = "revision"
    CONFIRMATION = "confirmation"


CONSULTATION_STEP_ORDER: tuple[ConsultationStep, ...] = tuple(ConsultationStep)
