"""Files of the web chat: uploads from browsers and files the bot sends, on disk by content hash."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from dataclasses import asdict, dataclass
from pathlib import Path

from services.limits import PHOTO_MAX_BYTES, PHOTO_TYPES

FILE_ID_PREFIX = "web-"
MAX_UPLOAD_BYTES = PHOTO_MAX_BYTES


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


def sniff_type(data: bytes) -> str:
    """The MIME type by the file's first bytes, whatever name or type the browser claimed."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return "application/octet-stream"


def image_size(data: bytes, mime_type: str) -> tuple[int, int]:
    """Width and height of a JPEG, PNG or WebP; (0, 0) when the header cannot be read."""
    try:
        if mime_type == "image/png" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if mime_type == "image/jpeg":
            return _jpeg_size(data)
        if mime_type == "image/webp" and data[12:16] == b"VP8X" and len(data) >= 30:
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
    except (struct.error, IndexError):
        pass
    return 0, 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            index += 1
            continue
        marker = data[index + 1]
        length = int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
            height = int.from_bytes(data[index + 5 : index + 7], "big")
            width = int.from_bytes(data[index + 7 : index + 9], "big")
            return width, height
        index += 2 + length
    return 0, 0


class MediaStore:
    """Content-addressed files under one folder; URLs are signed per chat."""

    def __init__(self, root: Path, secret: bytes) -> None:
        self.root = root
        self.secret = secret
        root.mkdir(parents=True, exist_ok=True)

    def _paths(self, file_id: str) -> tuple[Path, Path] | None:
        digest = file_id.removeprefix(FILE_ID_PREFIX)
        if not file_id.startswith(FILE_ID_PREFIX) or not digest.isalnum() or len(digest) != 40:
            return None
        return self.root / digest, self.root / f"{digest}.json"

    def store(self, data: bytes, *, name: str = "file") -> StoredFile:
        """Keep the bytes (once, whatever how often they are stored) and describe them."""
        digest = hashlib.sha256(data).hexdigest()[:40]
        file_id = FILE_ID_PREFIX + digest
        mime_type = sniff_type(data)
        width, height = image_size(data, mime_type)
        stored = StoredFile(
            file_id=file_id,
            mime_type=mime_type,
            size=len(data),
            name=Path(name).name[:100] or "file",
            width=width,
            height=height,
        )
        paths = self._paths(file_id)
        assert paths is not None
        blob, meta = paths
        if not blob.exists():
            partial = blob.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(blob)
        meta.write_text(json.dumps(asdict(stored)), encoding="utf-8")
        return stored

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
        if paths is None or not paths[1].exists():
            return False
        for path in paths:
            path.unlink(missing_ok=True)
        return True

    def token(self, file_id: str, chat_id: int) -> str:
        """A signature that lets one chat fetch one file."""
        message = f"{file_id}:{chat_id}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:32]

    def url(self, file_id: str, chat_id: int) -> str:
        """The URL a chat's page uses to show a file."""
        return f"/webchat/media/{file_id}?c={chat_id}&t={self.token(file_id, chat_id)}"

    def allowed(self, file_id: str, chat_id: int, token: str) -> bool:
        """Whether a URL's signature is valid."""
        return hmac.compare_digest(self.token(file_id, chat_id), token)
