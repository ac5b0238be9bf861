"""Staff reports.

Counts of cases, answer times, ratings and the quarter's minimums, and the reports built
from them for the chat and the CLI alike: text summaries, PNG charts, XLSX workbooks.
"""
