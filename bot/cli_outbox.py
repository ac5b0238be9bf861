"""``liaison outbox``: how the outbox stands, and a delivery loop on its own."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession

from bot.app import build_context
from bot.cli_common import cli_settings, fail, localized, with_database
from bot.delivery import DeliveryWorker
from bot.runner import build_worker, configure_logging, stop_on_signals
from services.outbox.queue import OutboxState, OutboxStats, stats
from services.translation import N_
from services.translation import gettext as _
from storage.db import Database
from storage.migrate import upgrade

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
}


def _state(state: str) -> str:
    return _(_STATES[OutboxState(state)]) if state in set(OutboxState) else state


@outbox_app.callback()
@localized
def outbox_status(ctx: typer.Context) -> None:
    """Counts by state and the latest failures."""
    if ctx.invoked_subcommand is not None:
        return

    async def go(db: Database) -> OutboxStats:
        await upgrade(db)
        async with db.session() as session:
            return await stats(session)

    result = with_database(go)
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
