"""What the bot says about itself: the greeting and the help for each kind of chat."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def welcome_text() -> str:
    """The greeting of a first contact or a /start."""
    return _(
        "Welcome to the CPPCC liaison desk.\n\n"
        "Tell us about problems of daily life in your community: the liaison stations "
        "pass them to the committee members and departments who can act. "
        "Every case gets an answer, and you can follow it here.\n\n"
        "Choose from the menu below."
    )


def help_text() -> str:
    """What the bot does and how to use it."""
    topics = _("/suggest – suggest a consultation topic; /plan – the year's consultation plan")
    return (
        _(
            "<b>How this works</b>\n"
            "📝 <b>Report an issue</b>: choose a liaison station and a category, describe the "
            "problem, add up to 3 photos and the location if you like, then check and send. "
            "You get a case number.\n"
            "📋 <b>My issues</b>: your cases, where each one stands, and the answers.\n"
            "📍 <b>Liaison stations</b>: where to find them, and a shortcut to report there.\n\n"
            "<b>Commands</b>\n"
            "/start – main menu\n"
            "/report – report an issue\n"
            "/myissues – my issues\n"
            "/mydata – a copy of everything stored about me\n"
            "/forget – erase my data\n"
            "/stations – liaison stations\n"
            "/language – 中文 / English\n"
            "/cancel – stop the report you are writing\n\n"
            "<b>Privacy</b>: you may report anonymously. If you leave a phone number, only the "
            "staff and the person handling your case see it."
        )
        + f"\n{topics}"
    )


def desk_welcome_text(menu_role: str) -> str | None:
    """The greeting of staff or a department's handler; None for other chats."""
    if menu_role == "staff":
        return _(
            "Welcome to the liaison office's desk.\n\n"
            "Cases waiting for the office are in the case queue; set up meetings, send "
            "notices and read reports from the menu below. To find a case, type its number, "
            "a phone number or words from it (or /case). /help lists everything."
        )
    if menu_role == "station-staff":
        return _(
            "Welcome to your stations' desk.\n\n"
            "Your stations' new and reopened cases are in the case queue; send notices to "
            "their residents and read reports from the menu below. To find a case, type its "
            "number, a phone number or words from it (or /case). /help lists everything."
        )
    if menu_role == "department":
        return _(
            "Welcome to your department's desk.\n\n"
            "Cases the committee office assigns to your department appear under "
            "“Assigned cases”: answer the resident, ask for more time or hand a case back "
            "from there. /help lists everything."
        )
    return None


def desk_commands_text() -> str:
    """The commands every desk shares with everyone else."""
    return _(
        "<b>Commands</b>\n"
        "/start – main menu\n"
        "/help – this help\n"
        "/language – 中文 / English\n"
        "/mydata – a copy of everything stored about me"
    )


def member_help_text() -> str:
    """What a member can do."""
    record = _("/record – my record: points, rank, each line, and asking for a correction")
    proposals = _(
        "/proposals – write a proposal (drafts are kept), co-sign one you were invited to, "
        "follow the departments' answers item by item and rate them"
    )
    topics = _("/suggest – suggest a consultation topic; /plan – the year's consultation plan")
    duty = _("/duty – my duty turns at the stations; check in with one tap")
    return f"{_member_help()}\n{record}\n{proposals}\n{topics}\n{duty}"


def _member_help() -> str:
    return _(
        "<b>For members</b>\n"
        "🗓 <b>Log an activity</b>: kind, date, sector, people reached, paired people, place, "
        "a summary and photos; you can check it before saving, and change or delete it for "
        "seven days.\n"
        "📊 <b>My progress</b>: this quarter and this year against the minimums, the six ones, "
        "and when you last reached each of your paired people.\n"
        "🗂 <b>My activities</b>: everything you logged, with its history.\n\n"
        "<b>Shortcut</b>: <code>/log 2026-11-20 12 forum with teachers</code> logs a visit "
        "to your own sector's people (date, people, what happened) after you confirm.\n"
        "📨 <b>Assigned cases</b>: residents' cases the office gave you; answer them, ask for "
        "more time, hand them back, or write a social-conditions report from them.\n"
        "/progress – my progress\n"
        "/activities – my activities\n"
        "/cases – assigned cases\n"
        "/report – report an issue as a resident"
    )


def desk_help_text(menu_role: str) -> str | None:
    """What staff, or a department's handlers, can do; None for other chats."""
    text = _desk_help(menu_role)
    if text is not None and menu_role in ("staff", "station-staff"):
        finding = _(
            "/case – find a case by its number, a phone number or words from it; or just "
            "type them here"
        )
        topics = _("/topics – suggested topics, the shortlist and the year's consultation plan")
        sessions = _(
            "/sessions – open sessions at the stations: schedule, questions, points raised"
        )
        rota = _("/rota – the duty rota: members' turns, check-ins and missed turns")
        text = f"{text}\n{finding}\n{topics}\n{sessions}\n{rota}"
    if text is not None and menu_role == "staff":
        corrections = _("/corrections – members' correction requests waiting for a decision")
        record = _("/record M001 – a member's record, as the member sees it")
        proposals = _("/proposals – proposals to review, register, assign and mark")
        outcomes = _("/outcomes – consultation outcomes, each suggestion through its six stages")
        lists = _("/lists – the problem, outcome and satisfaction lists, and the quarterly review")
        quality = _("/quality – the quality evaluation of departments for a year")
        text = f"{text}\n{corrections}\n{record}\n{proposals}\n{outcomes}\n{lists}\n{quality}"
    if text is not None and menu_role == "department":
        handling = _(
            "/handling – proposals and outcome suggestions given to your department: answer "
            "each item, ask for more time, record a face-to-face meeting"
        )
        text = f"{text}\n{handling}"
    return text


def _desk_help(menu_role: str) -> str | None:
    """The desk's own help, by role."""
    if menu_role == "staff":
        return _(
            "<b>For staff</b>\n"
            "📥 <b>Case queue</b>: new and reopened cases by station, oldest first; open one to "
            "accept, assign (with a due date), reply, decline, merge a duplicate, add a note or "
            "resolve it. Every action is recorded.\n"
            "📣 <b>Broadcast</b>: a notice to members, a sector, a meeting's invitees, a "
            "station's subscribers or everyone.\n"
            "➕ <b>New meeting</b> and 📅 <b>Meetings</b>: invitations, leave, attendance.\n"
            "📈 <b>Reports</b>: minimums, cases, answer times, satisfaction, with charts and "
            "spreadsheets.\n"
            "/queue – the case queue\n"
            "/newmeeting – set up a meeting"
        )
    if menu_role == "station-staff":
        return _(
            "<b>For station staff</b>\n"
            "📥 <b>Case queue</b>: new and reopened cases of your stations, oldest first; open "
            "one to accept, assign (with a due date), reply, decline, merge a duplicate, add a "
            "note or resolve it. Every action is recorded.\n"
            "📣 <b>Broadcast</b>: a notice to the residents who follow your stations.\n"
            "📈 <b>Reports</b>: your stations' cases, answer times and satisfaction, with charts "
            "and spreadsheets.\n"
            "Meetings and members' leave are run by the office's administrators.\n"
            "/queue – the case queue"
        )
    if menu_role == "department":
        return _(
            "<b>For departments</b>\n"
            "📨 <b>Assigned cases</b>: the cases the committee office gave your department. "
            "Answer the resident through the bot (they see your department's name, never your "
            "chat), ask for more time with a reason, or hand a case back.\n"
            "/cases – assigned cases"
        )
    return None
