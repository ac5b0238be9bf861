"""Dialog states; stored in the database so a restart keeps them."""

from aiogram.fsm.state import State, StatesGroup


class ReportForm(StatesGroup):
    """A resident writing a report: the windows of the report dialog."""

    station = State()
    nearest = State()
    category = State()
    description = State()
    photos = State()
    location = State()
    contact = State()
    phone = State()
    review = State()
    resume = State()
    lookalike = State()


class ActivityForm(StatesGroup):
    """A member logging (or editing) a liaison activity: the windows of its dialog."""

    kind = State()
    date = State()
    sector = State()
    people = State()
    paired = State()
    place = State()
    summary = State()
    photos = State()
    review = State()
    sectors = State()  # every sector, a side window of step 3


class EntryOpen(StatesGroup):
    """In front of an unsaved activity entry: continue it, or discard it for what was asked."""

    offer = State()


class MyActivities(StatesGroup):
    """A member's own activities: the paged list, one entry, deleting it."""

    page = State()
    entry = State()
    delete = State()


class MyIssues(StatesGroup):
    """A resident's own cases: the paged list, and one case's card."""

    list = State()
    case = State()


class StationDirectory(StatesGroup):
    """The liaison stations: the directory, and one station's card."""

    list = State()
    card = State()


class MemberMeetings(StatesGroup):
    """A member's upcoming meetings: the paged list, one meeting's card, the past meetings."""

    list = State()
    card = State()
    past = State()


class MeetingAnswer(StatesGroup):
    """A member answering a meeting: the reason for leave, or the check-in code."""

    leave_reason = State()
    checkin_code = State()


class BroadcastForm(StatesGroup):
    """Staff composing a broadcast (handlers/staff/broadcast_dialog.py); windows in this order."""

    audience = State()
    audience_value = State()
    text = State()
    attachment = State()
    review = State()
    schedule = State()


class CaseDesk(StatesGroup):
    """Staff at the case desk (handlers/staff/case_desk.py): the queue, a case, its actions."""

    overview = State()
    queue = State()
    case = State()
    assign = State()
    members = State()
    departments = State()
    due = State()
    reply = State()
    confirm = State()
    reject = State()
    duplicate = State()
    note = State()
    resolve_confirm = State()
    merge_confirm = State()
    found = State()


class ReopenReason(StatesGroup):
    """A resident who found an answer did not solve their case, saying why (optional)."""

    reason = State()


class MyRecord(StatesGroup):
    """A member's record: the year, its items, an item's lines, one line, a correction, past."""

    year = State()
    items = State()
    lines = State()
    line = State()
    reason = State()
    confirm = State()
    past = State()


class StaffCorrections(StatesGroup):
    """Administrators' queue of correction requests: the list, one request, the note."""

    list = State()
    card = State()
    note = State()


class StaffRecord(StatesGroup):
    """An administrator reading a member's record (/record CODE): year, items, an item's lines."""

    year = State()
    items = State()
    lines = State()


class YearReports(StatesGroup):
    """Administrators' yearly reports: attendance, the standings, the past years to choose."""

    attendance = State()
    standings = State()
    years = State()


class YearSteps(StatesGroup):
    """Administrators walking a year through its life: the steps, each step's card."""

    menu = State()
    close = State()
    committee = State()
    recommend = State()
    decide = State()
    publish = State()
    reopen = State()
