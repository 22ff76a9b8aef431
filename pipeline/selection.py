"""Which papers an owner's keywords select: words, author names, and negatives.

A keyword's kind is in how it is written:
- `survey`, `vision language action`: words of the title or abstract (`pipeline.matching`);
- `author:Chelsea Finn` (quotes allowed): one of the paper's authors (`pipeline.authors`);
- `-survey` (also `-author:Name`): selects nothing, but drops for its owner alone a paper that
  the owner's other keywords selected.
Keys carry the kind as a prefix ("-survey", "author:chelsea finn"), so all kinds share the one
keyword column of subscriptions and no schema change was needed: a plain key never starts with
"-" nor holds ":", so no prefixed key can equal one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.errors import EmptyNegative, InvalidAuthor, InvalidKeyword
from domain.models import Paper
from pipeline.authors import MAX_AUTHOR_LENGTH, AuthorMatcher, normalize_author
from pipeline.matching import KeywordMatcher, normalize_keyword

AUTHOR = "author:"
NEGATIVE = "-"
_MINUS_SIGNS = ("-", "\u2212", "\u2013", "\u2014")  # phones turn "-" into dashes
_QUOTES = "\"'“”‘’「」«»"


@dataclass(frozen=True, slots=True)
class ParsedKeyword:
    display: str  # as shown back: "-survey", "author:Chelsea Finn"
    key: str  # equal keys are the same keyword

    @property
    def negative(self) -> bool:
        return is_negative(self.key)


def is_negative(key: str) -> bool:
    return key.startswith(NEGATIVE)


def parse_keyword(text: str) -> ParsedKeyword:
    """The keyword written as `text`; raises a DigestError saying what is wrong with it."""
    text = " ".join(text.split())
    if text.startswith(_MINUS_SIGNS):
        inner = text[1:].strip()
        if not inner or inner.startswith(_MINUS_SIGNS):
            raise EmptyNegative(text)
        parsed = _positive(inner)
        return ParsedKeyword(NEGATIVE + parsed.display, NEGATIVE + parsed.key)
    return _positive(text)


def _positive(text: str) -> ParsedKeyword:
    if text[: len(AUTHOR)].casefold() != AUTHOR:
        return ParsedKeyword(text.strip(), normalize_keyword(text))
    name = " ".join(text[len(AUTHOR) :].strip().strip(_QUOTES).split())
    if len(name) > MAX_AUTHOR_LENGTH:
        raise InvalidAuthor(name, max_length=MAX_AUTHOR_LENGTH)
    try:
        key = normalize_author(name)
    except InvalidKeyword:
        raise InvalidAuthor(name) from None
    return ParsedKeyword(AUTHOR + name, AUTHOR + key)


def keyword_key(text: str) -> str:
    return parse_keyword(text).key


class PaperSelector:
    """Every owner's keywords at once (a chat's and each member's): each paper is read once.

    An owner's paper is one that a word or author keyword of theirs matches and none of their
    negative keywords does. Built once, then only read (safe to share).
    """

    def __init__(self, owners: Iterable[Iterable[str]]) -> None:
        self._keys: dict[str, str] = {}  # key → display, in first-given order
        self._negatives: list[frozenset[str]] = []  # per owner: keys (without "-") that drop
        self._owners_of: dict[str, list[int]] = {}  # selecting key → owners holding it
        words: list[str] = []
        names: list[str] = []
        for owner, keywords in enumerate(owners):
            negatives: set[str] = set()
            for keyword in keywords:
                parsed = parse_keyword(keyword)
                self._keys.setdefault(parsed.key, parsed.display)
                key = parsed.key.removeprefix(NEGATIVE)  # what to look for in a paper
                written = parsed.display.removeprefix(NEGATIVE)  # only negatives start so
                if key.startswith(AUTHOR):
                    names.append(written.removeprefix(AUTHOR))
                else:
                    words.append(written)
                if parsed.negative:
                    negatives.add(key)
                    continue
                holders = self._owners_of.setdefault(key, [])
                if holders[-1:] != [owner]:  # owners come in order, so no repeats
                    holders.append(owner)
            self._negatives.append(frozenset(negatives))
        self._words = KeywordMatcher(words)
        self._authors = AuthorMatcher(names)
        self._order = {key: index for index, key in enumerate(self._keys)}

    @property
    def keys(self) -> list[str]:
        """Every key, negatives too, in the order first given."""
        return list(self._keys)

    def display(self, key: str) -> str:
        return self._keys[key]

    def found(self, paper: Paper) -> set[str]:
        """The keys (without "-") whose words or author the paper has."""
        found = set(self._words.match_paper(paper.title, paper.abstract))
        found.update(AUTHOR + key for key in self._authors.match(paper.authors))
        return found

    def select_by_owner(self, paper: Paper) -> dict[int, list[str]]:
        """For each owner (by position) the paper is for, the keys that selected it."""
        found = self.found(paper)
        chosen: dict[int, list[str]] = {}
        selecting = [key for key in found if key in self._owners_of]  # found is the small one
        for key in sorted(selecting, key=self._order.__getitem__):
            for owner in self._owners_of[key]:
                if not self._negatives[owner].intersection(found):
                    chosen.setdefault(owner, []).append(key)
        return chosen

    def select(self, paper: Paper) -> list[str]:
        """The keys that selected the paper for some owner, in first-given order."""
        keys = {key for chosen in self.select_by_owner(paper).values() for key in chosen}
        return sorted(keys, key=self._order.__getitem__)

    def counts(self, papers: Sequence[Paper]) -> dict[str, int]:
        """How many of `papers` each key matches (a negative: how many it would drop)."""
        counts = dict.fromkeys(self._keys, 0)
        for paper in papers:
            found = self.found(paper)
            for key in self._keys:
                counts[key] += key.removeprefix(NEGATIVE) in found
        return counts
