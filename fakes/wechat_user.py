"""A person on the fake WeChat service account: callbacks signed and encrypted as WeChat does.

What the bot answers passively is recorded on the fake server (fakes/wechat_server.py) beside
its customer-service messages, so a test reads one list of what the person got.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
import time
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
import xmltodict
from wechatpy.crypto import WeChatCrypto

from fakes.wechat_server import FakeWeChat, Sent

# MsgIds are unique across all of WeChat: one counter for every simulated person.
_MSG_IDS = itertools.count(int(time.time() * 1000) * 1000 + secrets.randbelow(999))


class WeChatUser:
    """A person on the service account: their messages, signed (and encrypted) as WeChat does."""

    def __init__(
        self,
        fake: FakeWeChat,
        callback_url: str,
        *,
        token: str,
        openid: str,
        app_id: str = "wx-fake-app",
        aes_key: str | None = None,
        account: str = "gh_fake_account",
    ) -> None:
        self.fake = fake
        self.callback_url = callback_url
        self.token = token
        self.openid = openid
        self.account = account
        self.crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self._msg_ids = _MSG_IDS

    def message(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The fields of a message from this person (a new MsgId unless given)."""
        body: dict[str, Any] = {
            "ToUserName": self.account,
            "FromUserName": self.openid,
            "CreateTime": int(self.fake.now().timestamp()),
            "MsgType": kind,
        }
        if kind != "event":
            body["MsgId"] = fields.pop("MsgId", next(self._msg_ids))
        body.update(fields)
        return body

    async def post(self, body: dict[str, Any], *, signature: str | None = None) -> tuple[int, str]:
        """POST the callback as WeChat does; the status and the passive reply (decrypted)."""
        menu_tap = body.get("Event") == "CLICK"
        if body.get("Event") not in ("unsubscribe",):
            self.fake.inbound(self.openid, menu_tap=menu_tap)
        xml = (
            "<xml>"
            + "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in body.items())
            + "</xml>"
        )
        timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
        params = {"timestamp": timestamp, "nonce": nonce}
        params["signature"] = signature or _sign(self.token, timestamp, nonce)
        if self.crypto is not None:
            encrypted = self.crypto.encrypt_message(xml, nonce, timestamp)
            inner = xmltodict.parse(encrypted)["xml"]
            params["msg_signature"] = inner["MsgSignature"]
            params["encrypt_type"] = "aes"
            envelope = (
                f"<ToUserName>{self.account}</ToUserName><Encrypt>{inner['Encrypt']}</Encrypt>"
            )
            xml = f"<xml>{envelope}</xml>"
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.callback_url, params=params, data=xml.encode()) as response,
        ):
            status, text = response.status, await response.text()
        if status != 200 or text in ("", "success"):
            return status, text
        if self.crypto is not None:
            outer = xmltodict.parse(text)["xml"]
            text = self.crypto.decrypt_message(
                text, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
            )
        reply = xmltodict.parse(text)["xml"]
        if reply.get("MsgType") == "image":
            self.fake.record(
                Sent(self.openid, "image", media_id=reply["Image"]["MediaId"], passive=True)
            )
        else:
            self.fake.record(
                Sent(self.openid, "text", text=reply.get("Content") or "", passive=True)
            )
        return status, text

    async def say(self, text: str, **fields: Any) -> tuple[int, str]:
        """A text message."""
        return await self.post(self.message("text", Content=text, **fields))

    async def tap(self, sent: Sent, label: str) -> tuple[int, str]:
        """Tap the menu link ``label`` of a message received."""
        token = menu_token(sent.text, label)
        return await self.post(self.message("text", Content=label, bizmsgmenuid=token))

    async def photo(self, data: bytes) -> tuple[int, str]:
        """An image message (its bytes kept by the fake as temporary media)."""
        media_id = self.fake.add_media(data)
        return await self.post(self.message("image", PicUrl="http://x/p.jpg", MediaId=media_id))

    async def location(self, latitude: float, longitude: float) -> tuple[int, str]:
        """A location message."""
        return await self.post(
            self.message(
                "location", Location_X=latitude, Location_Y=longitude, Scale=15, Label="here"
            )
        )

    async def event(self, event: str, key: str = "") -> tuple[int, str]:
        """An event: subscribe, SCAN, CLICK, unsubscribe."""
        return await self.post(self.message("event", Event=event, EventKey=key))


def _sign(token: str, timestamp: str, nonce: str) -> str:
    # WeChat's own scheme: SHA-1 of the sorted token, timestamp and nonce.
    joined = "".join(sorted([token, timestamp, nonce])).encode()
    return hashlib.sha1(joined, usedforsecurity=False).hexdigest()


def menu_token(text: str, label: str) -> str:
    """The ``msgmenuid`` of the menu link labelled ``label`` in a text."""
    for match in re.finditer(r'msgmenucontent=([^&"]*)&msgmenuid=([^"]+)"', text):
        if label in match.group(1):
            return match.group(2)
    raise AssertionError(f"no menu link {label!r} in {text!r}")
