"""All tables, imported here so that ``SQLModel.metadata`` knows every one."""

from storage.models.identity import ChatIdentity, Resident
from storage.models.issues import Attachment, Issue, IssueCounter, IssueEvent
from storage.models.reference import IssueCategory, Sector, Station
from storage.models.system import FsmRecord, ProcessedUpdate

__all__ = [
    "Attachment",
    "ChatIdentity",
    "FsmRecord",
    "Issue",
    "IssueCategory",
    "IssueCounter",
    "IssueEvent",
    "ProcessedUpdate",
    "Resident",
    "Sector",
    "Station",
]
