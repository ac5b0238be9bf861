"""Consultations people can join: guests, preparation, proceedings and the outcome they form.

This package owns a consultation meeting's guests (department heads, experts and sector
representatives invited by a link, scoped to that meeting), its preparation (several
materials, the research stage, comments on the draft report), its proceedings (booked
speeches, remote written remarks, the steps opinions → discussion → revision → confirmation)
and forming an outcome from its confirmed suggestions in one step.
"""
