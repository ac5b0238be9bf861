"""People of the fake WeCom: they type, send photos and click cards, as WeCom posts them.

Each message or click becomes WeCom's XML, encrypted with the app's Token and AES key the
way WeCom encrypts callbacks (``wechatpy.enterprise.crypto``), and is POSTed to the bot's
callback URL.
"""

from __future__ import annotations

import itertools
import secrets
from typing import Any
from xml.sax.saxutils import escape

import aiohttp
import xmltodict
from wechatpy.enterprise.crypto import WeChatCrypto

from fakes.wecom import FakeWeCom, Sent

_MSG_IDS = itertools.count(7_100_000_000_000_000_000)


class WeComPeople:
    """Posts what people do in the app to the bot's callback URL."""

    def __init__(
        self, fake: FakeWeCom, *, url: str, token: str, aes_key: str, agent_id: int = 1000002
    ) -> None:
        self.fake = fake
        self.url = url
        self.agent_id = agent_id
        self.crypto = WeChatCrypto(token, aes_key, fake.corp_id)

    def _xml(self, userid: str, fields: dict[str, Any]) -> str:
        now = int(self.fake.now().timestamp())
        body = {
            "ToUserName": self.fake.corp_id,
            "FromUserName": userid,
            "CreateTime": now,
            "AgentID": self.agent_id,
            **fields,
        }
        inner = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in body.items())
        return f"<xml>{inner}</xml>"

    async def post_xml(self, xml: str, *, signature: str | None = None, plain: bool = False) -> int:
        """POST a callback body (encrypted unless ``plain``); the HTTP status."""
        nonce = secrets.token_hex(8)
        timestamp = str(int(self.fake.now().timestamp()))
        if plain:
            payload, params = xml, {"msg_signature": signature or "", "timestamp": timestamp}
        else:
            encrypted = self.crypto.encrypt_message(xml, nonce, timestamp)
            fields = _fields(encrypted)
            payload = (
                f"<xml><ToUserName>{self.fake.corp_id}</ToUserName>"
                f"<AgentID>{self.agent_id}</AgentID>"
                f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
            )
            params = {
                "msg_signature": signature or fields["MsgSignature"],
                "timestamp": fields["TimeStamp"],
            }
        params["nonce"] = nonce
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, params=params, data=payload.encode()) as response,
        ):
            await response.read()
            return response.status

    def message_xml(
        self, userid: str, msgtype: str, msg_id: int | None = None, **fields: Any
    ) -> str:
        """The XML of a message ``userid`` sends."""
        return self._xml(userid, {"MsgType": msgtype, **fields, "MsgId": msg_id or next(_MSG_IDS)})

    async def text(self, userid: str, content: str, *, msg_id: int | None = None) -> int:
        """``userid`` types ``content``."""
        return await self.post_xml(self.message_xml(userid, "text", msg_id, Content=content))

    async def image(self, userid: str, data: bytes) -> int:
        """``userid`` sends a photo."""
        media_id = self.fake.add_media(data)
        xml = self.message_xml(userid, "image", None, PicUrl="http://p/x.jpg", MediaId=media_id)
        return await self.post_xml(xml)

    async def file(self, userid: str, data: bytes, name: str) -> int:
        """``userid`` sends a file."""
        media_id = self.fake.add_media(data)
        return await self.post_xml(
            self.message_xml(userid, "file", None, MediaId=media_id, FileName=name)
        )

    async def location(self, userid: str, latitude: float, longitude: float) -> int:
        """``userid`` shares a place."""
        xml = self.message_xml(
            userid,
            "location",
            None,
            Location_X=latitude,
            Location_Y=longitude,
            Scale=15,
            Label="here",
        )
        return await self.post_xml(xml)

    async def voice(self, userid: str) -> int:
        """``userid`` sends a voice note."""
        media_id = self.fake.add_media(b"AMR")
        xml = self.message_xml(userid, "voice", None, MediaId=media_id, Format="amr")
        return await self.post_xml(xml)

    async def video(self, userid: str) -> int:
        """``userid`` sends a video."""
        media_id = self.fake.add_media(b"MP4")
        xml = self.message_xml(userid, "video", None, MediaId=media_id, ThumbMediaId=media_id)
        return await self.post_xml(xml)

    async def click(self, userid: str, card: Sent, label: str) -> int:
        """``userid`` clicks the button of ``card`` whose label holds ``label``."""
        keys = [key for text, key in card.buttons if label in text]
        if not keys:
            raise AssertionError(f"no {label!r} button on {card.buttons}")
        return await self.click_key(userid, keys[0], card.body["template_card"]["task_id"])

    async def click_key(self, userid: str, key: str, task_id: str) -> int:
        """``userid`` clicks a card button with ``key`` (forged or real)."""
        xml = self._xml(
            userid,
            {
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": key,
                "TaskId": task_id,
                "CardType": "button_interaction",
                "ResponseCode": self.fake.issue_code(task_id),
            },
        )
        return await self.post_xml(xml)


def _fields(xml: str) -> dict[str, str]:
    return {key: str(value) for key, value in xmltodict.parse(xml)["xml"].items()}
