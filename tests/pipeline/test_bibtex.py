"""The BibTeX export parses back whole, keeps titles as written, and is the same each time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text

from domain.models import Paper
from pipeline.archive.bibtex import bibtex, citation_key
from tests.realdays import real_days


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    """A thousand real papers: TeX in titles, accents and apostrophes in names."""
    first, second = real_days(2)
    return (first + second)[:1000]


def test_a_thousand_real_papers_parse_back_with_no_error(papers: list[Paper]) -> None:
    library = bibtexparser.parse_string(bibtex(papers))
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == [citation_key(p) for p in papers]
    for paper, parsed in zip(papers, library.entries, strict=True):
        assert parsed.entry_type == "misc"
        assert parsed["eprint"] == paper.arxiv_id
        assert parsed["archivePrefix"] == "arXiv"
        assert parsed["primaryClass"] == paper.categories[0]
        assert parsed["year"] == str(paper.announced_on.year if paper.announced_on else "")


_TEX = ("$", "\\", "--", "``", "''", "~")


def test_titles_and_names_read_back_as_written(papers: list[Paper]) -> None:
    decode = LatexNodes2Text(math_mode="verbatim").latex_to_text
    library = bibtexparser.parse_string(bibtex(papers))
    for paper, parsed in zip(papers, library.entries, strict=True):
        title = " ".join(paper.title.split())
        if not any(tex in title for tex in _TEX):  # TeX in a title is kept as TeX
            assert decode(parsed["title"]) == title
        names = [decode(name) for name in parsed["author"].split(" and ")]
        written = [" ".join(a.split()) for a in paper.authors]
        assert [n for n, a in zip(names, written, strict=True) if '"' not in a] == [
            a
            for a in written
            if '"' not in a  # LaTeX prints a straight quote curly
        ]


def test_capitals_are_braced_specials_escaped_math_kept() -> None:
    paper = Paper(
        "2602.00780", 1, "EcoVLA: pruning 50% of $O(n^2)$ models & R_x nets", ["José Müller"],
        "", ["cs.RO"], doi="10.1000/x_y",
    )  # fmt: skip
    written = bibtexparser.parse_string(bibtex([paper])).entries[0]
    assert written["title"] == r"{EcoVLA:} pruning 50\% of $O(n^2)$ models \& {R\_x} nets"
    assert written["author"] == r"Jos\'e M\"uller"
    assert written["doi"] == "10.1000/x_y"


def test_keys_stay_the_same_across_versions_and_exports() -> None:
    paper = Paper("cs/9901001", 1, "Old", ["A B"], "", ["cs.AI"])
    later = replace(paper, version=3, title="Old, revised", announced_on=date(1999, 1, 5))
    assert citation_key(paper) == citation_key(later) == "arxivcs_9901001"
    assert bibtex([paper, paper]) == bibtex([paper])  # one entry per paper
    parsed = bibtexparser.parse_string(bibtex([paper])).entries[0]
    assert parsed["year"] == "1999"  # from the old-style id when no date is known
