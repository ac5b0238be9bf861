"""Residents' cases.

Intake, the staff workflow (accept, assign, answer, decide), assignees' work and triage;
every status change of a case is a row of :mod:`services.cases.transitions`.
"""
