"""Notices about broadcasts, to the staff member who sent one: progress, and the final report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _

from handlers.notices.buttons import button
from handlers.texts import escape, local_time, shorten
from services.broadcasts.progress import Progress
from services.broadcasts.queue import plain
from services.outbox.queue import OutboxState, Outgoing
from storage.enums import BroadcastState
from storage.models import Broadcast


class BroadcastCancelCB(CallbackData, prefix="bc"):
    """Cancel a running or scheduled broadcast, from its progress message."""

    id: int


class BroadcastNotices:
    """Broadcast notices; ``KINDS`` maps a notice kind to the method that renders it."""

    tz: dt.tzinfo
    KINDS: Mapping[str, str] = {
        "broadcast-progress": "broadcast_progress",
        "broadcast-report": "broadcast_report",
    }

    def _heading(self, broadcast: Broadcast) -> str:
        return _("📣 <b>Broadcast #{number}</b> · {start}").format(
            number=broadcast.id, start=escape(shorten(plain(broadcast.text), 40))
        )

    def _counts(self, counts: Progress) -> str:
        return _(
            "Sent: {sent} · pending: {pending} · blocked: {blocked} · failed: {failed} · "
            "cancelled: {cancelled}"
        ).format(
            sent=counts[OutboxState.SENT],
            pending=counts.open,
            blocked=counts[OutboxState.BLOCKED],
            failed=counts[OutboxState.FAILED],
            cancelled=counts[OutboxState.CANCELLED],
        )

    def broadcast_progress(
        self,
        *,
        locale: str,
        broadcast: Broadcast,
        counts: Progress,
        now: dt.datetime,
        finished: bool = False,
    ) -> Outgoing:
        """The staff member's progress message: scheduled, sending, cancelled or finished."""
        assert broadcast.id is not None
        lines = [
            self._heading(broadcast),
            _("Recipients: {count}").format(count=broadcast.recipients),
        ]
        cancelled = broadcast.state == BroadcastState.CANCELLED
        if broadcast.send_at > now and not cancelled:
            lines.append(
                _("🕒 Scheduled for {when}.").format(when=local_time(broadcast.send_at, self.tz))
            )
        else:
            lines.append(self._counts(counts))
        if cancelled and broadcast.cancelled_at is not None:
            lines.append(
                _("✖ Cancelled at {when}.").format(when=local_time(broadcast.cancelled_at, self.tz))
            )
        elif finished:
            lines.append(_("✅ Finished."))
        buttons = []
        if not cancelled and not finished:
            buttons = [[button(_("✖ Cancel the broadcast"), BroadcastCancelCB(id=broadcast.id))]]
        return Outgoing(text="\n".join(lines), buttons=buttons)

    def broadcast_report(self, *, locale: str, broadcast: Broadcast, counts: Progress) -> Outgoing:
        """The final report, once nothing is left to send."""
        if broadcast.state == BroadcastState.CANCELLED:
            summary = _(
                "It was cancelled: {sent} of {total} messages were delivered before it stopped, "
                "{cancelled} were not sent."
            )
        else:
            summary = _("It is finished: {sent} of {total} messages were delivered.")
        lines = [
            self._heading(broadcast),
            summary.format(
                sent=counts[OutboxState.SENT],
                total=broadcast.recipients,
                cancelled=counts[OutboxState.CANCELLED],
            ),
            _(
                "{blocked} recipients have blocked the bot and were not sent it; "
                "{failed} messages failed."
            ).format(blocked=counts[OutboxState.BLOCKED], failed=counts[OutboxState.FAILED]),
        ]
        return Outgoing(text="\n".join(lines))
