"""Channels: each turns what arrives into aiogram Updates and renders the Bot API calls back."""
