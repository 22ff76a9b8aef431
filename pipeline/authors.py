"""Author names compared as people write them: "C. Finn", "Chelsea Finn" and "Chélsea Finn".

A name is casefolded, stripped of accents (NFKD, combining marks dropped) and split into words;
the last word is the last name, the others are given names (hyphenated ones split in two). Two
names match when their last names are equal and their given names agree as far as both go, a
single letter standing for any name with that initial: "Finn" (no given name) matches every
Finn, "C. Finn" matches "Chelsea B. Finn", but "Chelsea Finn" does not match "Carl Finn".
Matching looks a paper's authors up by last name in a dict: no regular expression runs over text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from domain.errors import InvalidKeyword

MAX_AUTHOR_LENGTH = 100

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _words(name: str) -> list[str]:
    if name.isascii():  # most names: nothing to fold but case
        return _WORD.findall(name.lower())
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain.replace("ß", "ss"))


def normalize_author(name: str) -> str:
    """Canonical form of an author keyword: plain lower-case words ("chelsea finn").

    Raises InvalidKeyword for a name over MAX_AUTHOR_LENGTH characters or without a letter.
    """
    if len(name.strip()) > MAX_AUTHOR_LENGTH:
        raise InvalidKeyword(name, max_length=MAX_AUTHOR_LENGTH)
    words = _words(name)
    if not words:
        raise InvalidKeyword(name)
    return " ".join(words)


def _last_and_given(words: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """("finn", ("chelsea",)) for "chelsea finn"; "jean-baptiste" gives ("jean", "baptiste")."""
    given = tuple(part for word in words[:-1] for part in re.split(r"[-'’]", word) if part)
    return words[-1], given


def _same_given(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Given names agree as far as both go; an initial agrees with any name it begins."""
    return all(
        a == b or ((len(a) == 1 or len(b) == 1) and a[0] == b[0])
        for a, b in zip(one, other, strict=False)
    )


class AuthorMatcher:
    """Author keys (normalised names) found among a paper's authors; read-only once built."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # last → (given, key)
        for name in names:
            key = normalize_author(name)
            last, given = _last_and_given(key.split())
            entries = self._by_last.setdefault(last, [])
            if all(k != key for _, k in entries):
                entries.append((given, key))

    def match(self, authors: Iterable[str]) -> set[str]:
        """The keys whose name is one of `authors`."""
        found: set[str] = set()
        if not self._by_last:
            return found
        for author in authors:
            words = _words(author)
            if not words or (wanted := self._by_last.get(words[-1])) is None:
                continue
            _, given = _last_and_given(words)
            found.update(key for own, key in wanted if _same_given(own, given))
        return found
