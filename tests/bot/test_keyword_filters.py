"""Negative and author keywords in chats: each owner's `-survey` leaves out only their papers,
`author:"Name"` finds an author, and bad ones get a one-line answer in the chat's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from bot.core import ChatCore
from bot.daily import run_daily
from bot.platform import Caller, Mention
from storage.repositories import ChatRepository
from tests.bot.test_delivery import RecordingPoster
from tests.chat import error, keywords_of, lines, ok
from tests.daydata import CROSS, DAY, ECO, make_settings, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.hostile._helpers import assert_one_clean_line

VLA_SURVEY = paper(
    "2602.00790",
    "A Survey of VLA Models",
    "We survey vision-language-action models for robots.",
)
FINN = paper(
    "2602.00791",
    "Meta-Learning for Fast Grasp Adaptation",
    "A robot adapts its grasps from a few trials.",
    authors=["Chélsea Finn", "Sergey Levine"],
)


def _in(chat_id: str, user_id: str) -> Caller:
    return Caller("slack", chat_id, user_id)


@pytest.fixture
async def core(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> AsyncIterator[ChatCore]:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, DAY, [ECO, VLA_SURVEY, FINN, CROSS])
    async with open_digest(settings, digest_options(settings)) as digest:
        yield ChatCore(
            db=digest.db, digest=digest, feeds=digest.feeds, line=digest.line, admins=["UADMIN"]
        )


async def test_a_chats_negative_keyword_drops_the_survey_from_its_thread_alone(
    core: ChatCore,
) -> None:
    ok(await core.handle(_in("C1", "UADMIN"), "keywords add --channel VLA, -survey"))
    ok(await core.handle(_in("C2", "UADMIN"), "keywords add --channel VLA"))
    poster = RecordingPoster()

    await run_daily(core, poster, ["C1", "C2"])

    assert poster.ids("C1") == [CROSS.arxiv_id]
    assert poster.ids("C2") == [VLA_SURVEY.arxiv_id, CROSS.arxiv_id]
    assert poster.parents[0][1].keywords == ["VLA", "-survey"]


async def test_a_members_negative_keyword_spares_the_chats_and_others_matches(
    core: ChatCore,
) -> None:
    ok(await core.handle(_in("C1", "U1"), "keywords add VLA, -survey"))
    ok(await core.handle(_in("C1", "U2"), "keywords add VLA"))
    poster = RecordingPoster()

    await run_daily(core, poster, ["C1"])

    assert VLA_SURVEY.arxiv_id in poster.ids("C1")  # the chat's DIGEST_KEYWORDS select it
    by_paper = {p.arxiv_id: p.mentions for p in poster.papers}
    assert by_paper[VLA_SURVEY.arxiv_id] == (Mention("U2", ("VLA",)),)
    assert by_paper[CROSS.arxiv_id] == (Mention("U1", ("VLA",)), Mention("U2", ("VLA",)))


async def test_an_author_keyword_with_initials_finds_the_accented_author(
    core: ChatCore,
) -> None:
    ok(await core.handle(_in("C1", "U3"), 'keywords add author:"C. Finn"'))
    poster = RecordingPoster()

    await run_daily(core, poster, ["C1"])

    assert FINN.arxiv_id in poster.ids("C1")
    finn = next(p for p in poster.papers if p.arxiv_id == FINN.arxiv_id)
    assert finn.mentions == (Mention("U3", ("author:C. Finn",)),)
    report = poster.parents[0][1]
    assert [e.matched_keywords for e in report.entries if e.paper.arxiv_id == FINN.arxiv_id] == [
        ["author:C. Finn"]
    ]


async def test_a_dm_digest_applies_its_users_negatives(core: ChatCore) -> None:
    ok(await core.handle(_in("C1", "U1"), "keywords add VLA, -survey, author:Chelsea Finn"))
    ok(await core.handle(_in("C1", "U1"), "digest dm on"))
    poster = RecordingPoster()

    await run_daily(core, poster, [])

    assert poster.ids("U1") == [FINN.arxiv_id, CROSS.arxiv_id]  # not VLA_SURVEY


async def test_negative_and_author_keywords_are_listed_marked_and_removed(
    core: ChatCore,
) -> None:
    ok(await core.handle(_in("C1", "U1"), 'keywords add -survey, author:"Chelsea Finn"'))

    listed = lines(await core.handle(_in("C1", "U1"), "keywords list"))

    assert listed[2:4] == ("• -survey (leaves out)", "• author:Chelsea Finn")
    assert ok(await core.handle(_in("C1", "U1"), "keywords remove -survey")) == (
        "Your keywords here: removed -survey."
    )
    assert await keywords_of(core, "C1", "U1") == ["author:Chelsea Finn"]


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "an author name can be at most 100 characters"),
        ("zh", "作者名最多 100 个字符"),
    ],
)
async def test_a_300_character_author_name_is_refused_and_nothing_stored(
    core: ChatCore, language: str, says: str
) -> None:
    async with core.db.session() as session:
        await ChatRepository(session).save("slack", "C1", language=language)

    message = error(await core.handle(_in("C1", "U1"), "keywords add VLA, author:" + "F" * 300))

    assert says in message
    assert_one_clean_line(message)
    assert await keywords_of(core, "C1", "U1") == []


@pytest.mark.parametrize(
    ("typed", "en", "zh"),
    [
        ("-", "leaves nothing out", "没有要排除的内容"),
        ("author:", "needs a name after it", "后面需要一个名字"),
    ],
)
async def test_empty_negative_and_author_keywords_get_one_line(
    core: ChatCore, typed: str, en: str, zh: str
) -> None:
    assert en in error(await core.handle(_in("C1", "U1"), f"keywords add {typed}"))
    async with core.db.session() as session:
        await ChatRepository(session).save("slack", "C1", language="zh")
    message = error(await core.handle(_in("C1", "U1"), f"keywords add {typed}"))
    assert zh in message
    assert_one_clean_line(message)
    assert await keywords_of(core, "C1", "U1") == []
