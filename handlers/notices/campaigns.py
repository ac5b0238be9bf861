"""Notices of the yearly campaigns: a campaign month has opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MemberMenuCB
from handlers.notices.buttons import button
from handlers.texts import escape
from services.members.rules import Campaign
from services.outbox.queue import Outgoing
from services.reference.catalog import display_name


class CampaignNotices:
    """Campaign notices; registered with the notifier through ``KINDS``."""

    KINDS: Mapping[str, str] = {"campaign-open": "campaign_open"}

    def campaign_open(
        self, *, locale: str, campaign: Campaign, first: dt.date, last: dt.date
    ) -> Outgoing:
        """To every active member as a campaign month opens."""
        # Three strings, not one: each line is translated, and read, on its own.
        text = "\n".join(
            (
                _("📣 This month ({first} – {last}) is the yearly campaign: <b>{name}</b>.").format(
                    first=first.isoformat(),
                    last=last.isoformat(),
                    name=escape(display_name(campaign, locale)),
                ),
                _("Every liaison activity you log for a day of this month counts towards it."),
                _("You receive this as each campaign month of the committee's rules opens."),
            )
        )
        return Outgoing(
            text=text, buttons=[[button(_("🗓 Log an activity"), MemberMenuCB(action="log"))]]
        )
