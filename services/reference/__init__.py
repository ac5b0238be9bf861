"""Reference data: liaison stations, sectors, special committees and issue categories."""
