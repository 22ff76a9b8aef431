"""A paper's main text cut into passages small enough to rank and quote, each with the heading it
sits under and the page it starts on, so an answer can cite "§4.2, p. 6".

Plain text has no paragraph marks: a paragraph ends at a line that ends a sentence and stops
short of the paper's usual line width. Passages gather whole paragraphs up to `MAX_WORDS`, are cut
at sentence ends inside longer ones, and never run across a section or subsection heading.
"""

from __future__ import annotations

import re
import statistics
from bisect import bisect_right
from typing import NamedTuple

from domain.models import Passage
from pipeline.sections import Located
from pipeline.subsections import find_subheadings

MIN_WORDS = 60  # a shorter passage is only the end of a section (or all of a short one)
TARGET_WORDS = 150  # a paragraph end past this closes the passage
MAX_WORDS = 200  # never more: a sentence longer than this is cut between words

_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
_ENDS_SENTENCE = re.compile(r"[.!?][\"”’')\]]*$")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|al|cf|vs|resp|approx|Fig|Figs|Eq|Eqs|Sec|Secs|Tab|Ref|Refs|No|Dr|Mr"
    r"|Ms|St)|\b[A-Z])$"
)
_WRAPPED_HYPHEN = re.compile(r"[^\W\d_]-\Z")
_WORD = re.compile(r"\S+")


class _Piece(NamedTuple):
    text: str
    page: int
    words: int
    paragraph_end: bool
    next_paragraph: int  # words of the paragraph after this one's, when it ends one


def cut_passages(lines: list[str], pages: list[int], located: list[Located]) -> list[Passage]:
    """Passages of `located` (the kept sections); `pages[i]` is the 1-based page of `lines[i]`."""
    width = _line_width(lines)
    passages: list[Passage] = []
    for found in located:
        heading = "Abstract" if found.kind == "abstract" else found.section.heading
        start, name = found.body.start, heading
        for sub in find_subheadings(lines, heading, found.body):
            passages += _pack(_pieces(lines, pages, range(start, sub.start), width), name)
            start, name = sub.end, sub.label
        passages += _pack(_pieces(lines, pages, range(start, found.body.stop), width), name)
    return passages


def _line_width(lines: list[str]) -> int:
    """The paper's usual length of a full line of prose (columns make it shorter)."""
    full = [len(line) for line in lines if len(line) >= 25]
    return int(statistics.median(full)) if full else 80


def _paragraphs(lines: list[str], span: range, width: int) -> list[list[int]]:
    """The indexes of the lines of each paragraph in `span`."""
    paragraphs: list[list[int]] = []
    current: list[int] = []
    for i in span:
        line = lines[i]
        if line:
            current.append(i)
        if current and (not line or (_ENDS_SENTENCE.search(line) and len(line) < 0.85 * width)):
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _pieces(lines: list[str], pages: list[int], span: range, width: int) -> list[_Piece]:
    """The sentences of `span` (a long one in `MAX_WORDS` parts) with the page each starts on."""
    paragraphs = _paragraphs(lines, span, width)
    sizes = [sum(len(lines[i].split()) for i in paragraph) for paragraph in paragraphs]
    pieces: list[_Piece] = []
    for number, paragraph in enumerate(paragraphs):
        text, offsets = _join(lines, paragraph)
        starts = [0] + [
            m.end()
            for m in _SENTENCE_END.finditer(text)
            if not _ABBREVIATION.search(text, max(0, m.start() - 8), m.start())
        ]
        for first, begin in enumerate(starts):
            end = starts[first + 1] if first + 1 < len(starts) else len(text)
            for at, sentence in _parts(text, begin, end):
                page = pages[paragraph[bisect_right(offsets, at) - 1]]
                pieces.append(_Piece(sentence, page, len(sentence.split()), False, 0))
        if pieces:
            after = sizes[number + 1] if number + 1 < len(sizes) else 0
            pieces[-1] = pieces[-1]._replace(paragraph_end=True, next_paragraph=after)
    return pieces


def _join(lines: list[str], paragraph: list[int]) -> tuple[str, list[int]]:
    """The paragraph as one line, and where each of its lines starts in it; a word hyphenated
    across a page break ("trans-" + "formers") is joined as within a page."""
    parts: list[str] = []
    offsets: list[int] = []
    size = 0
    for i in paragraph:
        line = lines[i]
        if parts and line[0].islower() and _WRAPPED_HYPHEN.search(parts[-1]):
            parts[-1] = parts[-1][:-1]  # the hyphen goes, the word runs on
            size -= 1
        elif parts:
            parts.append(" ")
            size += 1
        offsets.append(size)
        parts.append(line)
        size += len(line)
    return "".join(parts), offsets


def _parts(text: str, begin: int, end: int) -> list[tuple[int, str]]:
    """`text[begin:end]` with its offset, in parts of at most `MAX_WORDS` words."""
    sentence = text[begin:end].strip()
    if not sentence:
        return []
    if len(sentence.split()) <= MAX_WORDS:
        return [(begin, sentence)]
    words = list(_WORD.finditer(text, begin, end))
    return [
        (words[i].start(), text[words[i].start() : words[min(i + MAX_WORDS, len(words)) - 1].end()])
        for i in range(0, len(words), MAX_WORDS)
    ]


def _pack(pieces: list[_Piece], section: str) -> list[Passage]:
    """Whole paragraphs together up to `MAX_WORDS`; a paragraph end past `TARGET_WORDS`, or one
    the next paragraph would not fit after, closes a passage."""
    groups: list[list[_Piece]] = []
    current: list[_Piece] = []
    words = 0
    for piece in pieces:
        if current and words + piece.words > MAX_WORDS:
            groups.append(current)
            current, words = [], 0
        current.append(piece)
        words += piece.words
        if _closes(piece, words):
            groups.append(current)
            current, words = [], 0
    if current:
        groups.append(current)
    tail = sum(p.words for p in groups[-1]) if groups else MIN_WORDS
    if (
        tail < MIN_WORDS
        and len(groups) >= 2
        and tail + sum(p.words for p in groups[-2]) <= MAX_WORDS
    ):
        groups[-2:] = [groups[-2] + groups[-1]]  # a short tail joins the passage before it
    return [Passage(section, group[0].page, " ".join(p.text for p in group)) for group in groups]


def _closes(piece: _Piece, words: int) -> bool:
    if not piece.paragraph_end or words < MIN_WORDS:
        return False
    return words >= TARGET_WORDS or words + piece.next_paragraph > MAX_WORDS
