"""Suggestions as people type them: one message with numbered lines is several items."""

from __future__ import annotations

import re

# "1." "2、" "（3）" "一、" "(四)" at the start of a line begins an item.
ITEM_START = re.compile(
    r"^\s*(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[.、．)）:：])\s*"
)


def split_numbered(text: str) -> list[str]:
    """One message as items: split at numbered lines, or the whole text as one item.

    A line that does not start a new number continues the item above it.
    """
    text = text.strip()
    lines = text.splitlines()
    if sum(1 for line in lines if ITEM_START.match(line)) < 2:
        # A single number is part of the sentence ("1. Build more…"), not a list.
        return [text] if text else []
    items: list[list[str]] = []
    for line in lines:
        found = ITEM_START.match(line)
        if found is not None:
            items.append([line[found.end() :].strip()])
        elif items:
            items[-1].append(line.strip())
        else:
            items.append([line.strip()])
    joined = ("\n".join(part for part in item if part).strip() for item in items)
    return [item for item in joined if item]
