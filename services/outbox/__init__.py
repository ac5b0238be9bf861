"""The outbox: every push queued once by dedupe key, claimed by a sender, its result recorded."""
