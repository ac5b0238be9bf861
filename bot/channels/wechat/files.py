"""Documents on the service account: WeChat has no file message, so a file is a signed link.

The bytes are kept under ``data_dir`` and served by the bot's own web server; the link names
the file by a random token and carries its expiry and an HMAC of both, so it cannot be
guessed, altered or used after it lapsed. An expired file is deleted the next time a file is
kept, so a resident's data export does not outlive its link by long.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import mimetypes
import re
import secrets
import shutil
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.channels.wechat.render import LINK_HOURS
from services.clock import Clock

log = logging.getLogger(__name__)

FILES_PATH = "/wechat/files"
LINK_LIFETIME = dt.timedelta(hours=LINK_HOURS)
# A file name as the link shows it: no path, nothing a shell or a header would read.
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def safe_name(name: str) -> str:
    """A file name that is one path segment of plain characters."""
    cleaned = _UNSAFE_NAME.sub("_", name.rsplit("/", 1)[-1]).strip("._")
    return cleaned[:100] or "file"


class SignedFiles:
    """Keeps files and serves them by signed, expiring links."""

    def __init__(self, root: Path, base_url: str, key: bytes, clock: Clock) -> None:
        self.root = root
        self.base_url = base_url.rstrip("/")
        # Derived, so the key that signs links is never the secret itself.
        self.key = hashlib.sha256(b"liaison wechat files\x00" + key).digest()
        self.clock = clock

    def _signature(self, token: str, name: str, expires: int) -> str:
        message = f"{token}/{name}/{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    async def keep(self, data: bytes, name: str) -> tuple[str, dt.datetime]:
        """Store ``data``; the link to it and when the link lapses."""
        token = secrets.token_urlsafe(18)
        name = safe_name(name)
        now = self.clock.now()
        expires = now + LINK_LIFETIME
        await asyncio.to_thread(self._write, token, name, data, now)
        stamp = int(expires.timestamp())
        query = f"expires={stamp}&sig={self._signature(token, name, stamp)}"
        return f"{self.base_url}{FILES_PATH}/{token}/{quote(name)}?{query}", expires

    def _write(self, token: str, name: str, data: bytes, now: dt.datetime) -> None:
        self._prune(now)
        folder = self.root / token
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)

    def _prune(self, now: dt.datetime) -> None:
        """Delete the files whose links have lapsed (by the time they were written)."""
        if not self.root.is_dir():
            return
        oldest = (now - LINK_LIFETIME).timestamp()
        for folder in self.root.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < oldest:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError as error:
                log.info("wechat file %s not pruned: %s", folder.name, error)

    def add_routes(self, app: web.Application) -> None:
        """Serve the files on the shared web server."""
        app.router.add_get(FILES_PATH + "/{token}/{name}", self.serve)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """The file, if the link is ours (403 otherwise) and has not lapsed (410)."""
        token, name = request.match_info["token"], request.match_info["name"]
        try:
            expires = int(request.query.get("expires", ""))
        except ValueError:
            return web.Response(status=403, text="not a valid link")
        signature = request.query.get("sig", "")
        expected = self._signature(token, name, expires)
        if not _TOKEN.match(token) or not hmac.compare_digest(signature, expected):
            return web.Response(status=403, text="not a valid link")
        if self.clock.now().timestamp() >= expires:
            return web.Response(status=410, text="this link has expired")
        path = self.root / token / safe_name(name)
        if not path.is_file():
            return web.Response(status=410, text="this file is gone")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return web.Response(
            body=await asyncio.to_thread(path.read_bytes),
            content_type=kind,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
                "Cache-Control": "private, no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
