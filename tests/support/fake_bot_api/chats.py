"""What the fake remembers of the conversation: chats, messages (edits applied), files."""

from __future__ import annotations

import itertools
import mimetypes
import time
from typing import Any

from tests.support.fake_bot_api.protocol import TOKEN_RE, JSONDict, as_int
from tests.support.fake_bot_api.records import StoredFile, UploadedFile


class Chats:
    """Chats, their messages and the files they carry, shared by the methods and the users."""

    def __init__(self, *, bot_first_name: str, bot_username: str) -> None:
        self._bot_first_name = bot_first_name
        self._bot_username = bot_username
        self._bot_users: dict[str, JSONDict] = {}
        self.last_token: str | None = None
        self._chats: dict[int, JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self.messages: dict[tuple[int, int], JSONDict] = {}
        self.sent: dict[int, list[JSONDict]] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._file_numbers = itertools.count(1)
        self.callback_queries: set[str] = set()

    # --- identities -----------------------------------------------------------------------

    def bot_user(self, token: str | None) -> JSONDict:
        """The bot's User object for a token: its id is the token's number."""
        key = token or ""
        user = self._bot_users.get(key)
        if user is None:
            match = TOKEN_RE.fullmatch(key)
            user = {
                "id": int(match.group(1)) if match else 1,
                "is_bot": True,
                "first_name": self._bot_first_name,
                "username": self._bot_username,
            }
            self._bot_users[key] = user
        return user

    def chat_object(self, chat: int) -> JSONDict:
        """The Chat object: as seen in an update, else made up from the id's sign and size."""
        known = self._chats.get(chat)
        if known is not None:
            return known
        if chat > 0:
            return {"id": chat, "type": "private"}
        if chat <= -1_000_000_000_000:
            return {"id": chat, "type": "supergroup", "title": "Test supergroup"}
        return {"id": chat, "type": "group", "title": "Test group"}

    # --- messages -------------------------------------------------------------------------

    def allocate_message_id(self, chat: int) -> int:
        """The next message id of a chat; users' and the bot's messages share the sequence."""
        message_id = self._last_message_id.get(chat, 0) + 1
        self._last_message_id[chat] = message_id
        return message_id

    def remember(self, chat: int, message_id: int, message: JSONDict) -> None:
        """Keep a message for later edits, deletes and callbacks."""
        self.messages[chat, message_id] = message
        self._last_message_id[chat] = max(self._last_message_id.get(chat, 0), message_id)

    def new_message(
        self, token: str, chat: int, content: JSONDict, markup: JSONDict | None
    ) -> JSONDict:
        """A message the bot sent: remembered and listed in ``sent``."""
        message: JSONDict = {
            "message_id": self.allocate_message_id(chat),
            "from": self.bot_user(token),
            "chat": self.chat_object(chat),
            "date": int(time.time()),
            **content,
        }
        if markup is not None:
            message["reply_markup"] = markup
        self.messages[chat, message["message_id"]] = message
        self.sent.setdefault(chat, []).append(message)
        return message

    def replace_message(
        self, chat: int, old: JSONDict, content: JSONDict, markup: JSONDict | None
    ) -> JSONDict:
        """An edited message; the old dict is left alone, so ``sent`` keeps what was sent."""
        message = {key: value for key, value in old.items() if key != "reply_markup"}
        message.update(content)
        message["edit_date"] = int(time.time())
        if markup is not None:
            message["reply_markup"] = markup
        self.messages[chat, message["message_id"]] = message
        return message

    # --- learning from updates ------------------------------------------------------------

    def learn(self, update: JSONDict) -> None:
        """Know the chats, messages, callback queries and file ids an update carries."""
        for key in ("message", "edited_message", "channel_post", "business_message"):
            message = update.get(key)
            if isinstance(message, dict):
                self._learn_message(message)
        callback = update.get("callback_query")
        if isinstance(callback, dict) and "id" in callback:
            self.callback_queries.add(str(callback["id"]))
        self._learn_file_ids(update)

    def _learn_message(self, message: JSONDict) -> None:
        chat = message.get("chat")
        if not isinstance(chat, dict):
            return
        chat_id = as_int(chat.get("id"))
        if chat_id is None:
            return
        self._chats[chat_id] = chat
        message_id = as_int(message.get("message_id"))
        if message_id is not None:
            self.remember(chat_id, message_id, message)

    def _learn_file_ids(self, update: JSONDict) -> None:
        # A file a user sent can be re-sent or fetched by its file_id, as on Telegram; its
        # bytes are empty unless the test registered them with add_file.
        stack: list[Any] = [update]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                file_id = item.get("file_id")
                if isinstance(file_id, str) and file_id not in self.files:
                    path = f"learned/file_{next(self._file_numbers)}"
                    self.register_file(StoredFile(file_id, path, b""))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    # --- files ----------------------------------------------------------------------------

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> str:
        """Register a file for getFile and download; returns its ``file_path``."""
        number = next(self._file_numbers)
        path = file_path or f"documents/file_{number}"
        name = path.rsplit("/", 1)[-1]
        self.register_file(StoredFile(file_id, path, content, name, mimetypes.guess_type(name)[0]))
        return path

    def register_file(self, stored: StoredFile) -> None:
        """Serve a file by id and by path; a new file under a known id replaces the old."""
        previous = self.files.get(stored.file_id)
        if previous is not None:
            self.files_by_path.pop(previous.file_path, None)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored

    def materialize(
        self, source: UploadedFile | StoredFile | str, folder: str, extension: str
    ) -> StoredFile:
        """The stored file a send refers to: an upload or a URL becomes a new file."""
        if isinstance(source, StoredFile):
            return source
        number = next(self._file_numbers)
        if isinstance(source, UploadedFile):
            name = source.filename or f"file_{number}{extension}"
            guessed = mimetypes.guess_type(name)[0]
            mime = guessed or source.content_type or "application/octet-stream"
            content = source.data
        else:
            name, mime, content = source.rsplit("/", 1)[-1], None, b""
        stored = StoredFile(
            f"fake-{folder}-{number}", f"{folder}/file_{number}{extension}", content, name, mime
        )
        self.register_file(stored)
        return stored
