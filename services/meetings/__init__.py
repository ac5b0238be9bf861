"""Meetings: invitations, answers and leave, check-in, attendance, and the materials handed out."""
