"""Reminders.

Which are due now and queuing them: meetings, residents' cases and members' duties.
"""
