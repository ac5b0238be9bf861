"""Notices about broadcasts (to the staff member who sent one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


class BroadcastNotices:
    """Broadcast notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {}
