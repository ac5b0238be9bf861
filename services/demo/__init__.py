"""The demo.

Its reference and sample data, sample cases, and the guard that keeps it off real databases.
"""
