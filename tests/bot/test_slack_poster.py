"""Posting to Slack through the real `AsyncWebClient` against a fake Slack Web API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.daily import ChatRun
from bot.delivery import deliver_day
from bot.pacing import ChannelPacer
from bot.platform import Mention, ReportReply
from bot.slack.client import make_client
from bot.slack.platform import SlackPlatform
from bot.slack.poster import SlackPoster
from bot.slack.settings import SlackConfigError
from domain.statuses import AnalysisSource
from storage.db import Database
from tests.chatworlds import FlakySlack
from tests.daydata import (
    CROSS,
    DAY,
    ECO,
    NETVLAD,
    NEXT_DAY,
    make_settings,
    method_pdf,
    paper,
    serve_day,
)
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack, Post
from tests.samples import thread_entry, thread_report

CHANNEL = "C0DIGEST"
PAPERS = [
    paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 5)
]


@pytest.fixture
def slack() -> Iterator[FlakySlack]:
    with FlakySlack() as fake:
        yield fake  # type: ignore[misc]


def slack_settings(slack: FakeSlack, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": slack.token,
        "slack_api_url": slack.api_url,
        "slack_channels": [CHANNEL],
        "slack_messages_per_second": 0,  # unpaced: ChannelPacer has its own test
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def poster_for(slack: FakeSlack, **overrides: object) -> SlackPoster:
    settings = slack_settings(slack, **overrides).slack()
    return SlackPoster.from_settings(make_client(settings), settings)


def all_text(post: Post) -> str:
    return f"{post.text} {post.blocks}"


def posts_about(posts: list[Post], title: str) -> list[Post]:
    return [p for p in posts if p.text and title in p.text]


# ---- pacing --------------------------------------------------------------------------------


async def test_pacer_spaces_posts_in_one_channel_and_lets_other_channels_go() -> None:
    now = [100.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = ChannelPacer(2.0, clock=lambda: now[0], sleep=sleep)

    for _ in range(3):
        await pacer.wait_turn("C1")
    await pacer.wait_turn("C2")
    assert slept == [0.5, 1.0]  # the 2nd and 3rd post in C1 wait; C2 does not

    now[0] += 10  # long after: no waiting left
    await pacer.wait_turn("C1")
    assert slept == [0.5, 1.0]


async def test_pacer_with_no_limit_never_waits() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    pacer = ChannelPacer(0, clock=lambda: 0.0, sleep=sleep)
    for _ in range(5):
        await pacer.wait_turn("C1")
    assert slept == []


# ---- posting -------------------------------------------------------------------------------


async def test_a_days_posts_have_blocks_a_fallback_text_no_unfurls_and_slack_mentions(
    slack: FlakySlack, database: Database
) -> None:
    entries = [thread_entry(p) for p in PAPERS]
    mentions = {PAPERS[0].arxiv_id: [Mention("U0ALICE", ("VLA",))]}

    await deliver_day(database, poster_for(slack), CHANNEL, thread_report(entries), mentions)

    (parent,) = slack.messages(CHANNEL)
    thread = slack.thread(CHANNEL, parent.ts)
    for posted, p in zip(thread, PAPERS, strict=True):
        assert p.title in (posted.text or "")  # the notification names the paper
    assert "<@U0ALICE>" in all_text(thread[0])
    assert "<@U0ALICE>" not in all_text(thread[1])
    for post in slack.all_posts:
        assert post.unfurl_links is False and post.unfurl_media is False
        assert post.text and post.text.strip()  # the notification / fallback text
        assert post.blocks


async def test_a_server_down_for_longer_than_the_retries_raises_and_posts_nothing(
    slack: FlakySlack,
) -> None:
    slack.fail_next(*[Response(500, b"down", {"Content-Type": "text/plain"})] * 3)

    with pytest.raises(SlackApiError):
        await poster_for(slack).post_parent(CHANNEL, thread_report([]))

    assert len(slack.requests_to("/api/chat.postMessage")) == 3  # the first try and 2 retries
    assert slack.all_posts == []


async def test_a_user_id_gets_the_thread_in_the_bots_dm_with_that_user(
    slack: FlakySlack,
) -> None:
    poster = poster_for(slack)

    head = await poster.post_parent("U0BOB", thread_report([thread_entry(PAPERS[0])]))
    await poster.post_paper("U0BOB", head, thread_entry(PAPERS[0]), ())

    dm = slack.dm_channel("U0BOB")
    assert [p.channel for p in slack.all_posts] == [dm, dm]  # not the user id itself
    assert len(slack.thread(dm, head.message_id)) == 1
    assert len(slack.requests_to("/api/conversations.open")) == 1  # opened once, then cached


async def test_a_reply_takes_one_line_of_the_channel_and_the_rest_goes_into_its_thread(
    slack: FlakySlack,
) -> None:
    # A long list of papers: more than one message.
    report = thread_report(
        [thread_entry(p, analysis=None, source=AnalysisSource.NONE) for p in PAPERS] * 40
    )

    first_ts = await poster_for(slack).post_reply(CHANNEL, ReportReply(report))

    (top,) = slack.messages(CHANNEL)
    assert top.ts == first_ts
    assert slack.thread(CHANNEL, first_ts)
    assert len(slack.all_posts) == 1 + len(slack.thread(CHANNEL, first_ts))


def test_the_client_needs_a_token_and_empty_settings_mean_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.setenv(name, "")  # as copied from .env.example
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.slack_configured
    assert settings.slack_app_token is None and settings.slack_signing_secret is None
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        settings.slack()  # what the client is made from


# ---- the daily run, end to end --------------------------------------------------------------


async def deliver_to_slack(settings: Settings, core: ChatCore) -> list[ChatRun]:
    return await SlackPlatform(settings.slack()).deliver(core)


@pytest.fixture
async def daily(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    slack: FlakySlack,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[tuple[Settings, ChatCore]]:
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        slack_bot_token=slack.token,
        slack_api_url=slack.api_url,
        slack_channels=[CHANNEL],
        slack_messages_per_second=0,
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        yield settings, make_chat_core(settings, digest)


async def test_the_daily_run_posts_the_channels_thread_and_a_rerun_posts_nothing_new(
    daily: tuple[Settings, ChatCore],
    slack: FlakySlack,
    llm: FakeOpenAI,
) -> None:
    settings, core = daily

    (run,) = await deliver_to_slack(settings, core)

    assert run.ok and run.delivery is not None
    (parent,) = slack.messages(CHANNEL)
    assert DAY.isoformat() in all_text(parent)
    thread = slack.thread(CHANNEL, parent.ts)
    assert [len(posts_about(thread, p.title)) for p in (ECO, CROSS)] == [1, 1]
    assert not posts_about(slack.all_posts, NETVLAD.title)  # did not match
    posts, completions = len(slack.all_posts), len(llm.completions)

    (again,) = await deliver_to_slack(settings, core)

    assert again.ok and again.delivery is not None
    assert again.delivery.posted == [] and not again.delivery.parent_posted
    assert len(slack.all_posts) == posts
    assert len(llm.completions) == completions
    # A thread's calls share kept-alive connections instead of connecting for each one.
    calls = slack.requests_to("/api/chat.postMessage")
    assert len({call.connection for call in calls}) < len(calls)


async def test_a_rerun_after_slack_failed_halfway_completes_the_same_thread(
    daily: tuple[Settings, ChatCore],
    slack: FlakySlack,
    arxiv: FakeArxiv,
) -> None:
    settings, core = daily
    extra = [paper(f"2602.0090{n}", f"More VLA work, part {n}", "On VLA.") for n in range(3)]
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS, *extra])
    titles = [ECO.title, CROSS.title, *(p.title for p in extra)]
    slack.after, slack.times = 3, 3  # parent and two papers, then down beyond the retries

    (failed,) = await deliver_to_slack(settings, core)

    assert not failed.ok and failed.error
    (parent,) = slack.messages(CHANNEL)
    assert len(slack.thread(CHANNEL, parent.ts)) == 2

    (rerun,) = await deliver_to_slack(settings, core)

    assert rerun.ok and rerun.delivery is not None
    assert not rerun.delivery.parent_posted and len(rerun.delivery.already_sent) == 2
    assert slack.messages(CHANNEL) == [parent]  # the same thread, no second parent
    thread = slack.thread(CHANNEL, parent.ts)
    assert sorted(len(posts_about(thread, t)) for t in titles) == [1] * len(titles)
    assert len(thread) == len(titles)


async def test_a_channel_slack_refuses_does_not_keep_the_others_from_their_thread(
    daily: tuple[Settings, ChatCore], slack: FlakySlack
) -> None:
    settings, core = daily
    settings = settings.model_copy(update={"slack_channels": ["C0GONE", CHANNEL]})
    slack.channels = {CHANNEL}

    gone, ok = await deliver_to_slack(settings, core)

    assert not gone.ok and "channel_not_found" in (gone.error or "")
    assert ok.ok and len(slack.messages(CHANNEL)) == 1


async def test_a_day_without_papers_is_one_short_note_and_never_an_old_day_again(
    daily: tuple[Settings, ChatCore],
    slack: FlakySlack,
    arxiv: FakeArxiv,
) -> None:
    settings, core = daily
    await deliver_to_slack(settings, core)
    serve_day(arxiv, NEXT_DAY, [])
    core.feeds.forget()

    await deliver_to_slack(settings, core)
    await deliver_to_slack(settings, core)

    first, note = slack.messages(CHANNEL)
    assert DAY.isoformat() in all_text(first)
    assert NEXT_DAY.isoformat() in all_text(note) and "no papers" in all_text(note)
    assert slack.thread(CHANNEL, note.ts) == []


async def test_a_post_slack_kept_though_it_answered_an_error_is_found_not_reposted(
    daily: tuple[Settings, ChatCore],
    slack: FlakySlack,
) -> None:
    settings, core = daily
    slack.lose_answers_to = {1, 2}  # the parent, then the first paper: kept, never acknowledged

    (lost_parent,) = await deliver_to_slack(settings, core)
    (lost_paper,) = await deliver_to_slack(settings, core)
    (done,) = await deliver_to_slack(settings, core)

    assert not lost_parent.ok and "fatal_error" in (lost_parent.error or "")
    assert not lost_paper.ok
    assert done.ok and done.delivery is not None and not done.delivery.parent_posted
    (parent,) = slack.messages(CHANNEL)
    thread = slack.thread(CHANNEL, parent.ts)
    assert [len(posts_about(thread, p.title)) for p in (ECO, CROSS)] == [1, 1]


async def test_without_the_history_scopes_a_lost_answer_means_posting_again(
    daily: tuple[Settings, ChatCore],
    slack: FlakySlack,
) -> None:
    settings, core = daily
    slack.history_allowed = False
    slack.lose_answers_to = {1}

    await deliver_to_slack(settings, core)
    (done,) = await deliver_to_slack(settings, core)

    assert done.ok
    assert len(slack.messages(CHANNEL)) == 2  # never skipped: posted again, as we cannot look
