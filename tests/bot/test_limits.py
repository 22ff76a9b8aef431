"""Per-user abuse limits through `ChatCore.handle` and a real Slack app, counted in the database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, open_digest
from bot.core import ChatCore
from bot.platform import Caller, PaperReply
from bot.slack.app import build_slack_app
from bot.slack.client import make_client
from bot.slack.render import render_reply
from bot.slack.runner import run_slack
from domain.messages import text
from tests.bot.slackapp import CHANNEL, SECRET, Bot, GatedOpenAI, private_answers, slash
from tests.chat import MEMBER, error, keywords_of, ok
from tests.daydata import CROSS, ECO, NETVLAD, make_settings, method_pdf, spend_some_tokens_today
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.polling import WAIT_SECONDS, until

OTHER_MEMBER = Caller("slack", "C1", "U2")
ADMIN = Caller("slack", "C1", "UADMIN", is_admin=True)
SAME_ID_ON_TELEGRAM = Caller("telegram", "C1", "U1")
DAY = date(2026, 2, 4)


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


def limited_core(settings: Settings, digest: Any, clock: Clock) -> ChatCore:
    return ChatCore(
        db=digest.db,
        digest=digest,
        feeds=digest.feeds,
        line=digest.line,
        summarize_per_user_per_day=settings.summarize_per_user_per_day,
        summarize_per_user_per_minute=settings.summarize_per_user_per_minute,
        keyword_changes_per_user_per_minute=settings.keyword_changes_per_user_per_minute,
        now=clock,
        today=clock.today,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 2, 4, 8, 30, 48, tzinfo=UTC))


@pytest.fixture
def settings(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> Settings:
    for paper in (ECO, CROSS, NETVLAD):
        arxiv.add_paper(paper, method_pdf(paper.title))
    return make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        summarize_per_user_per_minute=2,
        keyword_changes_per_user_per_minute=2,
        summarize_per_user_per_day=2,
    )


@pytest.fixture
async def core(settings: Settings, clock: Clock) -> AsyncIterator[ChatCore]:
    async with open_digest(settings, digest_options(settings)) as digest:
        yield limited_core(settings, digest, clock)


# ---- rate limits -----------------------------------------------------------------------------


async def test_summarize_over_the_minute_limit_says_when_to_try_again(
    core: ChatCore,
    clock: Clock,
    llm: FakeOpenAI,
) -> None:
    assert isinstance(await core.handle(MEMBER, f"summarize {ECO.arxiv_id}"), PaperReply)
    assert isinstance(await core.handle(MEMBER, f"summarize {ECO.arxiv_id}"), PaperReply)
    asked = len(llm.completions)

    refused = error(await core.handle(MEMBER, f"summarize {CROSS.arxiv_id}"))
    clock.at += timedelta(seconds=5)
    refused_again = error(await core.handle(MEMBER, f"summarize {CROSS.arxiv_id}"))

    assert refused == (
        "Too many summarize requests: at most 2 a minute (SUMMARIZE_PER_USER_PER_MINUTE). "
        "Try again in 12 s (08:31:00 UTC)."
    )
    assert "Try again in 7 s (08:31:00 UTC)." in refused_again
    assert len(llm.completions) == asked  # a refused request does no work
    # Each user has their own limit, and the next minute starts afresh.
    assert isinstance(await core.handle(OTHER_MEMBER, f"summarize {CROSS.arxiv_id}"), PaperReply)
    clock.at = datetime(2026, 2, 4, 8, 31, tzinfo=UTC)
    assert isinstance(await core.handle(MEMBER, f"summarize {CROSS.arxiv_id}"), PaperReply)


async def test_keyword_changes_over_the_minute_limit_include_the_chats_own(
    core: ChatCore, clock: Clock
) -> None:
    ok(await core.handle(ADMIN, "keywords add VLA"))
    ok(await core.handle(ADMIN, "keywords add --channel robotics"))
    refused = error(await core.handle(ADMIN, "keywords remove --channel robotics"))
    ok(await core.handle(MEMBER, "keywords add diffusion"))
    ok(await core.handle(MEMBER, "keywords remove diffusion"))
    refused_member = error(await core.handle(MEMBER, "keywords add world models"))

    assert refused.startswith("Too many keyword changes: at most 2 a minute")
    assert "(KEYWORD_CHANGES_PER_USER_PER_MINUTE). Try again in 12 s" in refused
    assert refused_member == refused
    assert await keywords_of(core, "C1", None) == ["robotics"]
    assert await keywords_of(core, "C1", "U1") == []
    ok(await core.handle(MEMBER, "keywords list"))  # reading is never limited
    clock.at += timedelta(minutes=1)
    ok(await core.handle(MEMBER, "keywords add world models"))
    assert await keywords_of(core, "C1", "U1") == ["world models"]


async def test_zero_turns_the_rate_limits_off(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
    clock: Clock,
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        summarize_per_user_per_minute=0,
        keyword_changes_per_user_per_minute=0,
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        core = limited_core(settings, digest, clock)
        for n in range(12):
            ok(await core.handle(MEMBER, f"keywords add k{n}"))
            assert isinstance(await core.handle(MEMBER, f"summarize {ECO.arxiv_id}"), PaperReply)
        assert len(await keywords_of(core, "C1", "U1")) == 12


async def test_counts_hold_across_a_restart_and_between_replicas(
    settings: Settings,
    clock: Clock,
    llm: FakeOpenAI,
) -> None:
    async with open_digest(settings, digest_options(settings)) as digest:
        first = limited_core(settings, digest, clock)
        assert isinstance(await first.handle(MEMBER, f"summarize {ECO.arxiv_id}"), PaperReply)
        assert isinstance(await first.handle(MEMBER, f"summarize {CROSS.arxiv_id}"), PaperReply)
        ok(await first.handle(MEMBER, "keywords add VLA"))
        async with open_digest(settings, digest_options(settings)) as replica_digest:
            replica = limited_core(settings, replica_digest, clock)
            ok(await replica.handle(MEMBER, "keywords add diffusion"))
            assert "Too many keyword changes" in error(
                await first.handle(MEMBER, "keywords add world models")
            )
            assert "Too many summarize" in error(
                await replica.handle(MEMBER, f"summarize {NETVLAD.arxiv_id}")
            )
    asked = len(llm.completions)

    # A restart the next minute: the minute's limit is fresh, the day's cap is not.
    clock.at += timedelta(minutes=1)
    async with open_digest(settings, digest_options(settings)) as digest:
        restarted = limited_core(settings, digest, clock)
        capped = error(await restarted.handle(MEMBER, f"summarize {NETVLAD.arxiv_id}"))
        stored = await restarted.handle(MEMBER, f"summarize {ECO.arxiv_id}")
        clock.at += timedelta(days=1)
        tomorrow = await restarted.handle(MEMBER, f"summarize {NETVLAD.arxiv_id}")

    assert capped == text("chat.summarize_cap", cap=2)
    assert "again from 00:00 UTC" in capped
    assert isinstance(stored, PaperReply) and stored.entry.analysis is not None
    assert isinstance(tomorrow, PaperReply) and tomorrow.entry.analysis is not None
    assert len(llm.completions) == asked + 1


# ---- who may change which keywords -----------------------------------------------------------


async def test_a_user_changes_only_their_own_keywords_on_their_own_platform(
    core: ChatCore, clock: Clock
) -> None:
    ok(await core.handle(ADMIN, "keywords add --channel VLA"))
    ok(await core.handle(OTHER_MEMBER, "keywords add VLA"))
    clock.at += timedelta(minutes=1)

    # The same user id on Telegram is someone else; a member's remove is their own keywords'.
    assert "do not include: VLA" in error(
        await core.handle(SAME_ID_ON_TELEGRAM, "keywords remove VLA")
    )
    assert "do not include: VLA" in error(await core.handle(MEMBER, "keywords remove VLA"))
    assert "Only an admin" in error(await core.handle(MEMBER, "keywords remove --channel VLA"))

    assert await keywords_of(core, "C1", None) == ["VLA"]
    assert await keywords_of(core, "C1", "U2") == ["VLA"]


# ---- the daily token cap, as the chat shows it -----------------------------------------------


async def test_summarize_over_the_daily_token_cap_shows_the_abstract_with_the_note(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
    clock: Clock,
) -> None:
    arxiv.add_paper(NETVLAD, method_pdf(NETVLAD.title))
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    spent = await spend_some_tokens_today(make_settings(arxiv, llm, database_url, tmp_path))
    asked = len(llm.completions)
    capped = make_settings(arxiv, llm, database_url, tmp_path, llm_daily_token_cap=spent)
    async with open_digest(capped, digest_options(capped)) as digest:
        reply = await limited_core(capped, digest, clock).handle(
            MEMBER, f"summarize {ECO.arxiv_id}"
        )

    assert isinstance(reply, PaperReply) and reply.entry.analysis is None
    assert text("note.over_budget") in reply.entry.notes
    shown = str(render_reply(reply))
    assert "LLM_DAILY_TOKEN_CAP" in shown and ECO.abstract[:40] in shown
    assert len(llm.completions) == asked


# ---- through a real adapter ------------------------------------------------------------------


@pytest.fixture
async def slack_bot(
    arxiv: FakeArxiv,
    slack: FakeSlack,
    database_url: str,
    tmp_path: Path,
    clock: Clock,
) -> AsyncIterator[Bot]:
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    with GatedOpenAI() as gated_llm:
        settings = make_settings(
            arxiv,
            gated_llm,  # type: ignore[arg-type]
            database_url,
            tmp_path,
            slack_bot_token=slack.token,
            slack_api_url=slack.api_url,
            slack_signing_secret=SECRET,
            slack_http_port=0,
            slack_messages_per_second=0,
            summarize_per_user_per_minute=1,
        )
        async with open_digest(settings, digest_options(settings)) as digest:
            core = limited_core(settings, digest, clock)
            app = build_slack_app(core, make_client(settings.slack()), settings.slack())
            ready: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            server = asyncio.create_task(
                run_slack(app, settings.slack(), host="127.0.0.1", on_ready=ready.set_result)
            )
            try:
                url = await asyncio.wait_for(ready, WAIT_SECONDS)
                yield Bot(url, core, slack, gated_llm, arxiv)  # type: ignore[arg-type]
            finally:
                server.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await server


async def test_a_slack_user_over_the_limit_is_told_privately_when_to_try_again(
    slack_bot: Bot,
) -> None:
    await slash(slack_bot, "/summarize", ECO.arxiv_id, token="first")
    await until(lambda: slack_bot.slack.messages(CHANNEL))
    await slash(slack_bot, "/summarize", ECO.arxiv_id, token="second")

    (answer,) = await until(lambda: private_answers(slack_bot.slack, "second"))
    assert answer["text"] == (
        ":warning: Too many summarize requests: at most 1 a minute "
        "(SUMMARIZE_PER_USER_PER_MINUTE). Try again in 12 s (08:31:00 UTC)."
    )
    assert len(slack_bot.slack.messages(CHANNEL)) == 1  # the refused one posted nothing


async def test_interests_changes_count_against_the_summarize_rate(
    core: ChatCore, clock: Clock
) -> None:
    ok(await core.handle(MEMBER, f"interests add {ECO.arxiv_id}"))
    ok(await core.handle(MEMBER, "interests reset"))
    refused = error(await core.handle(MEMBER, f"interests add {CROSS.arxiv_id}"))

    assert refused.startswith("Too many interests changes: at most 2 a minute")
    assert "(SUMMARIZE_PER_USER_PER_MINUTE). Try again in 12 s" in refused
    ok(await core.handle(MEMBER, "interests"))  # reading is never limited
    clock.at += timedelta(minutes=1)
    ok(await core.handle(MEMBER, f"interests add {CROSS.arxiv_id}"))
