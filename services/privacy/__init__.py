"""A resident's own data (PIPL).

What is stored about them, erasing it, and redacting phone numbers.
"""
