"""Domain errors: a stable code for the chat layer to translate, and the values it needs."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule was broken; ``code`` names which, ``params`` carry the numbers for the message."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotFoundError(DomainError):
    """The thing does not exist, or is not the caller's to see."""

    def __init__(self, what: str) -> None:
        super().__init__("not_found", what=what)
