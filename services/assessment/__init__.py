"""Duty assessment (履职考核).

The yearly ledger of points, groups and rankings, the excellent lists, members' corrections,
and the performance archive (履职档案) that feeds it.
"""
