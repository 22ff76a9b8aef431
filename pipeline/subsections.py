"""Subsection headings inside a section's lines ("3.2 Attention" under "3 Model Architecture",
"A. Chatbots" under "IV. TEXT DATA"), so a passage can name the nearest heading.

Only headings numbered under their parent count, in increasing order: "5.1" alone on a line
above a title is a heading, "5.1" in a table (followed by more numbers) is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.heading_shape import looks_like_title

_ARABIC_PARENT = re.compile(r"^(\d{1,2})\.?\s")
_ROMAN_PARENT = re.compile(r"^[IVXL]{1,6}\.\s")
_LETTERED = re.compile(r"^([A-Z])\.(?:\s+(\S.*))?$")
_NO_RUNNING: set[str] = set()


@dataclass(frozen=True, slots=True)
class Subheading:
    start: int  # index of the heading's first line
    end: int  # index of the first line of its text
    label: str  # as printed: "3.2.1 Scaled Dot-Product Attention"


def find_subheadings(lines: list[str], parent: str, body: range) -> list[Subheading]:
    """The subsection headings of the section headed `parent` whose text is `lines[body]`."""
    if m := _ARABIC_PARENT.match(parent):
        return _numbered(lines, m.group(1), body)
    if _ROMAN_PARENT.match(parent):
        return _lettered(lines, body)
    return []


def _split(lines: list[str], i: int, stop: int, title: str | None) -> tuple[str, int]:
    """The title and the index after the heading: on the number's line or the next one."""
    if title:
        return title, i + 1
    return (lines[i + 1], i + 2) if i + 1 < stop else ("", i + 1)


def _numbered(lines: list[str], parent: str, body: range) -> list[Subheading]:
    pattern = re.compile(rf"^{parent}\.(\d{{1,2}}(?:\.\d{{1,2}})?)\.?(?:\s+(\S.*))?$")
    found: list[Subheading] = []
    last: tuple[int, ...] = ()
    for i in body:
        m = pattern.match(lines[i])
        if not m:
            continue
        key = tuple(int(part) for part in m.group(1).split("."))
        title, end = _split(lines, i, body.stop, m.group(2))
        if not _follows(last, key) or not looks_like_title(title, _NO_RUNNING):
            continue
        number = f"{parent}.{m.group(1)}"
        found.append(Subheading(i, end, f"{number} {title}"))
        last = key
    return found


def _follows(last: tuple[int, ...], key: tuple[int, ...]) -> bool:
    """Next in the numbering, at most one heading missed: after 3.2, 3.3, 3.4 or 3.2.1."""
    parent = key[:-1]
    if last[: len(parent)] != parent:
        return False  # "3.2.1" needs "3.2" before it
    before = last[len(parent)] if len(last) > len(parent) else 0
    return 0 < key[-1] - before <= 2


def _lettered(lines: list[str], body: range) -> list[Subheading]:
    found: list[Subheading] = []
    expected = "A"
    for i in body:
        m = _LETTERED.match(lines[i])
        if not m or m.group(1) > expected:
            continue
        title, end = _split(lines, i, body.stop, m.group(2))
        if m.group(1) != expected or not looks_like_title(title, _NO_RUNNING):
            continue
        found.append(Subheading(i, end, f"{m.group(1)}. {title}"))
        expected = chr(ord(expected) + 1)
    return found
