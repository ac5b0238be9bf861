"""The web chat page's own words: its title, labels and persona names, in one language.

The page gets them when it loads, and again whenever its chat chooses another language, so
that the page speaks the chat's language at once rather than after a reload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.channels.webchat.identity import Persona


def page_strings() -> dict[str, str]:
    """The page's labels, in the language in use."""
    return {
        "placeholder": _("Message"),
        "send": _("Send"),
        "attach_photo": _("Attach a photo"),
        "share_location": _("Share my location"),
        "start": _("Start"),
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost, reconnecting…"),
        "persona": _("Acting as"),
        "phone_prompt": _("Your phone number"),
        "phone_submit": _("Share"),
        "phone_cancel": _("Cancel"),
        "location_unavailable": _("Your browser could not tell the location."),
        "upload_failed": _("The file could not be sent. Please try again."),
        "photo": _("Photo"),
        "location": _("Location"),
        "contact": _("Phone number"),
        "document": _("File"),
        "ok": _("OK"),
    }


def page_chrome(i18n: I18n, locale: str, personas: Sequence[Persona]) -> dict[str, Any]:
    """Everything the page says of its own, in ``locale``."""
    with i18n.context(), i18n.use_locale(locale):
        return {
            "locale": locale,
            "title": _("CPPCC liaison desk"),
            "ui": page_strings(),
            "personas": [{"key": p.key, "label": _(p.label)} for p in personas],
        }
