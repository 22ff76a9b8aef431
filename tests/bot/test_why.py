"""`why <arXiv id>`: a stored paper's day, keywords, rank and score for the asker and in the
chat, the liked papers it is closest to and how the chat's report listed it; one line for a
paper no fetched day announced. Ranks are checked on real abstracts (the corpus days)."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

from bot.core import ChatCore
from bot.platform import Caller
from domain.models import Paper
from domain.statuses import Mention, ReportStatus
from storage.records import ReportPaper
from storage.repositories import PaperRepository, ReportRepository, VoteRepository
from storage.votes import DOWN, UP
from tests.bot.test_interests import IN_DM, stored_days
from tests.chat import MEMBER, error, lines
from tests.daydata import make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.samples import sample_paper

CATEGORIES = {"cs.AI", "cs.RO"}  # the `core` fixture's DIGEST_CATEGORIES


def _is_robotics(paper: Paper) -> bool:
    return "cs.RO" in paper.categories


async def _robotics_votes(core: ChatCore, voting: list[Paper], caller: Caller) -> list[Paper]:
    """Ten 👍 on cs.RO papers and ten 👎 on others, by `caller` where they are; the liked."""
    rng = random.Random(14)
    ups = rng.sample([p for p in voting if _is_robotics(p)], 10)
    downs = rng.sample([p for p in voting if not _is_robotics(p)], 10)
    async with core.db.session() as session:
        votes = VoteRepository(session)
        for paper, value in [(p, UP) for p in ups] + [(p, DOWN) for p in downs]:
            await votes.record("slack", caller.chat_id, caller.user_id, paper.arxiv_id, value)
    return ups


def _rank(line: str) -> tuple[int, int]:
    found = re.search(r"#(\d+) of (?:the day's )?(\d+)", line)
    assert found is not None, line
    return int(found[1]), int(found[2])


async def test_why_gives_the_rank_for_the_asker_and_the_chat_and_the_nearest_liked(
    core: ChatCore,
) -> None:
    days = await stored_days(core)
    voting, held_out = [p for day in days[:3] for p in day], days[3]
    in_chat = [p for p in held_out if CATEGORIES.intersection(p.categories)]
    # The day's cs.RO paper the keywords (VLA, vision language action) leave lowest.
    paper = next(p for p in reversed(in_chat) if _is_robotics(p) and "VLA" not in p.abstract)
    before = lines(await core.handle(MEMBER, f"why {paper.arxiv_id}"))
    liked = await _robotics_votes(core, voting, MEMBER)

    answer = lines(await core.handle(MEMBER, f"why https://arxiv.org/abs/{paper.arxiv_id}"))

    assert answer[0].startswith(f"Why {paper.arxiv_id} “{paper.title[:30]}")
    assert answer[0].endswith(f"announced on {paper.announced_on}:")
    assert answer[1] == "It matches none of the keywords here."
    assert "by keyword matches: you have no votes yet" in before[2]
    assert "by keyword matches: no votes here yet" in before[3]
    assert answer[2].startswith("For you: ") and "from 20 votes" in answer[2]
    assert answer[3].startswith("In this chat: ") and "from 20 votes here" in answer[3]
    (was, of), (now, of_now) = _rank(before[2]), _rank(answer[2])
    assert of == of_now == len(in_chat)
    assert now < was / 2, (was, now)  # robotics votes lift a robotics paper
    assert _rank(answer[3])[0] < was / 2
    nearest = answer[4].removeprefix("Closest to papers you liked: ")
    titles = re.findall(r"“([^”]+)” \((0\.\d\d)\)", nearest)
    assert len(titles) == 3
    assert all(any(p.title.startswith(t.rstrip("…")) for p in liked) for t, _ in titles)
    assert answer[5] == f"It is not in a report of {paper.announced_on} here."


async def test_why_says_how_the_chats_report_listed_it(core: ChatCore) -> None:
    days = await stored_days(core, 1)
    paper = next(p for p in days[0] if CATEGORIES.intersection(p.categories))
    assert paper.announced_on is not None
    async with core.db.session() as session:
        await ReportRepository(session).save(
            paper.announced_on,
            f"slack:{MEMBER.chat_id}",
            categories=sorted(CATEGORIES),
            keywords=["VLA"],
            status=ReportStatus.COMPLETE,
            markdown="",
            papers=[ReportPaper(paper.arxiv_id, 1, 0, ("VLA",), Mention.CAPPED)],
        )

    answer = lines(await core.handle(MEMBER, f"why {paper.arxiv_id}"))

    assert answer[-1] == (
        f"The report of {paper.announced_on} here only listed it: it ranked below the day's cap."
    )


async def test_in_a_direct_message_why_ranks_by_the_askers_taste_alone(core: ChatCore) -> None:
    days = await stored_days(core)
    voting, held_out = [p for day in days[:3] for p in day], days[3]
    await _robotics_votes(core, voting, MEMBER)  # in a group: their taste goes everywhere
    paper = next(p for p in held_out if _is_robotics(p))

    answer = lines(await core.handle(IN_DM, f"why {paper.arxiv_id}"))

    assert "from 20 votes" in answer[2]
    assert not any(line.startswith("In this chat") for line in answer)


async def test_a_paper_no_fetched_day_announced_gets_one_line_and_nothing_is_fetched(
    core: ChatCore, arxiv: FakeArxiv
) -> None:
    looked_up = Paper("2602.00999", 1, "A looked-up paper", [], "Text.", ["cs.AI"])
    async with core.db.session() as session:
        await PaperRepository(session).upsert([looked_up])  # as `summarize` keeps one

    for paper in ("2609.99999", looked_up.arxiv_id):
        answer = error(await core.handle(MEMBER, f"why {paper}"))
        assert answer == (
            f"{paper} was not announced on any day this bot fetched, so it has no rank to "
            f"explain; summarize {paper} still analyses it."
        )
    assert arxiv.requests == []
    async with core.db.session() as session:
        assert await PaperRepository(session).get("2609.99999") is None


async def test_why_refuses_what_is_not_one_arxiv_id(core: ChatCore) -> None:
    assert "is not an arXiv id" in error(await core.handle(MEMBER, "why ../../etc/passwd"))
    assert error(await core.handle(MEMBER, "why")).startswith("Usage: why")
    assert error(await core.handle(MEMBER, "why 2602.00780 2602.00781")).startswith("One paper")


async def test_with_ranking_off_why_gives_the_keyword_order_and_says_votes_rank_nothing(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    from arxiv_digest.wiring import digest_options, open_digest

    settings = make_settings(arxiv, llm, database_url, tmp_path, embeddings="off")
    async with open_digest(settings, digest_options(settings)) as digest:
        core = ChatCore(db=digest.db, digest=digest, feeds=digest.feeds, line=digest.line)
        papers = [sample_paper(arxiv_id="2602.00101"), sample_paper(arxiv_id="2602.00102")]
        async with core.db.session() as session:
            await PaperRepository(session).record_announcements(date(2026, 2, 4), papers)
            await VoteRepository(session).record("slack", "C1", "U1", "2602.00101", UP)

        answer = lines(await core.handle(MEMBER, "why 2602.00102"))

    assert answer[2:4] == (
        "Ranking by votes is off here (EMBEDDINGS=off): days keep their keyword order.",
        "By keyword matches: #2 of the day's 2.",
    )
    assert not any("score" in line or "Closest" in line for line in answer)
