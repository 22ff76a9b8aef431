"""Papers as BibTeX that Zotero, JabRef and BibTeX itself import without a warning.

One `@misc` per paper, the form arXiv itself recommends for preprints: `eprint`,
`archivePrefix`, `primaryClass`, and `doi` where the paper has one. The key is built from the
arXiv id alone ("arxiv2602.00780"), so the same paper has the same key in every export and a
re-import updates rather than duplicates. Titles keep their capitals (each word holding one is
braced, so no style lower-cases "VLA") and their math (`$…$` is kept as written); everything
else is escaped for LaTeX by pylatexenc, and the file is written by bibtexparser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import bibtexparser
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import UnicodeToLatexEncoder

from domain.models import Paper

_MATH = re.compile(r"(\$[^$]+\$)")
_WORD = re.compile(r"\S+")
_NEW_STYLE_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_STYLE_ID = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}$")
# CJK and other characters LaTeX has no command for are kept as they are (BibTeX passes UTF-8).
_ESCAPE = UnicodeToLatexEncoder(
    non_ascii_only=False, unknown_char_policy="keep", unknown_char_warning=False
)


def bibtex(papers: Iterable[Paper]) -> str:
    """The papers as one BibTeX file, in the order given; a paper given twice is written once."""
    library = bibtexparser.Library()
    seen: set[str] = set()
    for paper in papers:
        if paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            library.add(entry(paper))
    return bibtexparser.write_string(library)


def citation_key(paper: Paper) -> str:
    """ "arxiv2602.00780", "arxivcs_9901001": the same for every version and every export."""
    return "arxiv" + paper.arxiv_id.replace("/", "_")


def entry(paper: Paper) -> Entry:
    fields = [Field("title", protected_title(paper.title))]
    authors = [latex(" ".join(a.split())) for a in paper.authors if a.strip()]
    if authors:
        fields.append(Field("author", " and ".join(authors)))
    fields += [
        Field("year", year_of(paper)),
        Field("eprint", paper.arxiv_id),
        Field("archivePrefix", "arXiv"),
    ]
    if paper.categories:
        fields.append(Field("primaryClass", paper.categories[0]))
    if paper.doi and paper.doi.strip():
        fields.append(Field("doi", paper.doi.strip()))  # verbatim: biblatex links it as is
    fields.append(Field("url", paper.abs_url))
    return Entry("misc", citation_key(paper), fields)


def protected_title(title: str) -> str:
    """Escaped, math kept, each word with a capital braced."""
    parts = []
    for part in _MATH.split(" ".join(title.split())):
        if _MATH.fullmatch(part):
            parts.append(part)
        else:
            parts.append(_WORD.sub(_protect, part))
    return "".join(parts)


def _protect(word: re.Match[str]) -> str:
    escaped = latex(word.group())
    return f"{{{escaped}}}" if any(c.isupper() for c in word.group()) else escaped


def latex(text: str) -> str:
    return _ESCAPE.unicode_to_latex(text)


def year_of(paper: Paper) -> str:
    """The year arXiv first announced it, from its date, else from its id (2602.… is 2026)."""
    if paper.announced_on is not None:
        return str(paper.announced_on.year)
    match = _NEW_STYLE_ID.match(paper.arxiv_id) or _OLD_STYLE_ID.match(paper.arxiv_id)
    if match is None:
        return ""
    yy = int(match.group(1))
    return str(2000 + yy if yy < 91 else 1900 + yy)
