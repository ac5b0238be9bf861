"""The language services write in: gettext for code that must not know the chat framework.

A context variable holds the catalogue of whoever reads the text being built. The shell
sets it for the length of an update or a command with :func:`translated`; outside any such
block, or with no catalogue, a message comes back as its msgid, which is the English text.
Mark strings with ``_``, ``gettext``, ``ngettext`` or ``N_`` so extraction finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from gettext import NullTranslations

# None (outside any block) reads as the msgids themselves.
_current: ContextVar[NullTranslations | None] = ContextVar("services_translations", default=None)
_MSGIDS = NullTranslations()


def _translations() -> NullTranslations:
    current = _current.get()
    return _MSGIDS if current is None else current


def gettext(message: str) -> str:
    """``message`` in the current reader's language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current reader's language."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@contextmanager
def translated(translations: NullTranslations | None) -> Iterator[None]:
    """Translate through ``translations`` inside the block (None: the msgids, in English)."""
    token = _current.set(translations)
    try:
        yield
    finally:
        _current.reset(token)
