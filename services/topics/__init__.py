"""Consultation topics (协商议题): where they come from, the shortlist and the year's plan.

This package owns topics suggested by residents at stations, by members and by staff (from a
hotspot, the hotline, a proposal, a social-conditions report, a plenary speech or a
government request), the links to what each came from, and the year's consultation plan.
"""
