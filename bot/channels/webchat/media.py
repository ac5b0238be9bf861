"""Files of the web chat: uploads from browsers and files the bot sends, on disk by content hash.

Who may see a file, and until when, is in the database (``services.chats.webchat_files``); this
module keeps the bytes and a small description next to them. The folder is private to the
bot (0700) and so is every file in it (0600): uploads and exports carry personal data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from bot.channels.webchat.downloads import clean_name
from services.cases.limits import PHOTO_MAX_BYTES, PHOTO_TYPES
from services.clock import Clock, SystemClock

FILE_ID_PREFIX = "web-"
MAX_UPLOAD_BYTES = PHOTO_MAX_BYTES
BLOB_NAME = re.compile(r"^[0-9a-f]{40}$")
# How long a signed file link works; a page reconnecting gets its history signed afresh.
LINK_TTL = dt.timedelta(hours=24)
LINK_ROUNDING = 3600


@dataclass(frozen=True)
class StoredFile:
    """A file the web chat knows, by its id."""

    file_id: str
    mime_type: str
    size: int
    name: str
    width: int = 0
    height: int = 0

    @property
    def is_photo(self) -> bool:
        """Whether the file is a picture a chat would show as a photo."""
        return self.mime_type in PHOTO_TYPES


# What Pillow's format names are served as; any other picture is kept as a plain file.
_IMAGE_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}
# A picture bigger than this is refused as one rather than decoded: a small file can
# unpack into gigabytes (a "decompression bomb").
MAX_IMAGE_PIXELS = 50_000_000


def _picture(data: bytes) -> tuple[str, int, int] | None:
    """MIME type, width and height of a JPEG, PNG, WebP or GIF that decodes; None otherwise.

    The whole image is decoded: a file that only starts like a picture (the magic bytes
    and then anything) is not one, whatever its first bytes claim.
    """
    try:
        with Image.open(io.BytesIO(data), formats=list(_IMAGE_FORMATS)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return None
            image.load()
            mime_type = _IMAGE_FORMATS[str(image.format)]
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        # OSError covers UnidentifiedImageError and truncated files; Pillow's parsers raise
        # SyntaxError and ValueError on some malformed headers; Pillow's own bomb warning
        # (far above our cap) is an error where warnings are errors, as in the tests.
        return None
    return mime_type, width, height


def sniff_type(data: bytes) -> str:
    """The MIME type by the file's content, whatever name or type the browser claimed."""
    picture = _picture(data)
    return picture[0] if picture is not None else _plain_type(data)


def _plain_type(data: bytes) -> str:
    # Pillow reads no PDF; its signature is all a browser needs to choose a viewer.
    return "application/pdf" if data.startswith(b"%PDF") else "application/octet-stream"


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a picture ``sniff_type`` knows; (0, 0) for anything else."""
    picture = _picture(data)
    return (picture[1], picture[2]) if picture is not None else (0, 0)


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only the bot may read, whole or not at all."""
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class MediaStore:
    """Content-addressed files under one folder; URLs are signed per chat."""

    def __init__(self, root: Path, secret: bytes) -> None:
        self.root = root
        self.secret = secret
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A folder made by an older version may be readable by others; it holds personal data.
        root.chmod(0o700)

    def _paths(self, file_id: str) -> tuple[Path, Path] | None:
        digest = file_id.removeprefix(FILE_ID_PREFIX)
        if not file_id.startswith(FILE_ID_PREFIX) or not digest.isalnum() or len(digest) != 40:
            return None
        return self.root / digest, self.root / f"{digest}.json"

    @staticmethod
    def describe(data: bytes, *, name: str = "file") -> StoredFile:
        """What the bytes are stored as, without storing them."""
        file_id = FILE_ID_PREFIX + hashlib.sha256(data).hexdigest()[:40]
        picture = _picture(data)
        if picture is not None:
            mime_type, width, height = picture
        else:
            mime_type, width, height = _plain_type(data), 0, 0
        return StoredFile(
            file_id=file_id,
            mime_type=mime_type,
            size=len(data),
            name=clean_name(name),
            width=width,
            height=height,
        )

    def write(self, data: bytes, stored: StoredFile) -> None:
        """Put described bytes on disk, once however often they are stored; blocking."""
        paths = self._paths(stored.file_id)
        assert paths is not None
        blob, meta = paths
        if not blob.exists():
            _write_private(blob, data)
        _write_private(meta, json.dumps(asdict(stored)).encode())

    def store(self, data: bytes, *, name: str = "file") -> StoredFile:
        """Describe the bytes and put them on disk; blocking."""
        stored = self.describe(data, name=name)
        self.write(data, stored)
        return stored

    def file_ids(self) -> Iterator[str]:
        """The ids of the files on disk."""
        with os.scandir(self.root) as entries:
            for entry in entries:
                if BLOB_NAME.match(entry.name) and entry.is_file():
                    yield FILE_ID_PREFIX + entry.name

    def get(self, file_id: str) -> StoredFile | None:
        """The description of a stored file, or None."""
        paths = self._paths(file_id)
        if paths is None or not paths[1].exists():
            return None
        return StoredFile(**json.loads(paths[1].read_text(encoding="utf-8")))

    def path(self, file_id: str) -> Path | None:
        """Where the bytes are, or None."""
        paths = self._paths(file_id)
        return paths[0] if paths is not None and paths[0].exists() else None

    def delete(self, file_id: str) -> bool:
        """Remove a file and its description from disk; whether it was there."""
        paths = self._paths(file_id)
        if paths is None or not (paths[0].exists() or paths[1].exists()):
            return False
        for path in paths:
            path.unlink(missing_ok=True)
        return True

    # The moment links are signed and checked at; the web chat sets its app clock here.
    clock: Clock = SystemClock()

    def _signature(self, file_id: str, chat_id: int, expires: int) -> str:
        message = f"{file_id}:{chat_id}:{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:32]

    def token(self, file_id: str, chat_id: int, *, now: dt.datetime | None = None) -> str:
        """A signature that lets one chat fetch one file until it expires: ``<expiry>-<sig>``.

        The expiry is rounded up to the next whole hour past ``LINK_TTL``, so a page that
        draws the same file twice within the hour gets the same URL (and the browser's cache).
        """
        moment = now or self.clock.now()
        earliest = int(moment.timestamp()) + int(LINK_TTL.total_seconds())
        expires = -(-earliest // LINK_ROUNDING) * LINK_ROUNDING
        return f"{expires}-{self._signature(file_id, chat_id, expires)}"

    def url(self, file_id: str, chat_id: int, *, now: dt.datetime | None = None) -> str:
        """The URL a chat's page uses to show a file, valid for about ``LINK_TTL``."""
        return f"/webchat/media/{file_id}?c={chat_id}&t={self.token(file_id, chat_id, now=now)}"

    def allowed(
        self, file_id: str, chat_id: int, token: str, *, now: dt.datetime | None = None
    ) -> bool:
        """Whether a URL's signature is valid and its expiry has not passed."""
        raw_expires, _, signature = token.partition("-")
        if not (raw_expires.isascii() and raw_expires.isdigit()) or len(raw_expires) > 12:
            return False
        expires = int(raw_expires)
        if expires <= (now or self.clock.now()).timestamp():
            return False
        return hmac.compare_digest(self._signature(file_id, chat_id, expires), signature)
