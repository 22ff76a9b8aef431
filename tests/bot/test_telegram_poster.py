"""Posting to Telegram through the real python-telegram-bot `ExtBot` (rate limiter included)
against a fake Bot API on 127.0.0.1 that validates messages as Telegram does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.error import NetworkError
from telegram.ext import ExtBot

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.daily import ChatRun
from bot.delivery import deliver_day
from bot.platform import Mention
from bot.telegram.platform import TelegramPlatform
from bot.telegram.poster import BotNotStarted, TelegramPoster, make_bot, topic_name
from bot.telegram.settings import TelegramConfigError
from domain.models import PaperAnalysis
from storage.db import Database
from storage.repositories import ChatRepository, SubscriptionRepository
from tests.chatworlds import FlakyTelegram
from tests.daydata import CROSS, DAY, ECO, NETVLAD, make_settings, method_pdf, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.samples import thread_entry, thread_report

GROUP = -100200300  # a supergroup
FORUM = -100400500  # a forum supergroup
ALICE = 42
PAPERS = [
    paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 5)
]


@pytest.fixture
def telegram() -> Iterator[FlakyTelegram]:
    with FlakyTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake  # type: ignore[misc]


def telegram_settings(telegram: FakeTelegram, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": telegram.token,
        "telegram_api_url": telegram.base_url,
        "telegram_chats": [str(GROUP)],
        "telegram_messages_per_second": 0,  # unpaced: ChannelPacer has its own test
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def bot(telegram: FlakyTelegram) -> AsyncIterator[ExtBot[int]]:
    async with make_bot(telegram_settings(telegram).telegram()) as bot:
        yield bot


@pytest.fixture
def poster(bot: ExtBot[int]) -> TelegramPoster:
    return TelegramPoster(bot, messages_per_second=0)


def about(messages: list[SentMessage], title: str) -> list[SentMessage]:
    return [m for m in messages if title in m.plain]


def replies_to(messages: list[SentMessage], message_id: int) -> list[SentMessage]:
    return [m for m in messages if m.reply_to == message_id]


# ---- a day's thread --------------------------------------------------------------------------


async def test_a_day_in_a_group_is_html_without_previews_or_topics_and_mentions_by_name(
    telegram: FlakyTelegram, poster: TelegramPoster, database: Database
) -> None:
    mentions = {PAPERS[0].arxiv_id: [Mention(str(ALICE), ("VLA",))]}
    telegram.add_message(GROUP, ALICE, "hello", first_name="Alice")  # the member's name is known

    await deliver_day(
        database, poster, str(GROUP), thread_report([thread_entry(p) for p in PAPERS]), mentions
    )

    _, *papers = telegram.sent(GROUP)
    assert "Alice" in papers[0].plain and f"tg://user?id={ALICE}" in papers[0].text
    assert "Alice" not in papers[1].plain
    for message in telegram.sent(GROUP):
        assert message.parse_mode == "HTML"
        assert message.link_preview_options == {"is_disabled": True}
        assert message.message_thread_id is None
    assert telegram.topics == {}


async def test_a_day_in_a_forum_gets_its_own_topic_with_everything_in_it(
    telegram: FlakyTelegram, poster: TelegramPoster, database: Database
) -> None:
    telegram.add_chat(FORUM, "supergroup", is_forum=True)
    telegram.can_manage_topics[FORUM] = True

    outcome = await deliver_day(
        database, poster, str(FORUM), thread_report([thread_entry(p) for p in PAPERS[:2]]), {}
    )

    ((topic, name),) = telegram.topics[FORUM].items()
    assert name == "arXiv digest 2026-02-04" == topic_name(thread_report([]))
    parent, *papers = telegram.sent(FORUM)
    assert [m.message_thread_id for m in telegram.sent(FORUM)] == [topic] * 3
    assert [m.reply_to for m in papers] == [parent.message_id] * 2
    assert outcome.parent_message_id == str(parent.message_id)

    again = await deliver_day(
        database, poster, str(FORUM), thread_report([thread_entry(p) for p in PAPERS[:3]]), {}
    )  # the same day with one more paper: it joins the same topic

    assert len(telegram.topics[FORUM]) == 1 and not again.parent_posted
    (third,) = telegram.sent(FORUM)[3:]
    assert third.message_thread_id == topic and third.reply_to == parent.message_id


async def test_a_forum_where_the_bot_may_not_manage_topics_gets_a_plain_thread(
    telegram: FlakyTelegram, poster: TelegramPoster
) -> None:
    telegram.add_chat(FORUM, "supergroup", is_forum=True)
    telegram.can_manage_topics[FORUM] = False

    head = await poster.post_parent(str(FORUM), thread_report([]))
    await poster.post_paper(str(FORUM), head, thread_entry(PAPERS[0]), ())

    assert head.topic_id is None and telegram.topics.get(FORUM, {}) == {}
    parent, reply = telegram.sent(FORUM)
    assert reply.reply_to == parent.message_id and reply.message_thread_id is None


async def test_a_rerun_after_telegram_failed_halfway_completes_the_same_forum_topic(
    telegram: FlakyTelegram, poster: TelegramPoster, database: Database
) -> None:
    chat = FORUM  # in a group, tests/bot/test_posters.py shows the same for both platforms
    telegram.add_chat(FORUM, "supergroup", is_forum=True)
    telegram.can_manage_topics[FORUM] = True
    report = thread_report([thread_entry(p) for p in PAPERS])
    telegram.after, telegram.times = 3, 1  # the parent and two papers, then a 500

    with pytest.raises(NetworkError):
        await deliver_day(database, poster, str(chat), report, {})
    assert len(telegram.sent(chat)) == 3

    rerun = await deliver_day(database, poster, str(chat), report, {})

    assert not rerun.parent_posted and len(rerun.already_sent) == 2
    parent, *papers = telegram.sent(chat)
    assert [m for m in telegram.sent(chat) if m.reply_to is None] == [parent]
    assert [len(about(papers, p.title)) for p in PAPERS] == [1] * len(PAPERS)
    assert [m.reply_to for m in papers] == [parent.message_id] * len(PAPERS)
    assert len({m.message_thread_id for m in telegram.sent(chat)}) == 1
    assert len(telegram.topics[chat]) == 1


async def test_429s_beyond_the_retries_stop_the_run_and_a_rerun_completes_it(
    telegram: FlakyTelegram, poster: TelegramPoster, database: Database
) -> None:
    report = thread_report([thread_entry(p) for p in PAPERS[:2]])
    await poster.post_parent(str(GROUP), thread_report([]))  # something else in the chat first
    telegram.rate_limit_next(6, retry_after=1)  # the first try and all five retries

    with pytest.raises(Exception, match=r"[Ff]lood|retry"):
        await deliver_day(database, poster, str(GROUP), report, {})
    rerun = await deliver_day(database, poster, str(GROUP), report, {})

    assert rerun.parent_posted and rerun.posted == [p.arxiv_id for p in PAPERS[:2]]
    assert len(telegram.sent(GROUP)) == 1 + 3


# ---- what Telegram would refuse ------------------------------------------------------------------


async def test_titles_and_analyses_with_html_characters_are_accepted_and_shown_as_typed(
    telegram: FlakyTelegram, poster: TelegramPoster
) -> None:
    title = "Bounds for <b>x</b> & y > z: when a<b & c>d"
    tricky = paper("2602.09999", title, "Abstract with <i>tags</i> & ampersands.")
    analysis = PaperAnalysis(
        summary="We show x < y && y > z in <code>.",
        motivation="A&B",
        contributions=["<script>alert(1)</script>"],
        method="a <- b",
        experiments="1 < 2",
    )

    head = await poster.post_parent(str(GROUP), thread_report([thread_entry(tricky)]))
    await poster.post_paper(str(GROUP), head, thread_entry(tricky, analysis=analysis), ())

    _, posted = telegram.sent(GROUP)
    assert title in posted.plain
    assert "x < y && y > z in <code>." in posted.plain
    assert "<script>alert(1)</script>" in posted.plain


async def test_a_very_long_analysis_is_several_replies_and_the_first_is_the_papers_id(
    telegram: FlakyTelegram, poster: TelegramPoster
) -> None:
    long_text = " ".join(["The method prunes channels adaptively & <quickly>."] * 300)
    long_entry = thread_entry(
        PAPERS[0],
        analysis=PaperAnalysis(
            summary=long_text,
            motivation=long_text,
            contributions=["One."],
            method=long_text,
            experiments="It works.",
        ),
    )
    head = await poster.post_parent(str(GROUP), thread_report([]))

    message_id = await poster.post_paper(str(GROUP), head, long_entry, ())

    parent, *parts = telegram.sent(GROUP)
    assert len(parts) > 2  # every one accepted by the fake's length and HTML checks
    assert message_id == str(parts[0].message_id)
    assert [m.reply_to for m in parts] == [parent.message_id] * len(parts)
    assert sum(m.plain.count("adaptively & <quickly>") for m in parts) == 3 * 300


# ---- private chats ------------------------------------------------------------------------------


async def test_a_user_who_never_started_the_bot_gets_a_clear_error(
    telegram: FlakyTelegram, poster: TelegramPoster
) -> None:
    telegram.blocked_users.add(ALICE)

    with pytest.raises(BotNotStarted, match=f"@{telegram.username} and press Start"):
        await poster.post_parent(str(ALICE), thread_report([]))

    telegram.blocked_users.clear()  # Alice pressed Start
    head = await poster.post_parent(str(ALICE), thread_report([]))
    assert head.topic_id is None and len(telegram.sent(ALICE)) == 1


def test_telegram_needs_a_token_and_empty_settings_mean_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_WEBHOOK_SECRET",
        "TELEGRAM_CHATS",
    ):
        monkeypatch.setenv(name, "")  # as copied from .env.example
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert not settings.telegram_configured
    assert settings.telegram_webhook_url is None and settings.telegram_webhook_secret is None
    assert settings.telegram_chats == []
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    with pytest.raises(TelegramConfigError, match="TELEGRAM_BOT_TOKEN"):
        settings.telegram()  # what the bot is made from

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_CHATS", "-1001, 42")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.telegram_configured and settings.telegram_chats == ["-1001", "42"]


# ---- the daily run, end to end --------------------------------------------------------------


async def deliver_to_telegram(settings: Settings, core: ChatCore) -> list[ChatRun]:
    return await TelegramPlatform(settings.telegram()).deliver(core)


@pytest.fixture
async def daily(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    telegram: FlakyTelegram,
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
        telegram_bot_token=telegram.token,
        telegram_api_url=telegram.base_url,
        telegram_chats=[str(GROUP)],
        telegram_messages_per_second=0,
    )
    async with open_digest(settings, digest_options(settings)) as digest:
        yield settings, make_chat_core(settings, digest)


async def test_the_daily_run_posts_the_chats_thread_and_a_rerun_posts_nothing_new(
    daily: tuple[Settings, ChatCore],
    telegram: FlakyTelegram,
    llm: FakeOpenAI,
) -> None:
    settings, core = daily

    (run,) = await deliver_to_telegram(settings, core)

    assert run.ok and run.delivery is not None
    parent, *papers = telegram.sent(GROUP)
    assert DAY.isoformat() in parent.plain
    assert [len(about(papers, p.title)) for p in (ECO, CROSS)] == [1, 1]
    assert replies_to(papers, parent.message_id) == papers
    assert not about(telegram.all_sent, NETVLAD.title)  # did not match
    sent, completions = len(telegram.all_sent), len(llm.completions)

    (again,) = await deliver_to_telegram(settings, core)

    assert again.ok and again.delivery is not None
    assert again.delivery.posted == [] and not again.delivery.parent_posted
    assert len(telegram.all_sent) == sent and len(llm.completions) == completions


async def test_a_dm_subscriber_who_never_started_the_bot_fails_alone_and_says_why(
    daily: tuple[Settings, ChatCore], telegram: FlakyTelegram
) -> None:
    settings, core = daily
    async with core.db.session() as session:
        await SubscriptionRepository(session).add(
            "telegram", str(GROUP), str(ALICE), [("VLA", "vla")]
        )
        await ChatRepository(session).set_dm("telegram", str(ALICE), True)
    telegram.blocked_users.add(ALICE)

    chat_run, dm_run = await deliver_to_telegram(settings, core)

    assert chat_run.ok and telegram.sent(GROUP)
    assert dm_run.kind == "dm" and not dm_run.ok
    assert "press Start" in (dm_run.error or "") and telegram.sent(ALICE) == []
