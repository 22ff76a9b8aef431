"""Fitting the day at a glance into one message, for both renderers.

The parent message is one message on either platform (it is edited in place at the end), so
its list of papers shares what the platform allows with the day's fields. A quiet day shows
each paper's title, keywords and gist in full; a busy one shortens them step by step, the gist
first, and only if even the shortest lines do not fit are the last papers counted instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.card import ListedPaper
from bot.rendering import lines_within


@dataclass(frozen=True, slots=True)
class Cut:
    """How long each part of a paper's line may be (in characters of plain text)."""

    title: int
    keywords: int
    gist: int  # 0: no gist


# From a quiet day to the busiest: the gist shortens first, and goes last. With 25 papers,
# Telegram's lines keep a gist of about 35 characters, Slack's (whose links count) about 60.
CUTS = (
    Cut(title=120, keywords=120, gist=140),
    Cut(title=100, keywords=80, gist=100),
    Cut(title=80, keywords=60, gist=80),
    Cut(title=70, keywords=40, gist=60),
    Cut(title=60, keywords=30, gist=45),
    Cut(title=50, keywords=24, gist=35),
    Cut(title=45, keywords=20, gist=25),
    Cut(title=45, keywords=24, gist=0),
)

Line = Callable[[ListedPaper, Cut], str]


def fit_lines(
    papers: Sequence[ListedPaper],
    budget: int,
    line: Line,
    size: Callable[[str], int],
    more: str,
    cuts: Sequence[Cut] = CUTS,
) -> list[str]:
    """The papers' lines at the most generous cut that fits `budget` in all (a line break
    counted after each); if none does, the tightest lines while they fit, then `more`
    formatted with how many were left out."""
    lines: list[str] = []
    for cut in cuts:
        lines = [line(paper, cut) for paper in papers]
        if sum(size(text) + 1 for text in lines) <= budget:
            return lines
    return lines_within(lines, budget, lambda text: size(text) + 1, more)
