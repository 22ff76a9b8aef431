"""What of a paper the LLM reads: its sections fitted into a token budget.

Cutting at a fixed length would keep the first pages and lose the method and the experiments;
instead every section gets a share by its weight, and a section cut short keeps its beginning.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from pipeline.sections import Section

if TYPE_CHECKING:
    from pipeline.pdf import FullText

CUT_MARK = "[…]"

# Relative shares when the paper does not fit: sections shorter than their share are sent whole
# and what they leave is shared out again by the same weights.
_WEIGHTS = {
    "abstract": 8.0,
    "method": 5.0,
    "experiments": 5.0,
    "introduction": 3.0,
    "conclusion": 2.0,
}
_OTHER_WEIGHT = 1.0
_MIN_USEFUL_CHARS = 120  # a shorter excerpt says nothing: send the heading and the cut mark


def estimate_tokens(text: str) -> int:
    """About four characters a token for English prose with any current BPE tokenizer.

    An approximation on purpose: the budget only has to be respected, not filled exactly, and
    no tokenizer has to be installed. Replace this one function to count exactly.
    """
    return math.ceil(len(text) / 4)


def _render(sections: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{heading}\n{text}" if heading else text for heading, text in sections)


def _cut(text: str, limit: int) -> str:
    """The beginning of `text` within `limit` characters, ending at a paragraph or sentence end
    when there is one in the last part of the room, else at a word, followed by the cut mark."""
    room = limit - len(CUT_MARK) - 1
    if room < _MIN_USEFUL_CHARS:
        return CUT_MARK
    head = text[:room]
    for boundary, at_least in ((r"\n\s*\n", 0.7), (r"(?<=[.!?])[\"”’)]?\s", 0.3), (r"\s", 0.0)):
        ends = [m.end() for m in re.finditer(boundary, head)]
        if ends and ends[-1] >= room * at_least:
            return head[: ends[-1]].rstrip() + " " + CUT_MARK
    return head.rstrip() + " " + CUT_MARK


def _longest_start_within(text: str, max_tokens: int) -> str:
    """The longest cut beginning of `text` that fits, when not even the headings do."""
    best, low, high = "", 0, len(text)
    while low <= high:
        middle = (low + high) // 2
        candidate = _cut(text, middle)
        if estimate_tokens(candidate) <= max_tokens:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def _weight(section: Section, has_abstract: bool) -> float:
    if section.kind is None and not section.heading and not has_abstract:
        return _WEIGHTS["abstract"]  # the text before the first heading holds the abstract
    return _WEIGHTS.get(section.kind or "", _OTHER_WEIGHT)


def _shares(lengths: list[int], weights: list[float], budget: int) -> list[int]:
    """Water-filling: every section gets min(its length, weight × level) for one common level."""
    shares = [0] * len(lengths)
    open_ = [i for i in range(len(lengths)) if lengths[i] > 0]
    left = budget
    while open_ and left > 0:
        level = left / sum(weights[i] for i in open_)
        satisfied = [i for i in open_ if lengths[i] <= weights[i] * level]
        if not satisfied:
            for i in open_:
                shares[i] = int(weights[i] * level)
            break
        for i in satisfied:
            shares[i] = lengths[i]
            left -= lengths[i]
        open_ = [i for i in open_ if i not in satisfied]
    return shares


def fit_to_budget(full: FullText, max_tokens: int) -> str:
    """The paper's text for the LLM within `max_tokens`, headings and order kept.

    Whole when it fits. Otherwise every section gets a share of the budget weighted abstract >
    method ≈ experiments > introduction > conclusion > the rest; a section longer than its share
    keeps its beginning up to a paragraph or sentence end, followed by "[…]".
    """
    sections = [s for s in full.sections if s.text or s.heading]
    whole = _render([(s.heading, s.text) for s in sections])
    if estimate_tokens(whole) <= max_tokens:
        return whole
    # Work in characters, at the ratio `estimate_tokens` gives for this very text, then check.
    chars_per_token = len(whole) / max(estimate_tokens(whole), 1)
    has_abstract = any(s.kind == "abstract" for s in sections)
    weights = [_weight(s, has_abstract) for s in sections]
    scale = 1.0
    while True:
        budget = int(max_tokens * chars_per_token * scale)
        overhead = sum(len(s.heading) + 2 for s in sections) + len(CUT_MARK) * len(sections)
        lengths = [len(s.text) for s in sections]
        shares = _shares(lengths, weights, max(budget - overhead, 0))
        parts = []
        for section, share in zip(sections, shares, strict=True):
            if share >= len(section.text):
                parts.append((section.heading, section.text))
            else:
                parts.append((section.heading, _cut(section.text, share)))
        text = _render(parts)
        if estimate_tokens(text) <= max_tokens:
            return text
        if budget <= overhead:
            return _longest_start_within(text, max_tokens)
        scale *= 0.9
