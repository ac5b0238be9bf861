"""Broadcasts: who a notice reaches, queuing it one row per chat, and following its progress."""
