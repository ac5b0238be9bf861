"""Residents' cases.

Intake, the staff workflow (accept, assign, answer, decide), assignees' work and triage.
"""
