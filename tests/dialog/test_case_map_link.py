"""Staff see a case's place as a map link a phone opens."""

from __future__ import annotations

import html

from aiogram import Bot, Dispatcher

from handlers.callbacks import StaffIssueCB
from services.reference.maps import AMAP_MARKER, map_link
from storage.db import Database
from tests.dialog.test_scope_refusals import open_case
from tests.support.cases import staff_desk
from tests.support.chat import ChatUser

OFFICE_CHAT = 8_260_001


async def test_the_staff_card_links_the_place_on_the_map(
    roster: Database, dispatcher: Dispatcher, bot: Bot
) -> None:
    await staff_desk(roster, name="王芳", chat_id=OFFICE_CHAT)
    office = ChatUser(dispatcher, bot, user_id=OFFICE_CHAT)
    located = await open_case(roster, chat_id=601, station="jf-beian", with_media=True)
    sent = await office.press(StaffIssueCB(action="view", id=located).pack())
    card = office.texts(sent)[0]
    link = "https://uri.amap.com/marker?position=116.400000,39.930000&coordinate=gaode&callnative=1"
    assert link == map_link(AMAP_MARKER, 39.93, 116.40)
    assert f'Location: <a href="{html.escape(link, quote=True)}">39.93000, 116.40000</a>' in card
    unplaced = await open_case(roster, chat_id=602, station="jf-beian")
    sent = await office.press(StaffIssueCB(action="view", id=unplaced).pack())
    assert "Location:" not in office.texts(sent)[0]


def test_a_map_template_for_elsewhere() -> None:
    osm = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    assert map_link(osm, 52.52, 13.405) == (
        "https://www.openstreetmap.org/?mlat=52.520000&mlon=13.405000#map=17/52.520000/13.405000"
    )
