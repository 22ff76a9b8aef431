"""Find a paper's section headings in its lines of plain extracted text.

PDF text carries no structure, so headings are recognised by their shape: a section number
("3", "3.", "IV.") on the heading's line or on the line before it, a short title-like line after
it, and numbers that follow on from each other (1, 2, 3 …), which is what tells "4 Method" from a
page number or a table cell. Papers without numbered headings are split on common section names
that stand alone on their line. Subsections ("3.1 Setup") are left to `pipeline.subsections`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.heading_shape import (
    BACK_MATTER,
    MAIN_TEXT,
    heading_kind,
    is_prose,
    looks_like_title,
    running_lines,
)

_ARABIC_SAME = re.compile(r"^(\d{1,2})\.?\s+(\S.*)$")
_ARABIC_ALONE = re.compile(r"^(\d{1,2})\.?$")
_ROMAN_SAME = re.compile(r"^([IVXL]{1,6})\.\s+(\S.*)$")
_ROMAN_ALONE = re.compile(r"^([IVXL]{1,6})\.$")
_LETTER_SAME = re.compile(r"^([A-Z])\.?\s+(\S.*)$")
_LETTER_ALONE = re.compile(r"^([A-Z])\.?$")
_APPENDIX_LETTER = re.compile(r"^(?:APPENDIX|Appendix)\s+([A-Z])\b[.:]?\s*(.*)$")
_TOC_PAGE = re.compile(r"^\d{1,3}$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


@dataclass(slots=True)
class Heading:
    start: int  # index of the heading's first line
    end: int  # index of the first line of the section's body
    label: str  # the heading as printed
    number: int  # position in its numbering scheme (0 when unnumbered)
    kind: str | None


def _roman(value: str) -> int | None:
    total = 0
    for i, char in enumerate(value):
        digit = _ROMAN_VALUES[char]
        following = _ROMAN_VALUES[value[i + 1]] if i + 1 < len(value) else 0
        total += -digit if digit < following else digit
    canonical = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    tens = ["", "X", "XX", "XXX", "XL", "L"]
    if total < 1 or total > 59 or tens[total // 10] + canonical[total % 10] != value:
        return None
    return total


def _continue_caps(label: str, lines: list[str], end: int, running: set[str]) -> tuple[str, int]:
    """Join an all-caps heading wrapped onto a second line ("2 CHARACTERIZING" / "WRITING")."""
    if end < len(lines) and re.search(r"[A-Z]{3}", label) and label.upper() == label:
        nxt = lines[end]
        if (
            nxt
            and nxt.upper() == nxt
            and re.fullmatch(r"[A-Z][A-Z\s\-&,:’']{2,40}", nxt)
            and len(nxt.split()) <= 4
            and nxt not in running
        ):
            return f"{label} {nxt}", end + 1
    return label, end


def _numbered(
    lines: list[str],
    running: set[str],
    same: re.Pattern[str],
    alone: re.Pattern[str],
    value: Callable[[str], int | None],
) -> list[Heading]:
    """Every line that could be a heading of one numbering scheme (arabic, roman or letters)."""
    found = []
    for i, line in enumerate(lines):
        if i == 0 or line in running:  # the first line is the title (or a page number above it)
            continue
        if (m := alone.match(line)) and i + 1 < len(lines):
            number, title, end = m.group(1), lines[i + 1], i + 2
            label = f"{line} {title}"
        elif m := same.match(line):
            number, title, end = m.group(1), m.group(2), i + 1
            label = line
        else:
            continue
        n = value(number)
        if n is None or not looks_like_title(title, running) or _starts_a_heading(title):
            continue
        if end < len(lines) and _TOC_PAGE.match(lines[end]):
            continue  # "1 Introduction" over "3": an entry of the table of contents
        label, end = _continue_caps(label, lines, end, running)
        found.append(Heading(i, end, label, n, heading_kind(label)))
    return found


def _starts_a_heading(title: str) -> bool:
    """A page number followed by a real heading ("2" then "III. DYCOS") is not a heading itself."""
    return bool(_ROMAN_SAME.match(title) or _ARABIC_SAME.match(title))


def _chain(candidates: list[Heading]) -> list[Heading]:
    """The longest run of candidates numbered 1, 2, 3 … in reading order.

    Among equally long runs the one with more recognised titles wins, then the earliest one:
    a stray "2" from a page number or a table rarely says "Related Work".
    """
    scores: list[tuple[int, int] | None] = []
    links: list[int | None] = []
    best_with: dict[int, int] = {}  # number → index of the best-scoring candidate so far
    for i, heading in enumerate(candidates):
        known = int(heading.kind is not None)
        if heading.number == 1 and heading.kind == "introduction":
            known += 1  # nearly every paper opens with it; a page number above the title does not
        link = best_with.get(heading.number - 1)
        if link is None and known:  # one heading missed (mangled by the PDF): skip over it
            link = best_with.get(heading.number - 2)
        score: tuple[int, int] | None
        if link is not None:
            length, recognised = scores[link]  # type: ignore[misc]
            score = (length + 1, recognised + known)
        else:
            score = (1, known) if heading.number == 1 else None
        scores.append(score)
        links.append(link)
        if score is not None:
            held = best_with.get(heading.number)
            if held is None or score > scores[held]:  # type: ignore[operator]
                best_with[heading.number] = i
    ends = [i for i, score in enumerate(scores) if score is not None]
    if not ends:
        return []
    end: int | None = max(ends, key=lambda i: (scores[i], -i))
    run = []
    while end is not None:
        run.append(candidates[end])
        end = links[end]
    return run[::-1]


def _short_capitalised(line: str) -> bool:
    return 0 < len(line) <= 60 and line[0].isupper()


def _unnumbered(lines: list[str], running: set[str]) -> list[Heading]:
    """Common section names standing alone on their line and followed by a paragraph."""
    found = []
    for i, line in enumerate(lines):
        if not _short_capitalised(line):
            continue
        kind = heading_kind(line)
        words = line.split()
        if kind is None or len(words) > 5 or not looks_like_title(line, running):
            continue
        if ":" in line or any(w[0].islower() for w in words if len(w) >= 4):
            continue  # "Results" and "Evaluation Metrics" are headings, "The model is" is not
        before = lines[i - 1] if i else ""
        if len(before) > 30 and before[-1] not in ".!?:;)]\"”'0123456789":
            continue  # a title or sentence wrapped onto a line that happens to say "Experiments"
        if any(is_prose(nxt) for nxt in lines[i + 1 : i + 4]):
            found.append(Heading(i, i + 1, line, 0, kind))
    return found


def _always(lines: list[str], running: set[str]) -> list[Heading]:
    """Abstract, references, acknowledgements and appendices: found whatever the numbering."""
    found = []
    for i, line in enumerate(lines):
        if not _short_capitalised(line):
            continue
        kind = heading_kind(line)
        if (
            kind == "appendix"
            and (m := _APPENDIX_LETTER.match(line))
            and not m.group(2)
            and i + 1 < len(lines)
            and looks_like_title(lines[i + 1], running)
        ):
            label, end = _continue_caps(f"{line} {lines[i + 1]}", lines, i + 2, running)
            found.append(Heading(i, end, label, 0, kind))
            continue
        if kind in ("abstract", *BACK_MATTER) and len(line.split()) <= 8:
            if kind == "abstract" and line.strip(" .:").lower() != "abstract":
                continue
            if line[-1] not in ".,":
                found.append(Heading(i, i + 1, line, 0, kind))
    return found


def _letter_value(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def find_headings(lines: list[str]) -> list[Heading]:
    running = running_lines(lines)
    always = _always(lines, running)
    arabic = _chain(_numbered(lines, running, _ARABIC_SAME, _ARABIC_ALONE, _int_or_none))
    roman = _chain(_numbered(lines, running, _ROMAN_SAME, _ROMAN_ALONE, _roman))
    numbered = arabic if len(arabic) >= len(roman) else roman
    chain = numbered if len(numbered) >= 3 else []
    if not chain:
        numbered = _unnumbered(lines, running)
    taken = {h.start for h in numbered}
    headings = numbered + [h for h in always if h.start not in taken]
    headings.sort(key=lambda h: h.start)

    # The abstract comes first: a figure label reading "Abstract" later on is not a heading.
    first_abstract = next((h for h in headings if h.kind == "abstract"), None)
    headings = [
        h
        for h in headings
        if h.kind != "abstract"
        or (h is first_abstract and all(o.start >= h.start for o in numbered if o is not h))
    ]
    # "References" before a numbered "5 Conclusions" is a table's column, not the bibliography.
    headings = [
        h
        for h in headings
        if h.kind != "references"
        or not any(o.start > h.start and o.kind in MAIN_TEXT for o in chain)
    ]
    # After the references, lettered headings ("A Proofs", "B" then "Datasets") are appendices.
    references = next((h for h in headings if h.kind == "references"), None)
    if references is not None:
        tail = lines[references.end :]
        letters = _chain(_numbered(tail, running, _LETTER_SAME, _LETTER_ALONE, _letter_value))
        taken = {h.start for h in headings}
        for h in letters:
            h.start, h.end = h.start + references.end, h.end + references.end
            if h.start not in taken:
                h.kind = "appendix"
                headings.append(h)
        headings.sort(key=lambda h: h.start)
    return _without_overlaps(headings)


def _int_or_none(text: str) -> int | None:
    return int(text) if 0 < int(text) <= 40 else None  # "0" and "2016" are not sections


def _without_overlaps(headings: list[Heading]) -> list[Heading]:
    kept: list[Heading] = []
    for h in headings:
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept
