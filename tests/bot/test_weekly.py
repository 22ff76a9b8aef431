"""The weekly digest on both platforms, through the real clients against the fakes: one message
per chat and week, linking to the days' replies, never posted twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.core import ChatCore
from bot.slack.mrkdwn import MESSAGE_TEXT_BUDGET, text_length
from bot.slack.platform import SlackPlatform
from bot.slack.poster import SlackPoster
from bot.telegram.platform import TelegramPlatform
from bot.telegram.poster import TelegramPoster
from bot.weekly_card import week_key
from domain.models import Paper
from domain.statuses import DeliveryStatus
from pipeline.archive.weekly import IsoWeek, WeekDigest, WeekPaper, WeekTheme
from storage.repositories import ChatRepository
from storage.weeks import WeekRepository
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.weeks import (
    CHANNEL,
    GROUP,
    WEEK,
    ask,
    chat_settings,
    like,
    post_week,
    posters,
    week_papers,
)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake


@pytest.fixture
def settings(
    arxiv: FakeArxiv, slack: FakeSlack, telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> Settings:
    return chat_settings(arxiv, database_url, tmp_path, slack, telegram)


@pytest.fixture
async def core(settings: Settings) -> AsyncIterator[ChatCore]:
    async with open_digest(settings, digest_options(settings)) as digest:
        yield make_chat_core(settings, digest)


@pytest.fixture
def papers() -> list[Paper]:
    return week_papers()


def weekly_posts(slack: FakeSlack, week: IsoWeek = WEEK) -> list[Post]:
    return [
        post
        for post in slack.messages(CHANNEL)
        if (post.metadata or {}).get("event_payload", {}).get("key") == week_key(week)
    ]


def weekly_sent(telegram: FakeTelegram, week: IsoWeek = WEEK) -> list[SentMessage]:
    return [m for m in telegram.sent(GROUP) if week.key in m.plain and m.reply_to is None]


def reply_of(slack: FakeSlack, paper: Paper) -> Post:
    (reply,) = [
        p for p in slack.all_posts if p.thread_ts and paper.arxiv_id in json.dumps(p.blocks)
    ]
    return reply


async def test_each_chat_gets_its_most_liked_asked_and_themes_linking_to_the_replies(
    core: ChatCore,
    settings: Settings,
    slack: FakeSlack,
    telegram: FakeTelegram,
    papers: list[Paper],
) -> None:
    async with posters(settings) as by_platform:
        for platform, poster in by_platform.items():
            chat = CHANNEL if platform == "slack" else str(GROUP)
            await post_week(core.db, poster, chat, papers)
            await like(core.db, platform, chat, papers[8], 3)
            await like(core.db, platform, chat, papers[1], 1)
            await ask(core.db, platform, chat, papers[2], 2)

    on_slack = await SlackPlatform(settings.slack()).deliver_week(core, WEEK)
    on_telegram = await TelegramPlatform(settings.telegram()).deliver_week(core, WEEK)

    assert [(r.chat_id, r.outcome) for r in on_slack] == [(CHANNEL, "posted")]
    assert [(r.chat_id, r.outcome) for r in on_telegram] == [(str(GROUP), "posted")]
    (message,) = weekly_posts(slack)
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert message.text is not None and "12 papers" in message.text
    liked = reply_of(slack, papers[8])  # posted on Wednesday, under that day's parent
    permalink = (
        f"{slack.workspace_url}archives/{CHANNEL}/p{liked.ts.replace('.', '')}"
        f"?thread_ts={liked.thread_ts}&amp;cid={CHANNEL}"  # mrkdwn escapes the "&"
    )
    assert f"{permalink}|" in shown and "👍 3" in shown and "👍 1" in shown
    assert "❓ 2" in shown and "This week's themes" in shown
    assert shown.index("Most liked") < shown.index("Most asked about") < shown.index("themes")

    (sent,) = weekly_sent(telegram)
    replies = {m.message_id: m for m in telegram.sent(GROUP) if m.reply_to is not None}
    reply_id = next(i for i, m in replies.items() if papers[8].title[:30] in m.plain)
    assert f'href="https://t.me/c/200300/{reply_id}"' in sent.text
    assert "👍 3" in sent.plain and "❓ 2" in sent.plain and "This week's themes" in sent.plain
    async with core.db.session() as session:
        record = await WeekRepository(session).claim("slack", CHANNEL, WEEK.key)
    assert (record.status, record.message_id) == (DeliveryStatus.SENT, message.ts)


async def test_a_rerun_of_a_week_posts_nothing(
    core: ChatCore,
    settings: Settings,
    slack: FakeSlack,
    telegram: FakeTelegram,
    papers: list[Paper],
) -> None:
    async with posters(settings) as by_platform:
        await post_week(core.db, by_platform["telegram"], str(GROUP), papers)
    platforms = [SlackPlatform(settings.slack()), TelegramPlatform(settings.telegram())]
    for platform in platforms:
        await platform.deliver_week(core, WEEK)
    posted = len(slack.all_posts), len(telegram.all_sent)

    again = [run for p in platforms for run in await p.deliver_week(core, WEEK)]

    assert [run.outcome for run in again] == ["sent_before", "sent_before"]
    assert (len(slack.all_posts), len(telegram.all_sent)) == posted
    assert len(weekly_posts(slack)) == 1 and len(weekly_sent(telegram)) == 1


async def test_a_week_with_nothing_is_a_short_note_or_nothing_when_empty_days_are_muted(
    core: ChatCore, settings: Settings, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    await SlackPlatform(settings.slack()).deliver_week(core, WEEK)
    (note,) = weekly_posts(slack)
    assert note.text == "Week 2026-W10 (2026-03-02 – 2026-03-08): no papers reached this chat."

    core.post_empty_days = False
    later = IsoWeek(2026, 11)
    runs = await TelegramPlatform(settings.telegram()).deliver_week(core, later)
    runs += await SlackPlatform(settings.slack()).deliver_week(core, later)

    assert [run.outcome for run in runs] == ["nothing", "nothing"]
    assert not weekly_sent(telegram, later) and not weekly_posts(slack, later)


async def test_a_slack_message_posted_before_a_crash_is_found_by_its_tag_and_recorded(
    core: ChatCore, settings: Settings, slack: FakeSlack, papers: list[Paper]
) -> None:
    async with posters(settings) as by_platform:
        await post_week(core.db, by_platform["slack"], CHANNEL, papers)
    slack.lose_answers_to = {len(slack.all_posts) + 1}  # Slack keeps it; we never hear back
    platform = SlackPlatform(settings.slack())

    (crashed,) = await platform.deliver_week(core, WEEK)
    (restarted,) = await platform.deliver_week(core, WEEK)

    assert crashed.outcome == "failed" and crashed.error
    (message,) = weekly_posts(slack)
    assert (restarted.outcome, restarted.message_id) == ("found", message.ts)
    async with core.db.session() as session:
        record = await WeekRepository(session).claim("slack", CHANNEL, WEEK.key)
    assert (record.status, record.message_id) == (DeliveryStatus.SENT, message.ts)


async def test_telegram_cannot_look_back_so_a_week_left_pending_is_posted_again(
    core: ChatCore, settings: Settings, telegram: FakeTelegram
) -> None:
    async with core.db.session() as session:  # claimed, then the process died
        await WeekRepository(session).claim("telegram", str(GROUP), WEEK.key)

    (run,) = await TelegramPlatform(settings.telegram()).deliver_week(core, WEEK)

    assert run.outcome == "posted" and len(weekly_sent(telegram)) == 1


async def test_the_week_goes_to_the_daily_chats_in_each_chats_language(
    core: ChatCore, settings: Settings, slack: FakeSlack
) -> None:
    async with core.db.session() as session:
        chats = ChatRepository(session)
        await chats.save("slack", "C0HERE", enabled=True, language="zh")  # `digest here`
        await chats.save("slack", CHANNEL, enabled=False)  # `digest off`

    runs = await SlackPlatform(settings.slack()).deliver_week(core, WEEK)

    assert [run.chat_id for run in runs] == ["C0HERE"]
    (note,) = slack.messages("C0HERE")
    assert note.text is not None and note.text.startswith("2026-W10 周报")


def crowded_week() -> WeekDigest:
    """Every list full, every title and theme name far too long, and markup in all of them."""

    def item(n: int) -> WeekPaper:
        title = f"<b>Paper {n}</b> & its {'very ' * 200}long title"
        paper = Paper(f"2603.{n:05d}", 1, title, ["A. Author"], "An abstract.", ["cs.AI"])
        return WeekPaper(paper, None, likes=9 - n % 5, questions=5 - n % 5)

    themes = tuple(
        WeekTheme(f"theme <{t}> & " + "words " * 100, tuple(item(10 + 3 * t + k) for k in range(3)))
        for t in range(6)
    )
    liked, asked = tuple(item(n) for n in range(5)), tuple(item(n) for n in range(5, 10))
    return WeekDigest(WEEK, posted=40, liked=liked, asked=asked, themes=themes)


async def test_a_crowded_week_fits_each_platforms_limits_escaped(
    settings: Settings, slack: FakeSlack, telegram: FakeTelegram
) -> None:
    week = crowded_week()
    async with posters(settings) as by_platform:
        on_slack, on_telegram = by_platform["slack"], by_platform["telegram"]
        assert isinstance(on_slack, SlackPoster) and isinstance(on_telegram, TelegramPoster)
        await on_slack.post_weekly(CHANNEL, week, "en")  # the fakes refuse what Slack and
        await on_telegram.post_weekly(str(GROUP), week, "en")  # Telegram would refuse

    (message,) = weekly_posts(slack)
    assert message.blocks is not None and text_length(message.blocks) <= MESSAGE_TEXT_BUDGET
    shown = json.dumps(message.blocks)
    assert "&lt;b&gt;Paper 0&lt;/b&gt; &amp; its" in shown and "<b>" not in shown
    assert shown.count("https://arxiv.org/abs/") == 5 + 5 + 6 * 3
    (sent,) = weekly_sent(telegram)
    assert "&lt;b&gt;Paper 0&lt;/b&gt; &amp; its" in sent.text
    assert sent.text.count('href="https://arxiv.org/abs/') == 5 + 5 + 6 * 3
