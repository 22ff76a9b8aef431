"""The daily token cap on analyses and the per-user cap on chat summaries."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.platform import Caller, PaperReply, TextReply
from domain.messages import text
from domain.statuses import ReportStatus
from pipeline.budget import TokenBudget
from storage.db import Database
from tests.daydata import (
    CROSS,
    DAY,
    ECO,
    NETVLAD,
    make_settings,
    method_pdf,
    serve_day,
    spend_some_tokens_today,
)
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

ALICE = Caller("slack", "C1", "U1")
BOB = Caller("slack", "C1", "U2")


def a_day_of_two_papers(arxiv: FakeArxiv) -> None:
    arxiv.add_paper(NETVLAD, method_pdf(NETVLAD.title))
    serve_day(arxiv, DAY, [ECO, CROSS])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)


async def test_a_spent_budget_posts_abstracts_with_a_note_and_asks_the_llm_nothing(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    a_day_of_two_papers(arxiv)
    spent = await spend_some_tokens_today(make_settings(arxiv, llm, database_url, tmp_path))
    assert spent > 0
    asked = len(llm.completions)

    capped = make_settings(arxiv, llm, database_url, tmp_path, llm_daily_token_cap=spent)
    async with open_digest(capped, digest_options(capped)) as digest:
        outcome = await digest.run()

    assert len(llm.completions) == asked
    assert outcome.stats.over_budget == 2 and outcome.stats.analysed == 0
    assert outcome.report.status is ReportStatus.PARTIAL
    for entry in outcome.report.entries:
        assert entry.analysis is None and text("note.over_budget") in entry.notes
    assert outcome.path is not None
    markdown = outcome.path.read_text()
    assert ECO.abstract in markdown and "daily token budget" in markdown


async def test_a_budget_above_todays_spending_still_analyses(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    a_day_of_two_papers(arxiv)
    spent = await spend_some_tokens_today(make_settings(arxiv, llm, database_url, tmp_path))

    for cap in (0, spent * 100):  # 0: no cap at all
        settings = make_settings(arxiv, llm, database_url, tmp_path, llm_daily_token_cap=cap)
        async with open_digest(settings, digest_options(settings)) as digest:
            outcome = await digest.run()
        assert outcome.stats.over_budget == 0
        assert all(text("note.over_budget") not in e.notes for e in outcome.report.entries)
        assert all(e.analysis is not None for e in outcome.report.entries)


async def test_tokens_spent_by_this_process_count_until_the_day_changes(
    database: Database,
) -> None:
    today = date(2026, 2, 4)
    budget = TokenBudget(500, today=lambda: today)
    assert not await budget.exhausted(database)

    budget.spend(499)
    assert not await budget.exhausted(database)
    budget.spend(1)
    assert await budget.exhausted(database)

    today += timedelta(days=1)
    assert not await budget.exhausted(database)
    assert not await TokenBudget(0).exhausted(database)


async def test_summarize_is_capped_per_user_per_day_counting_only_llm_requests(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    for p in (ECO, CROSS, NETVLAD):
        arxiv.add_paper(p, method_pdf(p.title))
    settings = make_settings(arxiv, llm, database_url, tmp_path, summarize_per_user_per_day=1)
    async with open_digest(settings, digest_options(settings)) as digest:
        today = date(2026, 2, 4)
        core = ChatCore(
            db=digest.db,
            digest=digest,
            feeds=digest.feeds,
            line=digest.line,
            summarize_per_user_per_day=1,
            today=lambda: today,
        )

        assert isinstance(await core.handle(ALICE, f"summarize {ECO.arxiv_id}"), PaperReply)
        asked = len(llm.completions)

        refused = await core.handle(ALICE, f"summarize {CROSS.arxiv_id}")
        assert isinstance(refused, TextReply) and refused.is_error
        assert refused.lines == (text("chat.summarize_cap", cap=1),)
        assert len(llm.completions) == asked

        # A stored analysis costs nothing: it is answered over the cap.
        again = await core.handle(ALICE, f"summarize {ECO.arxiv_id}")
        assert isinstance(again, PaperReply) and again.entry.analysis is not None
        # The cap is each user's own, and it is a day's.
        assert isinstance(await core.handle(BOB, f"summarize {CROSS.arxiv_id}"), PaperReply)
        today += timedelta(days=1)
        assert isinstance(await core.handle(ALICE, f"summarize {NETVLAD.arxiv_id}"), PaperReply)
        assert len(llm.completions) > asked


async def test_no_summarize_cap_when_set_to_zero(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    for p in (ECO, CROSS, NETVLAD):
        arxiv.add_paper(p, method_pdf(p.title))
    settings = make_settings(arxiv, llm, database_url, tmp_path, summarize_per_user_per_day=0)
    async with open_digest(settings, digest_options(settings)) as digest:
        core = make_chat_core(settings, digest)
        for p in (ECO, CROSS, NETVLAD):
            reply = await core.handle(ALICE, f"summarize {p.arxiv_id}")
            assert isinstance(reply, PaperReply) and reply.entry.analysis is not None
