"""Every user-facing string is translated in zh_CN and en, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, compiled_catalogue_dir

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "__": None,
    "N_": None,
    "lazy_gettext": None,
    # the dialog windows' translated texts (handlers/dialogs/text.py)
    "T": None,
    "Step": None,
    # button labels of dialog windows (handlers/dialogs/markup.py)
    "Label": None,
}
PLACEHOLDER = re.compile(r"\{[a-z_]+(?::[^}]*)?\}")
TAG = re.compile(r"</?([a-z-]+)[^>]*>")


def source_msgids() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers", "services"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    ids = source_msgids()
    assert len(ids) > 100, "extraction found suspiciously few strings"
    return ids


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_string_is_translated(locale: str, msgids: set[str]) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = sorted(m for m in msgids if catalog.get(m) is None or not catalog.get(m).string)
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    stale = sorted(m.id for m in catalog if m.id and m.id not in msgids)
    assert not missing, f"{locale}: untranslated: {missing}"
    assert not fuzzy, f"{locale}: fuzzy: {fuzzy}"
    assert not stale, f"{locale}: no longer in the code (run `make extract`): {stale}"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_translations_keep_placeholders_and_tags(locale: str) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for message in catalog:
        if not message.id:
            continue
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), f"{locale}: placeholders differ in {message.id!r}"
        assert sorted(TAG.findall(message.id)) == sorted(TAG.findall(message.string)), (
            f"{locale}: HTML tags differ in {message.id!r}"
        )


def test_zh_cn_really_is_chinese() -> None:
    with (LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")

    def words(text: str) -> bool:
        bare = TAG.sub("", PLACEHOLDER.sub("", text))
        return re.search(r"[A-Za-z]{4,}", bare) is not None and "English" not in bare

    untranslated = [m.id for m in catalog if m.id and m.string == m.id and words(m.id)]
    assert not untranslated, f"copied, not translated: {untranslated}"


def test_catalogues_compile() -> None:
    folder = compiled_catalogue_dir()
    for locale in ("zh_CN", "en"):
        assert (folder / locale / "LC_MESSAGES" / "messages.mo").exists()
