"""Hotspots: the 12345 hotline's records and the monthly groups of reports about one problem.

The hotline's exports are imported (``hotline_import``); each month the cases and hotline
records about the same problem in the same area are grouped (``engine``, ``grouping``); staff
read them (``staff_view``) and turn one into a topic.
"""
