"""The review of a draft before it is sent."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import escape
from services.reference.catalog import display_name, get_category, get_station


async def render_review(session: AsyncSession, data: dict[str, Any], locale: str) -> str:
    """The draft as the resident will check it; their text is escaped."""
    station = await get_station(session, data.get("station_id") or 0)
    category = await get_category(session, data.get("category_id") or 0)
    not_given = _("not given")
    photos = len(data.get("photos", []))
    location = data.get("location")
    lines = [
        _("<b>Please check your report</b>"),
        "",
        _("Station: {value}").format(
            value=escape(display_name(station, locale)) if station else not_given
        ),
        _("Category: {value}").format(
            value=escape(display_name(category, locale)) if category else not_given
        ),
        _("Photos: {value}").format(value=photos if photos else not_given),
        _("Location: {value}").format(
            value=f"{location['latitude']:.5f}, {location['longitude']:.5f}"
            if location
            else not_given
        ),
        _("Contact: {value}").format(value=contact_line(data)),
        "",
        _("Description:"),
        f"<blockquote>{escape(data.get('description', ''))}</blockquote>",
    ]
    return "\n".join(lines)


def contact_line(data: dict[str, Any]) -> str:
    """Anonymous, or the phone number (shown to its owner only)."""
    phone = data.get("phone")
    if phone:
        return _("by phone, {phone}").format(phone=escape(phone))
    return _("anonymous")
