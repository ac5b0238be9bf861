"""Members and their duties.

Profiles, the roster, liaison activities, the year's rules and progress against them.
"""
