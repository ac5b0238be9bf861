"""What the bot keeps about chats themselves.

Processed update ids, and the web chat's files and history.
"""
