"""What the command-line modules share: one language a run, the database, the bot's name."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import inspect
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeVar, get_type_hints

import typer
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession

from bot.i18n import build_i18n
from bot.settings import Settings
from services.errors import DomainError
from services.members.roster import ImportReport
from services.members.rules import RuleBook
from services.translation import gettext as _
from storage.db import Database

T = TypeVar("T")
P = ParamSpec("P")

LOCALES = ("zh_CN", "en")
LocaleOption = Annotated[
    str | None,
    typer.Option(help="Language of the output (and files): zh_CN or en (default: the bot's)."),
]
# The language of the command running now, set by @localized for the length of the command.
_language: ContextVar[str | None] = ContextVar("cli_language", default=None)
_CONTEXT = "localized_context"


def with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    """Run one async action against the configured database, then close it."""

    async def go() -> T:
        db = Database(Settings().database_url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    return asyncio.run(go())


def now() -> dt.datetime:
    """The current moment on the configured clock (``LIAISON_CLOCK_START`` moves it)."""
    return Settings().clock().now()


def settings_in(locale: str | None) -> Settings:
    """The settings, speaking ``locale`` (``--locale``) or else their ``default_locale``.

    An unknown language ends the command with exit code 2 and the languages it can speak,
    worded in the settings' own language.
    """
    settings = Settings()
    if locale is None:
        return settings
    if locale not in LOCALES:
        with translated(settings):
            fail(
                _("'{value}' is not a language of the command line: use {choices}.").format(
                    value=locale, choices=_(" or ").join(LOCALES)
                ),
                code=2,
            )
    return settings.model_copy(update={"default_locale": locale})


def cli_settings() -> Settings:
    """The settings of the command running now, speaking its one language (see @localized)."""
    settings = Settings()
    language = _language.get()
    if language is None:
        return settings
    return settings.model_copy(update={"default_locale": language})


def cli_rulebook(settings: Settings | None = None) -> RuleBook:
    """Every year's rules, from ``LIAISON_RULES_DIR`` when set, else the bundled files."""
    settings = settings or cli_settings()
    return RuleBook(settings.rules_dir) if settings.rules_dir else RuleBook()


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print an (already translated) refusal on stderr and end the command with ``code``."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def translated(settings: Settings) -> Iterator[str]:
    """Translate in the committee's default language for the length of a command."""
    i18n = build_i18n(settings.default_locale)
    with i18n.context(), i18n.use_locale(settings.default_locale):
        yield settings.default_locale


@contextmanager
def speaking(locale: str | None) -> Iterator[str]:
    """A command's one language: ``--locale`` or the settings' default; yields its code.

    Everything the command prints is worded inside this block, so that one run never mixes
    the fixed text of one language with the names of the other.
    """
    with translated(settings_in(locale)) as language:
        yield language


def _inherited_locale(context: typer.Context | None) -> str | None:
    """A ``--locale`` given to an enclosing group (``liaison outbox --locale en deliver``)."""
    parent = context.parent if context is not None else None
    while parent is not None:
        chosen = parent.params.get("locale")
        if isinstance(chosen, str):
            return chosen
        parent = parent.parent
    return None


def localized(command: Callable[P, T]) -> Callable[P, T]:
    """Give a command the shared ``--locale`` option and run all of it in that one language.

    Put it under ``@app.command()``. The command itself takes no ``locale`` parameter: inside it,
    :func:`cli_settings` is the settings speaking the chosen language (their ``default_locale``
    when none is given), and gettext (``_``) translates into it, so headers, confirmations and
    refusals never mix languages. A subcommand without ``--locale`` speaks its group's.
    tests/unit/test_cli_languages.py checks that every command has the option.
    """
    signature = inspect.signature(command, eval_str=True)
    if "locale" in signature.parameters or _CONTEXT in signature.parameters:
        raise TypeError(f"{command.__name__}: @localized adds its own parameters")
    # Typer passes the click context to the one parameter of this type, whatever its name:
    # the command's own, or else one added here.
    own = [p.name for p in signature.parameters.values() if p.annotation is typer.Context]
    added = [
        inspect.Parameter(
            "locale", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=LocaleOption
        )
    ]
    if not own:
        added.append(
            inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)
        )

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        chosen = kwargs.pop("locale", None)
        context = kwargs[own[0]] if own else kwargs.pop(_CONTEXT, None)
        if not isinstance(chosen, str):
            chosen = _inherited_locale(context if isinstance(context, typer.Context) else None)
        with speaking(chosen) as language:
            token = _language.set(language)
            try:
                return command(*args, **kwargs)
            finally:
                _language.reset(token)

    parameters = [*signature.parameters.values(), *added]
    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {
        **get_type_hints(command, include_extras=True),
        "locale": LocaleOption,
        **({} if own else {_CONTEXT: typer.Context}),
    }
    return run


def unreadable(file: Path, error: DomainError) -> NoReturn:
    """Refuse a roster or department file that is neither CSV nor XLSX (exit code 2)."""
    fail(
        _("Cannot read {file}: use a .csv or .xlsx file ({code}).").format(
            file=file.name, code=error.code
        ),
        code=2,
    )


def say_imported(report: ImportReport) -> None:
    """Print what an import did, then each refused row; exit code 1 if a row was refused."""
    typer.echo(
        _("{created} created, {updated} updated, {unchanged} unchanged, {refused} refused").format(
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            refused=len(report.errors),
        )
    )
    for number, message in report.errors:
        typer.echo(_("row {number}: {message}").format(number=number, message=message), err=True)
    if report.errors:
        raise typer.Exit(1)


def invitation_line(code: str, link: str) -> str:
    """An invitation's one-time code and link, as the staff and department commands print it."""
    return _("Code: {code}   Link: {link}   (valid 7 days, one use)").format(code=code, link=link)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns under a header row; a Chinese character takes two columns."""

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    widths = [max(width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell + " " * (size - width(cell)) for cell, size in zip(row, widths, strict=True)
        ).rstrip()
        for row in [header, *rows]
    ]


async def bot_username(settings: Settings) -> str | None:
    """The Telegram bot's username, asked from the Bot API; None without a token."""
    if settings.telegram_token is None:
        return None
    session = AiohttpSession(api=settings.telegram_api)
    bot = Bot(settings.telegram_token.get_secret_value(), session=session)
    try:
        return (await bot.get_me()).username
    finally:
        await bot.session.close()


def deep_link(
    payload: str, *, username: str | None, settings: Settings, base_url: str | None
) -> str:
    """A Telegram deep link when the bot's name is known, else the web chat with the payload.

    The web chat's address is ``base_url``, else ``LIAISON_PUBLIC_URL``, else the listen address.
    """
    if username:
        return f"https://t.me/{username}?start={payload}"
    web = base_url or settings.web_url
    return f"{web.rstrip('/')}/?start={payload}"
