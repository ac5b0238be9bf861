"""Notices the bot pushes on its own, one module per subject."""
