"""Gettext catalogues for aiogram and the services; the middleware picking each chat's language."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import locales
from services.translation import translated

LOCALES_DIR = Path(locales.__file__).resolve().parent
DOMAIN = "messages"


def _catalogues(root: Path) -> list[Path]:
    return sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compiled_catalogue_dir(root: Path = LOCALES_DIR) -> Path:
    """A folder of up-to-date ``.mo`` files: the catalogue folder itself once ``make`` compiled it.

    When a ``.mo`` is missing or older than its ``.po`` (a fresh checkout, an edited
    catalogue), the catalogues are compiled into a cache folder keyed by their content.
    """
    po_files = _catalogues(root)
    if not any(_is_stale(po) for po in po_files):
        return root
    digest = hashlib.sha256(b"".join(po.read_bytes() for po in po_files)).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"liaison-locales-{digest}"
    for po_path in po_files:
        locale = po_path.parent.parent.name
        mo_path = target / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo_path.exists():
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        partial = mo_path.with_suffix(".mo.part")
        with partial.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        partial.replace(mo_path)
    return target


class SharedI18n(I18n):
    """aiogram's catalogues, whose chosen language the services translate in as well.

    Every block that picks a language goes through :meth:`context` and :meth:`use_locale`:
    the locale middleware for an update, a command for its output, a notice for its
    recipient. So a handler's gettext and :mod:`services.translation` (report builders,
    status names) never disagree.
    """

    @contextmanager
    def context(self) -> Iterator[I18n]:
        """Make this the current ``I18n``, in the committee's default language until told."""
        # aiogram keeps the current instance per class, and its gettext asks ``I18n``: a
        # subclass registering under its own class would leave aiogram's gettext without one.
        token = I18n.set_current(self)
        try:
            with translated(self.locales.get(self.default_locale)):
                yield self
        finally:
            I18n.reset_current(token)

    @contextmanager
    def use_locale(self, locale: str) -> Iterator[None]:
        """Translate into ``locale`` inside the block, in handlers and services alike."""
        with super().use_locale(locale), translated(self.locales.get(locale)):
            yield


def build_i18n(default_locale: str) -> SharedI18n:
    """The catalogues of the project, with the committee's default language."""
    return SharedI18n(path=compiled_catalogue_dir(), default_locale=default_locale, domain=DOMAIN)


class LocaleMiddleware(I18nMiddleware):
    """Uses the locale the identity middleware resolved for this update.

    aiogram's middleware enters ``i18n.use_locale`` around the handler; with
    :class:`SharedI18n` that sets the services' language for the update too.
    """

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        """Return ``data["locale"]``, falling back to the default."""
        locale = data.get("locale")
        return locale if isinstance(locale, str) else self.i18n.default_locale
