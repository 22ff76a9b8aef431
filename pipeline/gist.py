"""A paper in one line: the first sentence of its analysis's summary, else of its abstract.

The day's parent message lists every paper with such a line, so a reader can tell at a glance
which replies to open. A sentence ends at `.`, `!` or `?` followed by a space and something that
is not a lower-case letter ("e.g. the" goes on), or at a Chinese `。！？`.
"""

from __future__ import annotations

import re

from pipeline.report import PaperEntry

GIST_LIMIT = 140
ELLIPSIS = "…"

_SENTENCE_END = re.compile(r"[.!?](?=\s+[^\sa-z])|[。！？]")


def gist(entry: PaperEntry, limit: int = GIST_LIMIT) -> str:
    """The entry's line: from its analysis when it has a summary, else from its abstract."""
    analysis = entry.analysis
    source = analysis.summary if analysis is not None and analysis.summary.strip() else ""
    return first_sentence(source or entry.paper.abstract, limit)


def first_sentence(text: str, limit: int = GIST_LIMIT) -> str:
    """`text`'s first sentence on one line, clipped to `limit` characters at a word."""
    flat = " ".join(text.split())
    end = _SENTENCE_END.search(flat)
    sentence = flat[: end.end()] if end is not None else flat
    return clip_words(sentence, limit)


def clip_words(text: str, limit: int) -> str:
    """`text`, or as much of it as fits before a "…", cut between words where it has spaces.

    A run without spaces (Chinese) is cut between characters; the "…" says it was cut.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    room = limit - len(ELLIPSIS)
    space = text.rfind(" ", 0, room + 1)
    cut = space if space > room // 2 else room
    return text[:cut].rstrip(" ,;:—-") + ELLIPSIS
