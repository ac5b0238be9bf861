"""How the web chat serves a file: its type, by name, and whether the browser shows or saves it.

A file keeps the name it was sent or uploaded with; the browser gets that name back in a
``Content-Disposition`` header (RFC 6266, with an RFC 5987 ``filename*`` for names that are
not ASCII) and a ``Content-Type`` chosen from the name's extension. Only what a browser shows
safely is served inline: pictures that decode as what their name says, PDFs that are PDFs, and
plain text. Everything else, HTML and SVG above all, is a download.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

OCTET_STREAM = "application/octet-stream"
MAX_NAME = 100
MAX_SUFFIX = 16
# A fixed table rather than the ``mimetypes`` module: that one reads the machine's own
# mime.types, so the same file would be served differently from one server to the next.
TYPES_BY_SUFFIX = {
    ".7z": "application/x-7z-compressed",
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".gif": "image/gif",
    ".gz": "application/gzip",
    ".htm": "text/html",
    ".html": "text/html",
    ".ics": "text/calendar",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".json": "application/json",
    ".md": "text/markdown",
    ".mp3": "audio/mpeg",
    ".mp4": "video/mp4",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".rar": "application/vnd.rar",
    ".rtf": "application/rtf",
    ".svg": "image/svg+xml",
    ".txt": "text/plain",
    ".webp": "image/webp",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
    ".zip": "application/zip",
}
# Text types whose bytes are labelled UTF-8 when they decode as UTF-8; left unlabelled
# otherwise (an office's GBK text file), so that the browser or the program guesses.
TEXT_TYPES = frozenset({"text/plain", "text/csv", "text/calendar", "text/markdown"})
PICTURES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# The characters of an RFC 5987 value besides letters, digits and "_.-~" (which quote keeps).
ATTR_CHARS = "!#$&+^`|"
UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
ASCII_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9._()+ -]+")
PLAIN_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,15}$")


@dataclass(frozen=True)
class Download:
    """The headers that tell a browser what a file is and what to call it."""

    content_type: str
    disposition: str
    inline: bool


def clean_name(name: str, fallback: str = "file") -> str:
    """A file name fit to store and serve.

    No folders, no control characters, at most ``MAX_NAME`` characters with its extension kept.
    """
    base = UNSAFE_IN_NAME.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    if not base:
        return fallback
    if len(base) <= MAX_NAME:
        return base
    suffix = PurePosixPath(base).suffix
    if len(suffix) > MAX_SUFFIX:
        suffix = ""
    return base[: MAX_NAME - len(suffix)].rstrip(" .") + suffix


def type_by_name(name: str) -> str:
    """The MIME type a file's extension stands for; ``application/octet-stream`` if unknown."""
    return TYPES_BY_SUFFIX.get(PurePosixPath(name).suffix.lower(), OCTET_STREAM)


def _ascii_fallback(name: str) -> str:
    """The name in plain ASCII for clients that read only ``filename=``.

    A name all in Chinese becomes "file.xlsx", so that at least the extension survives.
    """
    suffix = PurePosixPath(name).suffix
    if not PLAIN_SUFFIX.match(suffix):
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    flat = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    flat = ASCII_FALLBACK_UNSAFE.sub("_", flat).strip(" ._")
    return (flat or "file") + suffix


def content_disposition(name: str, *, inline: bool) -> str:
    """``Content-Disposition`` for a file: RFC 6266, with ``filename*`` for any name."""
    kind = "inline" if inline else "attachment"
    encoded = quote(name, safe=ATTR_CHARS)
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"


def download(name: str, *, sniffed: str, data_head: bytes = b"") -> Download:
    """How to serve a file called ``name`` whose content was sniffed as ``sniffed``.

    The extension picks the type. A picture is shown only when its content decoded as that
    same picture type, a PDF only when it starts like one; plain text is always shown (with
    ``nosniff`` the browser never reads it as anything else). ``data_head`` is the start of
    the file, to tell whether a text type may be labelled UTF-8.
    """
    content_type = type_by_name(name)
    if content_type == OCTET_STREAM:
        # No known extension: a picture or PDF is still what its content proved it to be.
        content_type = sniffed
    if content_type in PICTURES:
        inline = sniffed == content_type
    elif content_type == "application/pdf":
        inline = sniffed == "application/pdf"
    else:
        inline = content_type == "text/plain"
    served = content_type
    if content_type in TEXT_TYPES and _utf8(data_head):
        served = f"{content_type}; charset=utf-8"
    return Download(served, content_disposition(name, inline=inline), inline)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end in the middle of a character; only an error before that counts.
        return error.start >= len(data) - 3 and error.reason == "unexpected end of data"
    return True
