"""``liaison outbox``: how the outbox stands, and a delivery loop on its own.

Notices held for a person who must write again first (the WeChat service account outside its
48-hour window) are counted by channel with the age of the oldest; ``--held`` lists them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Annotated

import typer
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession

from bot.app import build_context
from bot.cli_common import cli_settings, fail, localized, now, with_database
from bot.delivery import HELD_REASON, DeliveryWorker
from bot.leader_duties import build_worker
from bot.runner import configure_logging, stop_on_signals
from services.outbox.held import HeldChannel, held_by_channel, held_messages
from services.outbox.queue import OutboxState, OutboxStats, stats
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage

outbox_app = typer.Typer(
    help="The outbox of pushes. Without a subcommand: counts by state and the latest failures.",
    invoke_without_command=True,
)


_STATES = {
    OutboxState.PENDING: N_("pending"),
    OutboxState.SENDING: N_("sending"),
    OutboxState.SENT: N_("sent"),
    OutboxState.FAILED: N_("failed"),
    OutboxState.BLOCKED: N_("blocked"),
    OutboxState.CANCELLED: N_("cancelled"),
    OutboxState.HELD: N_("held"),
}
# Held notices listed by ``--held`` at most.
HELD_LISTED = 200


@dataclass(frozen=True)
class _Status:
    stats: OutboxStats
    held: list[HeldChannel]
    held_rows: list[OutboxMessage]


def _age(since: dt.datetime, moment: dt.datetime) -> str:
    """How long ago, in days and hours (or minutes), translated."""
    minutes = max(0, int((moment - since).total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


def _state(state: str) -> str:
    return _(_STATES[OutboxState(state)]) if state in set(OutboxState) else state


@outbox_app.callback()
@localized
def outbox_status(
    ctx: typer.Context,
    held: Annotated[
        bool,
        typer.Option(
            "--held", help="List the notices held until the person writes again, with why."
        ),
    ] = False,
) -> None:
    """Counts by state, the latest failures, and the notices held by channel."""
    if ctx.invoked_subcommand is not None:
        return

    async def go(db: Database) -> _Status:
        await upgrade(db)
        async with db.session() as session:
            rows = list(await held_messages(session, limit=HELD_LISTED)) if held else []
            return _Status(await stats(session), await held_by_channel(session), rows)

    status = with_database(go)
    result = status.stats
    typer.echo(
        "  ".join(
            _("{state}: {count}").format(state=_state(state), count=count)
            for state, count in result.counts.items()
        )
    )
    if result.failures:
        typer.echo(_("Latest failures:"))
    for row in result.failures:
        message = _("#{id} {state} {chat} {kind} after {attempts} attempt(s): {error}")
        chat = f"{row.channel}:{row.chat_id}"
        typer.echo(
            "  "
            + message.format(
                id=row.id,
                state=_state(row.state),
                chat=chat,
                kind=row.kind or "-",
                attempts=row.attempts,
                error=row.last_error,
            )
        )
    _show_held(status)


def _reason(error: str | None) -> str:
    """Why a notice is held, in the reader's language where the reason is ours."""
    if error is None:
        return "-"
    if error.startswith(HELD_REASON):
        return _(HELD_REASON) + error[len(HELD_REASON) :]
    return error


def _show_held(status: _Status) -> None:
    """Held notices by channel with the oldest one's age; each of them when asked."""
    moment = now()
    if status.held:
        typer.echo(_("Held until the person writes again:"))
    for channel in status.held:
        typer.echo(
            "  "
            + _("{channel}: {count} held, the oldest for {age}").format(
                channel=channel.channel, count=channel.count, age=_age(channel.oldest, moment)
            )
        )
    for row in status.held_rows:
        message = _("#{id} {chat} {kind} held for {age}: {reason}")
        typer.echo(
            "  "
            + message.format(
                id=row.id,
                chat=f"{row.channel}:{row.chat_id}",
                kind=row.kind or "-",
                age=_age(row.due_at, moment),
                reason=_reason(row.last_error),
            )
        )


async def _stop_when(stopping: asyncio.Event, worker: DeliveryWorker) -> None:
    await stopping.wait()
    await worker.stop()


@outbox_app.command("deliver")
@localized
def outbox_deliver(
    until_empty: Annotated[
        bool, typer.Option(help="Stop once nothing is due instead of running on.")
    ] = False,
) -> None:
    """Run the Telegram delivery loop alone (the bot's own process runs one too)."""
    settings = cli_settings()
    configure_logging(settings.log_level)
    if settings.telegram_token is None:
        fail(_("LIAISON_TELEGRAM_TOKEN is not set: nothing to deliver to."), code=2)
    token = settings.telegram_token.get_secret_value()

    async def go(db: Database) -> int:
        await upgrade(db)
        ctx = build_context(settings, db, settings.clock())
        session = AiohttpSession(api=settings.telegram_api)
        bot = Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        worker = build_worker(ctx, {"telegram": bot})
        try:
            if until_empty:
                total = 0
                while sent := await worker.run_once():
                    total += sent
                return total
            # A signal asks the worker to stop: it finishes what is in flight and writes the
            # results, where cancelling it could be lost in a timeout racing the cancel.
            stopping = stop_on_signals()
            stopper = asyncio.create_task(_stop_when(stopping, worker))
            try:
                await worker.run()
            finally:
                stopper.cancel()
            return worker.sent
        finally:
            await bot.session.close()

    try:
        sent = with_database(go)
    except KeyboardInterrupt:  # pragma: no cover - interactive stop
        raise typer.Exit(130) from None
    typer.echo(_("{count} sent").format(count=sent))
