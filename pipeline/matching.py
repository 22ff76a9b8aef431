"""Keyword matching: every channel's and user's keywords against a paper's title and abstract.

One `KeywordMatcher` holds all keywords at once, so a paper is read once however many keywords
there are. The rules, chosen so that the ways papers spell a term all count as that term:

- Text and keywords are compared after NFKC and casefold, as sequences of tokens: runs of letters
  and digits (with their combining marks). A keyword matches whole tokens only, so `vla` finds
  "VLA" and "(VLA)" but not "NetVLAD".
- Whitespace and hyphen-like dashes between the words of a phrase are all the same:
  "vision language action" finds "Vision-Language-Action" and "vision–language–action". Any other
  punctuation (slash, comma, full stop, bracket) ends a phrase, so no phrase matches across it.
- Any word of the text may carry a plural "s" or "es" (when at least two characters remain), so
  "VLAs", "vision-language-action models" and "processes" find `vla`, `... model` and `process`.
  Plurals are only removed from the text: the keyword `models` does not find "model".
- Chinese, Japanese and Korean are written without spaces between words, so in those scripts each
  character is its own token and a keyword matches anywhere inside a run of them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from domain.errors import InvalidKeyword

MAX_KEYWORD_LENGTH = 100

# Han, kana (with 々〆〇 and the prolonged sound mark) and Hangul syllables.
_CJK = (
    "\u3005-\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0003134f"
)
# Separators that keep a phrase together, besides whitespace (the soft hyphen is deleted instead).
_DASHES = "\\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d\u200b"


def _mark_ranges() -> str:
    """Combining marks, ZWNJ and ZWJ as a character class body: they belong inside words.

    Only the Basic Multilingual Plane: a class reaching beyond it is matched range by range,
    which made tokenising about half again as slow.
    """
    marks = [cp for cp in range(0x10000) if unicodedata.category(chr(cp))[0] == "M"]
    marks += [0x200C, 0x200D]
    marks.sort()
    ranges: list[str] = []
    start = previous = marks[0]
    for cp in [*marks[1:], -1]:
        if cp != previous + 1:
            ranges.append(chr(start) if start == previous else f"{chr(start)}-{chr(previous)}")
            start = cp
        previous = cp
    return "".join(ranges)


_MARKS = _mark_ranges()
_TOKEN = re.compile(
    f"[{_CJK}]"  # one CJK character
    f"|[^\\W_{_CJK}]+(?:[{_MARKS}]+[^\\W_{_CJK}]*)*"  # a word
    f"|[^\\w\\s{_DASHES}]+|_+"  # punctuation: never part of a keyword, so it ends a phrase
)
# The same tokens for ASCII text, where there are no CJK characters, marks or exotic dashes.
_ASCII_TOKEN = re.compile(r"[a-z0-9]+|[^\w\s\-]+|_+")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def _tokens(text: str) -> list[str]:
    """Words, single CJK characters and punctuation runs, casefolded; joiners are dropped."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text.lower())
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Soft hyphens only mark where a word may break; "İ" casefolds to "i" plus a dot above.
    return _TOKEN.findall(folded.replace("\u00ad", "").replace("i\u0307", "i"))


def _keyword_units(text: str) -> list[str]:
    if len(text.strip()) > MAX_KEYWORD_LENGTH:
        raise InvalidKeyword(text, max_length=MAX_KEYWORD_LENGTH)
    units = [token for token in _tokens(text) if token[0].isalnum()]
    if not units:
        raise InvalidKeyword(text)
    return units


def _is_cjk(unit: str) -> bool:
    return _CJK_CHAR.match(unit) is not None


def _join(units: list[str]) -> str:
    parts = [units[0]]
    for previous, unit in itertools.pairwise(units):
        parts.append(unit if _is_cjk(previous) and _is_cjk(unit) else " " + unit)
    return "".join(parts)


def normalize_keyword(text: str) -> str:
    """Canonical key: casefolded tokens joined by single spaces ("vision language action").

    Neighbouring CJK characters are joined without a space ("强化学习"), as they are written.
    Raises InvalidKeyword for an empty or over-long keyword or one without a letter or digit.
    """
    return _join(_keyword_units(text))


def _surface_forms(unit: str) -> tuple[str, ...]:
    """The text tokens that stand for `unit`: itself and, for words, its plurals."""
    if len(unit) < 2 or _is_cjk(unit):
        return (unit,)
    return (unit, unit + "s", unit + "es")


class _Node:
    """A trie node; `by_surface` maps a text token to the nodes it leads to (several when
    both "model" and "models" are keyword words, as the text "models" is either)."""

    __slots__ = ("by_surface", "children", "index")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.by_surface: dict[str, tuple[_Node, ...]] = {}
        self.index = -1  # position of the keyword ending here, -1 if none

    def compile(self) -> None:
        for unit, child in self.children.items():
            for surface in _surface_forms(unit):
                self.by_surface[surface] = (*self.by_surface.get(surface, ()), child)
            child.compile()


class KeywordMatcher:
    """All keywords in one token trie, built once and then only read (safe to share)."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._keys: list[str] = []
        self._display: dict[str, str] = {}
        self._root = _Node()
        for keyword in keywords:
            units = _keyword_units(keyword)
            key = _join(units)
            if key in self._display:
                continue
            self._display[key] = keyword.strip()
            node = self._root
            for unit in units:
                node = node.children.setdefault(unit, _Node())
            node.index = len(self._keys)
            self._keys.append(key)
        self._root.compile()

    @property
    def keys(self) -> list[str]:
        """Canonical keys, in the order their keywords were first given."""
        return list(self._keys)

    def display(self, key: str) -> str:
        """The keyword as first given (stripped), for showing to people."""
        return self._display[key]

    def match(self, text: str) -> list[str]:
        """Keys found in `text`, in first-given order, each once."""
        found: set[int] = set()
        self._scan(_tokens(text), found)
        return [self._keys[index] for index in sorted(found)]

    def match_paper(self, title: str, abstract: str) -> list[str]:
        """Keys found in the title or the abstract; no phrase runs from one into the other."""
        found: set[int] = set()
        self._scan(_tokens(title), found)
        self._scan(_tokens(abstract), found)
        return [self._keys[index] for index in sorted(found)]

    def _scan(self, tokens: list[str], found: set[int]) -> None:
        """Walk the trie from every token; the hot loop, so kept flat."""
        starts = self._root.by_surface
        count = len(tokens)
        for position, token in enumerate(tokens):
            nodes = starts.get(token)
            following = position + 1
            while nodes:
                word = tokens[following] if following < count else ""
                following += 1
                reached: tuple[_Node, ...] = ()
                for node in nodes:
                    if node.index >= 0:
                        found.add(node.index)
                    more = node.by_surface.get(word)
                    if more:
                        reached = reached + more if reached else more
                nodes = reached
