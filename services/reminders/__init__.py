"""Reminders.

Which are due now and queuing them: meetings, residents' cases, members' duties and
the yearly campaign months.
"""
