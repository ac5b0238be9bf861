"""Words of the topic dialogs: refusals of the topic services, sources, states, forms."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from services.errors import DomainError
from services.meetings.invitations import meeting_kind
from storage.enums import TopicSource, TopicState

NOT_AVAILABLE = "This topic is not available."


def refusal_text(error: DomainError) -> str:
    """A refusal of the topic and plan services, in the reader's language, naming the limit."""
    params = error.params
    texts = {
        "not_found": lambda: _(NOT_AVAILABLE),
        "out_of_scope": lambda: _(
            "Only the office's administrators decide on topics and the plan."
        ),
        "topic_title_empty": lambda: _("Please give the topic a title."),
        "topic_title_too_long": lambda: _("The title is too long: at most {maximum} characters."),
        "topic_description_too_long": lambda: _(
            "The description is too long: at most {maximum} characters."
        ),
        "topic_daily_limit": lambda: _(
            "You have suggested {maximum} topics today, the most a day. Please come back tomorrow."
        ),
        "topic_duplicate": lambda: _(
            "You have already suggested a topic with this title this year."
        ),
        "topic_stale": lambda: _("This topic has changed meanwhile; here it is as it stands now."),
        "topic_reason_missing": lambda: _("Please give the reason."),
        "topic_reason_too_long": lambda: _("The reason is too long: at most {maximum} characters."),
        "topic_source_unknown": lambda: _("Topics of this source are not entered by hand."),
        "plan_month_invalid": lambda: _("Please choose a month from 1 to 12."),
        "plan_form_unknown": lambda: _("This form of consultation is not allowed in the plan."),
        "plan_key_limit": lambda: _(
            "The plan already holds {maximum} key topics, the most the year's rules allow."
        ),
        "plan_slot_limit": lambda: _(
            "The plan already holds {maximum} plan consultations (the “6” of “6+X”), "
            "the most the year's rules allow. Put it in as an extra consultation instead."
        ),
        "plan_extra_limit": lambda: _(
            "The plan already holds {maximum} extra consultations by sectors and committees "
            "(the “X” of “6+X”), the most the year's rules allow."
        ),
        "plan_month_limit": lambda: _(
            "Month {month} already holds {maximum} consultations, the most the year's rules "
            "allow for one month."
        ),
        "plan_empty": lambda: _("The plan has no topics yet."),
        "plan_unchanged": lambda: _("This version of the plan is published already."),
        "plan_year_invalid": lambda: _("Topics carry over to the next year only."),
    }
    text = texts.get(error.code)
    return text().format(**params) if text else _("This cannot be done.")


def source_name(source: str) -> str:
    """Where a topic came from."""
    names: dict[str, str] = {
        TopicSource.PROPOSAL: _("a proposal"),
        TopicSource.CONDITIONS_REPORT: _("a social-conditions report"),
        TopicSource.PLENARY_SPEECH: _("a plenary speech"),
        TopicSource.GOVERNMENT_REQUEST: _("a government request"),
        TopicSource.RESIDENT: _("residents' suggestion"),
        TopicSource.MEMBER: _("a member's suggestion"),
        TopicSource.HOTSPOT: _("a hotspot"),
        TopicSource.HOTLINE: _("the hotline"),
        "all": _("all sources"),
    }
    return names.get(source, source)


def state_name(state: str) -> str:
    """Where a topic stands."""
    names: dict[str, str] = {
        TopicState.SUGGESTED: _("suggested"),
        TopicState.SHORTLISTED: _("shortlisted"),
        TopicState.PLANNED: _("in the plan"),
        TopicState.DECLINED: _("declined"),
        TopicState.CONSULTED: _("consulted"),
    }
    return names.get(state, state)


def form_name(form: str, locale: str) -> str:
    """A consultation form of the plan: the meeting kind's name in the reader's language."""
    kind = meeting_kind(form)
    if kind is None:
        return form
    return kind.name_en if locale == "en" else kind.name_zh
