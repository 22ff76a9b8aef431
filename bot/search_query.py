"""What a person types after `search`, read into words and filters; no I/O happens here.

`KV-cache compression since:2026-01-01 cat:cs.LG author:"Song Han" liked chat` holds the words
"KV-cache compression" and five filters. Everything that is not a filter is words, searched as
plain text (quotes, `*`, `-` and `NEAR` mean nothing special); a filter that cannot be read
("since:2026-02-30", "cat:" with nothing after) is refused in one line, never guessed.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import date

from bot.commands import parse_categories
from domain.errors import CommandError
from storage.search import MAX_TERMS, all_terms, search_terms

MAX_QUERY_CHARS = 500  # beyond this a query is cut (and the answer says so), not refused
_FILTER = re.compile(r"^(since|until|cat|author):(.*)$", re.IGNORECASE | re.DOTALL)
_FLAGS = ("liked", "chat")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    words: str  # what remains once the filters are taken out, as typed
    since: date | None = None
    until: date | None = None
    category: str | None = None
    author: str | None = None
    liked: bool = False  # only papers the asker gave a 👍
    in_chat: bool = False  # only papers posted in this chat
    cut: bool = False  # the query was longer than MAX_QUERY_CHARS or MAX_TERMS words

    @property
    def terms(self) -> list[str]:
        return search_terms(self.words)


def parse_search(typed: str) -> SearchRequest:
    """Words and filters; CommandError (with its catalogue key) for an unreadable filter or
    a query with nothing to search by."""
    cut = len(typed) > MAX_QUERY_CHARS
    if cut:  # at a word's end, so no word is searched by its first letters
        typed = typed[: MAX_QUERY_CHARS + 1].rsplit(maxsplit=1)[0]
    values: dict[str, object] = {}
    words: list[str] = []
    for token in _tokens(typed):
        if token.lower() in _FLAGS:
            values["liked" if token.lower() == "liked" else "in_chat"] = True
        elif match := _FILTER.match(token):
            name, value = match.group(1).lower(), match.group(2).strip()
            values[_FIELDS[name]] = _filter_value(name, value)
        else:
            words.append(token)
    text = " ".join(words)
    cut = cut or len(all_terms(text)) > MAX_TERMS
    request = SearchRequest(text, cut=cut, **values)  # type: ignore[arg-type]
    if not request.terms and not (request.liked or request.in_chat or request.author):
        raise CommandError("archive.search_empty")
    if request.since and request.until and request.since > request.until:
        raise CommandError(
            "archive.search_dates_reversed", since=request.since, until=request.until
        )
    return request


_FIELDS = {"since": "since", "until": "until", "cat": "category", "author": "author"}


def _tokens(typed: str) -> list[str]:
    """Split like a shell (so `author:"Song Han"` is one token); unbalanced quotes are text."""
    lexer = shlex.shlex(typed, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote: the words as they are, quotes dropped
        return typed.replace('"', " ").replace("'", " ").split()


def _filter_value(name: str, value: str) -> object:
    if not value:
        raise CommandError("archive.filter_empty", name=name)
    if name in ("since", "until"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError("archive.bad_date", name=name, value=value[:40]) from None
    if name == "cat":
        categories = parse_categories(value)
        if len(categories) > 1:
            raise CommandError("archive.one_category")
        return categories[0]
    return value[:100]  # author
