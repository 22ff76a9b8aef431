"""What both chat renderers share: where long text may be split, and how a list is cut short."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# Where a long text may be split, best first: paragraph, line, sentence, word.
PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
LINES = re.compile(r"\n\s*")
SENTENCES = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
WORDS = re.compile(r"\s+")
BOUNDARIES = (PARAGRAPHS, LINES, SENTENCES, WORDS)


def lines_within(
    lines: Sequence[str], budget: int, size: Callable[[str], int], more: str
) -> list[str]:
    """The lines while they fit `budget` in all (the first always), then `more` formatted with
    how many were left out."""
    kept: list[str] = []
    used = 0
    for shown, line in enumerate(lines):
        length = size(line)
        if shown and used + length > budget:
            kept.append(more.format(count=len(lines) - shown))
            break
        kept.append(line)
        used += length
    return kept
