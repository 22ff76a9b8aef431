from __future__ import annotations

from datetime import date

import pytest

from bot.search_query import MAX_QUERY_CHARS, parse_search
from domain.errors import CommandError
from storage.search import MAX_TERMS


def test_words_and_every_filter_are_told_apart() -> None:
    request = parse_search(
        'KV-cache compression since:2026-01-01 until:2026-03-31 cat:CS.lg author:"Song Han" '
        "liked chat"
    )
    assert request.words == "KV-cache compression"
    assert request.terms == ["kv cache", "compression"]
    assert (request.since, request.until) == (date(2026, 1, 1), date(2026, 3, 31))
    assert (request.category, request.author) == ("cs.LG", "Song Han")
    assert request.liked and request.in_chat and not request.cut


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("robots since:2026-02-30", "archive.bad_date"),
        ("robots until:yesterday", "archive.bad_date"),
        ("robots cat:", "archive.filter_empty"),
        ("robots author:", "archive.filter_empty"),
        ("robots cat:cs.RO,cs.AI", "archive.one_category"),
        ("robots cat:cs/RO", "errors.command.not_a_category"),
        ("", "archive.search_empty"),
        ('" * - "', "archive.search_empty"),
        ("robots since:2026-03-01 until:2026-02-01", "archive.search_dates_reversed"),
    ],
)
def test_a_filter_that_cannot_be_read_is_refused_by_name(typed: str, key: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_search(typed)
    assert caught.value.key == key
    assert "\n" not in caught.value.message() and "\n" not in caught.value.message("zh")


@pytest.mark.parametrize(
    ("typed", "terms"),
    [
        ('robot "grasp', ["robot", "grasp"]),
        ("NEAR(robot grasp)", ["near robot", "grasp"]),
        ("robot* -grasp", ["robot", "grasp"]),
        ("a'b", ["a", "b"]),
    ],
)
def test_search_syntax_and_unbalanced_quotes_are_plain_words(typed: str, terms: list[str]) -> None:
    assert parse_search(typed).terms == terms


def test_a_filter_alone_is_a_search_of_everything_it_keeps() -> None:
    assert parse_search("liked").liked
    assert parse_search('author:"Chelsea Finn"').author == "Chelsea Finn"


def test_a_long_query_is_cut_and_says_so() -> None:
    words = " ".join(f"word{i}" for i in range(MAX_TERMS + 5))
    assert parse_search(words).cut and len(parse_search(words).terms) == MAX_TERMS
    request = parse_search("robots " * 3000)
    assert request.cut and request.terms == ["robots"]
    assert len(request.words) <= MAX_QUERY_CHARS
    assert not parse_search("robots grasping").cut
