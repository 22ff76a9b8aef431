"""A paper's sections in plain extracted text (`pipeline.fitting` chooses what the LLM reads).

Headings are found by `pipeline.headings`; here the lines between them become sections, each
with the range of lines it came from so that passages can say on which page they start.
Subsections ("3.1 Setup") stay inside their parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pipeline.heading_shape import BACK_MATTER, KINDS, heading_kind
from pipeline.headings import find_headings

__all__ = [
    "BACK_MATTER",
    "KINDS",
    "Located",
    "Section",
    "drop_back_matter",
    "heading_kind",
    "locate_sections",
    "paper_lines",
    "split_sections",
]

_RUN_IN_ABSTRACT = re.compile(r"^(Abstract|ABSTRACT)\s*(?:—|–|-{1,2}|:|\.)\s*(\S.*)$")


@dataclass(slots=True)
class Section:
    kind: str | None  # one of KINDS (or BACK_MATTER before it is dropped), None for any other
    heading: str  # as printed ("3 Method", "IV. EXPERIMENTS"), "" for the text before the first
    text: str


@dataclass(frozen=True, slots=True)
class Located:
    """A section and the indexes of its body's lines (its heading excluded) in `paper_lines`."""

    section: Section
    body: range

    @property
    def kind(self) -> str | None:
        return self.section.kind


def paper_lines(text: str) -> list[str]:
    """The lines headings are looked for in: stripped, a run-in abstract on a line of its own.

    Line by line, so the lines of a paper are the lines of its pages one after the other."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if m := _RUN_IN_ABSTRACT.match(line):  # IEEE: "Abstract—We present …"
            lines.extend(m.groups())
        else:
            lines.append(line)
    return lines


def locate_sections(lines: list[str]) -> list[Located]:
    """Split a paper's lines at its section headings (see `split_sections`)."""
    headings = find_headings(lines)
    located: list[Located] = []
    first = headings[0].start if headings else len(lines)
    preamble = "\n".join(lines[:first]).strip()
    if preamble:
        located.append(Located(Section(None, "", preamble), range(first)))
    for i, h in enumerate(headings):
        stop = headings[i + 1].start if i + 1 < len(headings) else len(lines)
        body = "\n".join(lines[h.end : stop]).strip()
        located.append(Located(Section(h.kind, h.label, body), range(h.end, stop)))
    return located


def split_sections(text: str) -> list[Section]:
    """Split a paper's plain text at its section headings.

    The text before the first heading (title, authors, sometimes the abstract) comes first with
    heading "". References, acknowledgements and appendices are kept here with their own kinds;
    `drop_back_matter` removes them.
    """
    return [found.section for found in locate_sections(paper_lines(text))]


class _Kinded(Protocol):
    @property
    def kind(self) -> str | None: ...


_S = TypeVar("_S", bound=_Kinded)


def drop_back_matter(sections: list[_S]) -> list[_S]:
    """Remove references, acknowledgements and appendices.

    Everything after the references is dropped: in arXiv papers what follows them is appendix or
    supplementary material (proofs, checklists, extra tables).
    """
    kept = []
    for section in sections:
        if section.kind == "references":
            break
        if section.kind not in BACK_MATTER:
            kept.append(section)
    return kept
