"""Staff reports.

Counts of cases, answer times, ratings, the quarter's minimums, and their charts.
"""
