"""Consultation outcomes (协商成果): forming them, the six stages of each suggestion, the views.

This package owns how an outcome is formed from a consultation meeting, a research report or
an accepted social-conditions report; the stage machine its suggestions move through (formed,
submitted, reviewed, assigned, handled, fed back) with an administrator's undo; the feedback
to the members who took part and to the residents whose cases fed it; the residents' rating
of how it ended; and the administrators' views of a year, an outcome and a long-running topic.
Departments' answers (which make the "handled" move) live with the departments' handling.
"""
