"""Staff reports.

Counts of cases, answer times, ratings, the quarter's minimums and the campaigns, and the
reports built from them for the chat and the CLI alike: text summaries, PNG charts, XLSX
workbooks.
"""
