"""The Bot API methods the fake answers (all but getUpdates and the webhook ones)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.support.fake_bot_api.chats import Chats
from tests.support.fake_bot_api.faults import FaultInjector
from tests.support.fake_bot_api.html import utf16_length, visible_text
from tests.support.fake_bot_api.protocol import (
    CHAT_ACTIONS,
    COMMAND_RE,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_SIZE,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    JSONDict,
    as_float,
    as_int,
    bad_request,
    scope_key,
)
from tests.support.fake_bot_api.records import CallRecord, StoredFile, UploadedFile


class BotMethods:
    """Validates each call like Telegram, then acts on ``chats``; faults gate the sends."""

    def __init__(self, chats: Chats, faults: FaultInjector) -> None:
        self._chats = chats
        self._faults = faults
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.handlers: dict[str, Callable[[CallRecord], Any]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendLocation": self._send_location,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
        }

    def commands_for(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """The commands set by setMyCommands for a scope (default scope when None)."""
        return self._commands.get((scope_key(scope), language_code))

    # --- sending --------------------------------------------------------------------------

    def _get_me(self, record: CallRecord) -> JSONDict:
        return dict(self._chats.bot_user(record.token))

    def _send_message(self, record: CallRecord) -> JSONDict:
        chat = _chat_param(record)
        text = _text_param(record)
        markup = _markup_param(record)
        self._faults.gate(record, chat)
        return self._chats.new_message(record.token, chat, {"text": text}, markup)

    def _send_photo(self, record: CallRecord) -> JSONDict:
        chat = _chat_param(record)
        source = self._media_param(record, "photo")
        caption = _caption_param(record)
        markup = _markup_param(record)
        self._faults.gate(record, chat)
        stored = self._chats.materialize(source, "photos", ".jpg")
        sizes = []
        for suffix, side in (("-s", 90), ("-m", 320), ("", 1280)):
            size = stored
            if suffix:
                size = StoredFile(
                    stored.file_id + suffix, stored.file_path + suffix, stored.content
                )
                self._chats.register_file(size)
            sizes.append(
                {
                    "file_id": size.file_id,
                    "file_unique_id": size.unique_id,
                    "width": side,
                    "height": side,
                    "file_size": len(size.content),
                }
            )
        return self._chats.new_message(record.token, chat, {"photo": sizes, **caption}, markup)

    def _send_document(self, record: CallRecord) -> JSONDict:
        chat = _chat_param(record)
        source = self._media_param(record, "document")
        caption = _caption_param(record)
        markup = _markup_param(record)
        self._faults.gate(record, chat)
        stored = self._chats.materialize(source, "documents", "")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_name": stored.file_name or stored.file_path.rsplit("/", 1)[-1],
            "mime_type": stored.mime_type or "application/octet-stream",
            "file_size": len(stored.content),
        }
        content = {"document": document, **caption}
        return self._chats.new_message(record.token, chat, content, markup)

    def _send_location(self, record: CallRecord) -> JSONDict:
        chat = _chat_param(record)
        latitude = as_float(record.params.get("latitude"))
        longitude = as_float(record.params.get("longitude"))
        if latitude is None or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude specified")
        if longitude is None or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude specified")
        markup = _markup_param(record)
        self._faults.gate(record, chat)
        location = {"latitude": latitude, "longitude": longitude}
        return self._chats.new_message(record.token, chat, {"location": location}, markup)

    # --- editing --------------------------------------------------------------------------

    def _edit_message_text(self, record: CallRecord) -> JSONDict | bool:
        text = _text_param(record)
        markup = _markup_param(record)
        if record.params.get("inline_message_id"):
            return True  # inline messages are not tracked; Telegram answers True for them
        chat, old = self._editable_message(record)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        # Without reply_markup an edit removes the inline keyboard, as on Telegram.
        if old["text"] == text and old.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        self._faults.gate(record, chat)
        return self._chats.replace_message(chat, old, {"text": text}, markup)

    def _edit_message_reply_markup(self, record: CallRecord) -> JSONDict | bool:
        markup = _markup_param(record)
        if record.params.get("inline_message_id"):
            return True
        chat, old = self._editable_message(record)
        if old.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        self._faults.gate(record, chat)
        return self._chats.replace_message(chat, old, {}, markup)

    def _delete_message(self, record: CallRecord) -> bool:
        chat = _chat_param(record)
        message_id = _message_id_param(record)
        if (chat, message_id) not in self._chats.messages:
            raise bad_request("message to delete not found")
        self._faults.gate(record, chat)
        del self._chats.messages[chat, message_id]
        return True

    def _editable_message(self, record: CallRecord) -> tuple[int, JSONDict]:
        chat = _chat_param(record)
        old = self._chats.messages.get((chat, _message_id_param(record)))
        if old is None:
            raise bad_request("message to edit not found")
        if old.get("from", {}).get("id") != self._chats.bot_user(record.token)["id"]:
            raise bad_request("message can't be edited")
        return chat, old

    # --- the rest -------------------------------------------------------------------------

    def _answer_callback_query(self, record: CallRecord) -> bool:
        query_id = record.params.get("callback_query_id")
        if not query_id or str(query_id) not in self._chats.callback_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if utf16_length(str(record.params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        return True

    def _send_chat_action(self, record: CallRecord) -> bool:
        chat = _chat_param(record)
        if record.params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._faults.gate(record, chat)
        return True

    def _set_my_commands(self, record: CallRecord) -> bool:
        commands = record.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            if not str(command.get("description", "")).strip():
                raise bad_request("command description is empty")
        self._commands[_commands_key(record)] = commands
        return True

    def _get_my_commands(self, record: CallRecord) -> list[JSONDict]:
        return self._commands.get(_commands_key(record), [])

    def _delete_my_commands(self, record: CallRecord) -> bool:
        self._commands.pop(_commands_key(record), None)
        return True

    def _get_file(self, record: CallRecord) -> JSONDict:
        stored = self._chats.files.get(str(record.params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _media_param(self, record: CallRecord, name: str) -> UploadedFile | StoredFile | str:
        upload = record.files.get(name)
        if upload is not None:
            return upload
        value = record.params.get(name)
        if not value:
            raise bad_request(f"there is no {name} in the request")
        value = str(value)
        stored = self._chats.files.get(value)
        if stored is not None:
            return stored
        if value.startswith(("http://", "https://")):
            return value
        raise bad_request("wrong file identifier/HTTP URL specified")


# --- parameters -----------------------------------------------------------------------------


def _commands_key(record: CallRecord) -> tuple[str, str]:
    return (
        scope_key(record.params.get("scope")),
        str(record.params.get("language_code") or ""),
    )


def _chat_param(record: CallRecord) -> int:
    value = record.params.get("chat_id")
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    chat = as_int(value)
    if not chat:  # "@username", garbage or 0: no such chat for this fake
        raise bad_request("chat not found")
    return chat


def _message_id_param(record: CallRecord) -> int:
    message_id = as_int(record.params.get("message_id"))
    if message_id is None:
        raise bad_request("message identifier is not specified")
    return message_id


def _text_param(record: CallRecord) -> str:
    raw = record.params.get("text")
    text = visible_text("" if raw is None else str(raw), record.params.get("parse_mode"))
    if not text.strip():
        raise bad_request("message text is empty")
    if utf16_length(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text


def _caption_param(record: CallRecord) -> JSONDict:
    raw = record.params.get("caption")
    if raw is None:
        return {}
    caption = visible_text(str(raw), record.params.get("parse_mode"))
    if utf16_length(caption) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return {"caption": caption} if caption else {}


def _markup_param(record: CallRecord) -> JSONDict | None:
    markup = record.params.get("reply_markup")
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        # Reply keyboards and keyboard removal are not part of the sent Message.
        return None
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    return markup
