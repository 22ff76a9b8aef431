"""Ten thousand keywords: in one command, piled up over many, and in the matcher."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from pipeline.matching import KeywordMatcher
from tests.chat import ADMIN, MEMBER, error, keywords_of, ok
from tests.daydata import make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.hostile._helpers import assert_one_clean_line

CAP = 30


def words(count: int, start: int = 0) -> list[str]:
    """Distinct made-up words: "kw0", "kw1", …"""
    return [f"kw{number}" for number in range(start, start + count)]


async def test_ten_thousand_keywords_in_one_command_are_refused_and_none_stored(
    core: ChatCore,
) -> None:
    message = error(await core.handle(MEMBER, "keywords add " + ", ".join(words(10_000))))
    assert message == "At most 20 keywords at once, please."
    assert await keywords_of(core, "C1", MEMBER.user_id) == []


@pytest.fixture
async def capped(
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[ChatCore]:
    """The core as `serve` wires it, with KEYWORDS_PER_USER at 30 and no rate limit."""
    settings = make_settings(
        arxiv,
        None,
        database_url,
        tmp_path,
        keywords_per_user=CAP,
        keyword_changes_per_user_per_minute=0,
        bot_admins=[ADMIN.user_id],
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        yield make_chat_core(settings, digest)


def test_the_cap_has_a_default() -> None:
    assert Settings(_env_file=None).keywords_per_user == 100  # type: ignore[call-arg]


async def test_keywords_pile_up_only_to_the_per_user_cap(capped: ChatCore) -> None:
    ok(await capped.handle(MEMBER, "keywords add " + ", ".join(words(20))))

    message = error(await capped.handle(MEMBER, "keywords add " + ", ".join(words(20, 20))))

    assert message == (
        "Your list here can hold at most 30 keywords (KEYWORDS_PER_USER); 20 are there, so 10 "
        "more fit: remove some first with 'keywords remove'."
    )
    assert_one_clean_line(message)
    assert await keywords_of(capped, "C1", MEMBER.user_id) == words(20)
    ok(await capped.handle(MEMBER, "keywords add " + ", ".join(words(10, 20))))
    assert await keywords_of(capped, "C1", MEMBER.user_id) == words(30)


async def test_keywords_already_there_cost_nothing_and_removing_makes_room(
    capped: ChatCore,
) -> None:
    for start in (0, 20):
        ok(await capped.handle(MEMBER, "keywords add " + ", ".join(words(15, start))))
    assert "Already there" in ok(await capped.handle(MEMBER, "keywords add kw0, KW1, kw2"))
    assert "so 0 more fit" in error(await capped.handle(MEMBER, "keywords add brand new"))

    ok(await capped.handle(MEMBER, "keywords remove kw0"))
    ok(await capped.handle(MEMBER, "keywords add brand new"))
    assert len(await keywords_of(capped, "C1", MEMBER.user_id)) == CAP


async def test_the_cap_is_per_member_and_per_chat(capped: ChatCore) -> None:
    for start in (0, 20):
        ok(await capped.handle(MEMBER, "keywords add " + ", ".join(words(15, start))))
    # another member, and the chat's own list, each have their own room
    ok(await capped.handle(ADMIN, "keywords add " + ", ".join(words(20))))
    for start in (0, 20):
        ok(await capped.handle(ADMIN, "keywords add --channel " + ", ".join(words(15, start))))
    message = error(await capped.handle(ADMIN, "keywords add --channel one more"))
    assert message.startswith("This chat's list can hold at most 30 keywords")
    assert len(await keywords_of(capped, "C1", None)) == CAP


def test_the_matcher_finds_exactly_what_a_regex_per_keyword_finds_among_10000() -> None:
    rng = random.Random(7)
    vocabulary = [f"term{n}" for n in range(3_000)] + ["vision", "language", "action", "model"]
    keywords: list[str] = []
    while len(keywords) < 10_000:
        size = rng.choice((1, 1, 2, 3))
        phrase = " ".join(rng.choice(vocabulary) for _ in range(size))
        if phrase not in keywords:
            keywords.append(phrase)
    texts = [" ".join(rng.choice(vocabulary) for _ in range(150)) for _ in range(8)]
    texts.append("Vision-Language-Action models and term7s, (term8) term9.term10")

    matcher = KeywordMatcher(keywords)

    assert len(matcher.keys) == 10_000
    patterns = [(keyword, _regex(keyword)) for keyword in keywords]
    for text in texts:
        expected = [keyword for keyword, pattern in patterns if pattern.search(text)]
        assert len(expected) > 3  # the texts do hold keywords, so a silent matcher would fail
        assert matcher.match(text) == expected


def _regex(keyword: str) -> re.Pattern[str]:
    """The documented rule, written the slow way: whole words, any word may be plural,
    spaces and hyphens between words alike."""
    parts = [re.escape(word) + "(?:e?s)?" for word in keyword.split()]
    return re.compile(r"(?<![^\W_])" + r"[\s\-]+".join(parts) + r"(?![^\W_])", re.IGNORECASE)
