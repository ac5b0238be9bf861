"""Gettext catalogues for aiogram, and the middleware that picks each chat's language."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import locales

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


def build_i18n(default_locale: str) -> I18n:
    """The catalogues of the project, with the committee's default language."""
    return I18n(path=compiled_catalogue_dir(), default_locale=default_locale, domain=DOMAIN)


class LocaleMiddleware(I18nMiddleware):
    """Uses the locale the identity middleware resolved for this update."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        """Return ``data["locale"]``, falling back to the default."""
        locale = data.get("locale")
        return locale if isinstance(locale, str) else self.i18n.default_locale
