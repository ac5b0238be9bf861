"""A signal that wakes every waiter: the fakes' own, shared by the fake Telegram server."""

from __future__ import annotations

from fakes.wecom_waiting import Signal

__all__ = ["Signal"]
