"""What a section heading looks like in plain PDF text: its kind from its title, and whether a
line has the shape of a title at all (short, capitalised, no sentence inside it)."""

from __future__ import annotations

import re
from collections import Counter

# What the analysis step reads; `kind` is None for every other section. The back-matter kinds
# (references, acknowledgements, appendix) exist only until `drop_back_matter` removes them.
KINDS = (
    "abstract",
    "introduction",
    "related_work",
    "method",
    "experiments",
    "discussion",
    "conclusion",
)
BACK_MATTER = ("references", "acknowledgements", "appendix")
MAIN_TEXT = ("introduction", "related_work", "method", "experiments", "conclusion")

# Keyword → kind. A heading takes the kind of its earliest keyword ("Results and Discussion" is
# experiments, "Limitations and Future Work" discussion); at the same position the first row wins.
_KIND_KEYWORDS: list[tuple[str, re.Pattern[str]]] = [
    (kind, re.compile(rf"\b(?:{words})\b"))
    for kind, words in [
        ("abstract", r"abstract"),
        ("introduction", r"introduction|einleitung|einführung"),
        (
            "related_work",
            r"related\s+works?|background|literature\s+review|prior\s+work|previous\s+work"
            r"|preliminaries",
        ),
        ("conclusion", r"conclusions?|concluding\s+remarks|^summary|ausblick|fazit"),
        ("discussion", r"discussions?|limitations?|future\s+work|broader\s+impacts?|outlook"),
        (
            "experiments",
            r"experiments?|experimental|evaluations?|results?|empirical|ablations?"
            r"|(?:user|usability|pilot|field|case)\s+stud(?:y|ies)|study\s+\d+",
        ),
        (
            "method",
            r"methods?|methodology|approach(?:es)?|proposed|models?|framework|architectures?"
            r"|system\s+design|^design$|implementation|algorithms?",
        ),
    ]
]
# Back matter is recognised only by the whole title, so "Reference Resolution" stays a section.
_REFERENCES = re.compile(
    r"^(?:references|bibliography|literatur|literaturverzeichnis|references\s+and\s+notes"
    r"|works\s+cited|cited\s+literature)$"
)
_ACKNOWLEDGEMENTS = re.compile(r"^acknowledge?ments?\b|^danksagung$")
_APPENDIX = re.compile(
    r"^(?:appendix|appendices|anhang|supplementa(?:ry|l)(?:\s+materials?)?)"
    r"(?:\s+[a-z0-9]{1,2}\b)?(?:\s*[:.\-–—]\s*\S.*)?$"
)


def heading_kind(title: str) -> str | None:
    """The kind of a section from its title (with or without its number), or None."""
    text = re.sub(r"^(?:\d+(?:\.\d+)*\.?|[IVXL]+\.|[A-Z]\.?)\s+", "", title.strip())
    text = re.sub(r"\s+", " ", text).strip(" .:").lower()
    if _REFERENCES.match(text):
        return "references"
    if _ACKNOWLEDGEMENTS.match(text):
        return "acknowledgements"
    if _APPENDIX.match(text):
        return "appendix"
    best: tuple[int, int, str] | None = None
    for order, (kind, pattern) in enumerate(_KIND_KEYWORDS):
        found = pattern.search(text)
        if found and (best is None or (found.start(), order) < best[:2]):
            best = (found.start(), order, kind)
    return best[2] if best else None


_NOT_A_TITLE = re.compile(
    r"^(?:fig(?:ure)?|tab(?:le)?|algorithm|algorithmus|tabelle|abbildung|listing|eq(?:uation)?"
    r"|we|(?:lemma|theorem|definition|corollary|proposition|remark|example|step)\s*\d)\b",
    re.IGNORECASE,
)
_AFFILIATION = re.compile(r"\b(?:University|Universität|Department|Institute|Laboratory)\b")
_SENTENCE_INSIDE = re.compile(r"[a-z]{2}[.!?]\s+[A-Za-z]")


def looks_like_title(text: str, running: set[str]) -> bool:
    """Short, capitalised, no sentence inside it, mostly letters, not a running header."""
    text = text.strip()
    if not 2 <= len(text) <= 90 or not text[0].isupper() or text in running:
        return False
    if text[-1] in ".,;:=-–" or _NOT_A_TITLE.match(text) or _SENTENCE_INSIDE.search(text):
        return False
    if re.search(r"[=@]|https?:|,\s*\d|\s[A-Z]\.\s", text) or _AFFILIATION.search(text):
        return False  # formulas, e-mail and web addresses, author lists, affiliations
    words = text.split()
    if len(words) > 12:
        return False
    if len(words) > 6:  # long sentence-case lines are prose that follows a page number
        long_words = [w for w in words if len(w) >= 4 and w[0].isalpha()]
        capitalised = [w for w in long_words if w[0].isupper()]
        if len(capitalised) < 0.6 * len(long_words):
            return False
    visible = [c for c in text if not c.isspace()]
    return sum(c.isalpha() for c in visible) >= 0.6 * len(visible)


def is_prose(line: str) -> bool:
    return len(line) >= 40 and sum(c.islower() for c in line) >= 0.5 * len(line.replace(" ", ""))


def running_lines(lines: list[str]) -> set[str]:
    """Lines printed on many pages (running headers and footers) are never headings."""
    counts = Counter(line for line in lines if len(line) >= 12)
    return {line for line, n in counts.items() if n >= 3}
