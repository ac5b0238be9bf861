"""Reports rendered for people: chat text and spreadsheets, in the reader's language."""
