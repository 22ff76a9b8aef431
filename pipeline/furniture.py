"""Page furniture out of a PDF's page texts: page numbers, running headers and footers, arXiv's
side stamp; words hyphenated at a line end joined.

The joining is done here rather than with TEXT_DEHYPHENATE: PyMuPDF 1.27.1 to 1.28.x ignore that
flag (pymupdf/PyMuPDF#4994) while earlier and later versions honour it, and the first pages must
keep their hyphens anyway so that "github.com/foo/bar-" + "baz" stays one address.
"""

from __future__ import annotations

import re
from collections import Counter

_ARXIV_STAMP = re.compile(r"^arXiv:\S+\s+\[[^\]]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?[-–]?\s*(\d{1,4})\s*[-–]?(?:\s+of\s+\d{1,4})?$", re.I)
_EDGE_LINES = 3  # running headers and footers live in a page's first and last lines
# "transduc-" + "tion": like MuPDF's de-hyphenation this drops the hyphen, so "state-" + "of-the-
# art" loses one too; it needs a letter before and a lower-case letter after ("10-" + "20" stays).
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u00ad]\n(?=[a-z])")


def without_page_furniture(texts: list[str]) -> list[str]:
    """Drop page numbers, running headers and footers and arXiv's side stamp; join hyphenations.

    Only lines near a page's top or bottom are candidates, and only when the same thing recurs
    across pages: page numbers must count up with the pages on the same side of every page, so
    a section number alone on the first line of a page ("3" above "Method") stays.
    """
    pages = [[line.strip() for line in text.split("\n") if line.strip()] for text in texts]

    def edges(lines: list[str]) -> list[tuple[int, str]]:
        top = range(min(_EDGE_LINES, len(lines)))
        bottom = range(max(len(lines) - _EDGE_LINES, len(top)), len(lines))
        return [(i, "top") for i in top] + [(i, "bottom") for i in bottom]

    def normal(line: str) -> str:
        return re.sub(r"\d+", "#", line.lower())

    numbers: list[tuple[int, int, tuple[int, str]]] = []  # page, line, (number - page, side)
    repeated: Counter[str] = Counter()
    for page, lines in enumerate(pages):
        for i, side in edges(lines):
            if m := _PAGE_NUMBER.match(lines[i]):
                numbers.append((page, i, (int(m.group(1)) - page, side)))
        repeated.update({normal(lines[i]) for i, _ in edges(lines)})
    agreeing = Counter(key for _, _, key in numbers)
    quorum = max(2, len(pages) * 0.3)
    page_numbers = {(page, i) for page, i, key in numbers if agreeing[key] >= quorum}
    running = {
        line
        for line, n in repeated.items()
        if n >= max(3, len(pages) * 0.4) and re.search(r"[^\W\d_]", line)  # has a letter
    }

    cleaned = []
    for page, lines in enumerate(pages):
        edge = {i for i, _ in edges(lines)}
        kept = [
            line
            for i, line in enumerate(lines)
            if (page, i) not in page_numbers
            and not (i in edge and normal(line) in running)
            and not _ARXIV_STAMP.match(line)
        ]
        cleaned.append(_LINE_END_HYPHEN.sub("", "\n".join(kept)))
    return cleaned
