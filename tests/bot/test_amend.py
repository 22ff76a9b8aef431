"""A paper posted with its abstract alone (its PDF or the model failed) has its message edited in
place, on Slack and on Telegram, once a later run of the same day has the full-text analysis; it
is never posted again, and a platform refusing the edit does not fail the run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from slack_sdk.errors import SlackApiError
from telegram.ext import ExtBot

from arxiv_digest.settings import Settings
from bot.delivery import deliver_day
from bot.platform import Mention
from bot.slack.client import make_client
from bot.slack.poster import SlackPoster
from bot.stopping import StopSignal
from bot.subscriptions import chat_scope
from bot.telegram.poster import TelegramPoster, make_bot
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.repositories import DeliveryRepository
from tests.daydata import paper
from tests.fakes.base import Request, Response
from tests.fakes.slack_server import FakeSlack, Post
from tests.fakes.telegram_server import FakeTelegram, SentMessage
from tests.polling import WAIT_SECONDS
from tests.samples import thread_entry, thread_report

CHANNEL = "C0DIGEST"
GROUP = -100200300
PAPERS = [
    paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 4)
]
IDS = [p.arxiv_id for p in PAPERS]
NOTE = "The analysis failed; showing the abstract only."
ABSTRACT_ONLY = "abstract only"
LONG = " ".join(["The method prunes channels adaptively."] * 900)


def slack_paper_edits(slack: FakeSlack) -> list[Request]:
    """The chat.update calls of papers' messages (each is tagged with its paper's key)."""
    return [r for r in slack.requests_to("/api/chat.update") if b"paper:" in r.body]


def telegram_paper_edits(telegram: FakeTelegram) -> list[Request]:
    """The edits of papers' messages: they keep their vote buttons, which the parent has none of."""
    edits = telegram.requests_to(f"/bot{telegram.token}/editMessageText")
    return [r for r in edits if b"reply_markup" in r.body]


def noted(p: Paper) -> PaperEntry:
    """The model failed: the abstract and a note, no analysis."""
    return thread_entry(p, analysis=None, source=AnalysisSource.NONE, notes=[NOTE])


def from_abstract(p: Paper) -> PaperEntry:
    """The PDF failed: an analysis of the abstract, and a note saying so."""
    return thread_entry(
        p,
        source=AnalysisSource.ABSTRACT,
        notes=["Could not download the PDF; analysed from the abstract only."],
    )


def long_entry(p: Paper) -> PaperEntry:
    analysis = PaperAnalysis(
        summary=LONG, motivation=LONG, contributions=["One."], method=LONG, experiments="It works."
    )
    return thread_entry(p, analysis=analysis)


def full(papers: Sequence[Paper] = PAPERS) -> DailyReport:
    return thread_report([thread_entry(p) for p in papers])


async def shown_sources(db: Database, platform: str, chat_id: str) -> dict[str, str | None]:
    """What the ledger says each sent paper's message shows."""
    async with db.session() as session:
        deliveries = DeliveryRepository(session)
        thread = await deliveries.get_or_create_thread(
            platform, chat_id, full().report_date, "default"
        )
        sent = await deliveries.sent_messages(thread.id)
    return {arxiv_id: shown for arxiv_id, (_, shown) in sent.items()}


# ---- Slack -----------------------------------------------------------------------------------


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_poster(slack: FakeSlack) -> SlackPoster:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=slack.token,  # type: ignore[arg-type]
        slack_api_url=slack.api_url,
        slack_messages_per_second=0,
    )
    return SlackPoster.from_settings(make_client(settings.slack()), settings.slack())


def slack_text(post: Post) -> str:
    return f"{post.text} {post.blocks}"


async def test_slack_a_rerun_edits_the_noted_papers_in_place_and_a_third_run_edits_nothing(
    slack: FakeSlack, slack_poster: SlackPoster, database: Database
) -> None:
    first_day = thread_report([thread_entry(PAPERS[0]), noted(PAPERS[1]), from_abstract(PAPERS[2])])
    mentions = {PAPERS[1].arxiv_id: [Mention("U0ALICE", ("VLA",))]}

    first = await deliver_day(database, slack_poster, CHANNEL, first_day, mentions)

    (parent,) = slack.messages(CHANNEL)
    before = slack.thread(CHANNEL, parent.ts)
    assert first.posted == IDS
    assert [ABSTRACT_ONLY in slack_text(p).lower() for p in before] == [False, True, True]
    assert await shown_sources(database, "slack", CHANNEL) == {
        IDS[0]: "full_text",
        IDS[1]: None,
        IDS[2]: "abstract",
    }

    again = await deliver_day(database, slack_poster, CHANNEL, full(), mentions)

    after = slack.thread(CHANNEL, parent.ts)
    assert [p.ts for p in after] == [p.ts for p in before]  # the same messages, none new
    assert len(slack.all_posts) == 1 + len(PAPERS)
    assert again.posted == [] and not again.parent_posted
    assert again.updated == IDS[1:] and again.already_sent == IDS
    assert [p.edited for p in after] == [False, True, True]
    for post, each in zip(after, PAPERS, strict=True):
        assert f"A summary of {each.title}" in slack_text(post)
        assert ABSTRACT_ONLY not in slack_text(post).lower()
        assert (post.metadata or {}).get("event_payload") == {"key": f"paper:{each.arxiv_id}"}
    assert "<@U0ALICE>" in slack_text(after[1])  # the mention survives the edit
    assert set((await shown_sources(database, "slack", CHANNEL)).values()) == {"full_text"}

    third = await deliver_day(database, slack_poster, CHANNEL, full(), mentions)

    assert third.updated == [] and third.posted == []
    assert len(slack_paper_edits(slack)) == 2
    assert len(slack.all_posts) == 1 + len(PAPERS)


async def test_slack_a_longer_analysis_edits_the_first_message_and_continues_in_the_thread(
    slack: FakeSlack, slack_poster: SlackPoster, database: Database
) -> None:
    await deliver_day(database, slack_poster, CHANNEL, thread_report([noted(PAPERS[0])]), {})
    (parent,) = slack.messages(CHANNEL)
    (first,) = slack.thread(CHANNEL, parent.ts)

    again = await deliver_day(
        database, slack_poster, CHANNEL, thread_report([long_entry(PAPERS[0])]), {}
    )

    thread = slack.thread(CHANNEL, parent.ts)
    assert again.updated == [PAPERS[0].arxiv_id] and again.posted == []
    assert len(thread) > 2 and thread[0].ts == first.ts and thread[0].edited
    assert not any(p.edited for p in thread[1:])  # the rest of the analysis, as new replies
    assert "prunes channels" in slack_text(thread[0]) and "prunes channels" in slack_text(thread[1])
    assert len(slack.messages(CHANNEL)) == 1  # nothing leaked out of the thread


async def test_slack_refusing_the_edit_does_not_repost_nor_fail_the_run(
    slack: FakeSlack, slack_poster: SlackPoster, database: Database
) -> None:
    await deliver_day(database, slack_poster, CHANNEL, thread_report([noted(PAPERS[0])]), {})
    slack.fail_next(
        Response.json({"ok": False, "error": "cant_update_message"}), path="chat.update"
    )

    again = await deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {})
    third = await deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {})

    assert again.updated == [] and again.posted == [] and third.updated == []
    (post,) = [p for p in slack.all_posts if p.thread_ts is not None]
    assert not post.edited and ABSTRACT_ONLY in slack_text(post).lower()
    assert len(slack_paper_edits(slack)) == 1  # settled: not tried again
    assert await shown_sources(database, "slack", CHANNEL) == {PAPERS[0].arxiv_id: "full_text"}


async def test_slack_down_during_the_edit_fails_the_chat_and_the_next_run_edits(
    slack: FakeSlack, slack_poster: SlackPoster, database: Database
) -> None:
    await deliver_day(database, slack_poster, CHANNEL, thread_report([noted(PAPERS[0])]), {})
    down = Response(500, b"down", {"Content-Type": "text/plain"})
    slack.fail_next(*[down] * 3, path="chat.update")  # more than the client retries

    with pytest.raises(SlackApiError):
        await deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {})
    assert await shown_sources(database, "slack", CHANNEL) == {PAPERS[0].arxiv_id: None}
    again = await deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {})

    assert again.updated == [PAPERS[0].arxiv_id] and again.posted == []
    (post,) = [p for p in slack.all_posts if p.thread_ts is not None]
    assert post.edited and f"A summary of {PAPERS[0].title}" in slack_text(post)


async def test_slack_refusing_us_rather_than_the_edit_fails_the_chat_and_settles_nothing(
    slack: FakeSlack, slack_poster: SlackPoster, database: Database
) -> None:
    await deliver_day(database, slack_poster, CHANNEL, thread_report([noted(PAPERS[0])]), {})
    slack.fail_next(Response.json({"ok": False, "error": "invalid_auth"}), path="chat.update")

    with pytest.raises(SlackApiError):
        await deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {})

    assert await shown_sources(database, "slack", CHANNEL) == {PAPERS[0].arxiv_id: None}


async def test_slack_an_unknown_message_is_a_refusal(
    slack: FakeSlack, slack_poster: SlackPoster
) -> None:
    head = await slack_poster.post_parent(CHANNEL, thread_report([]))

    edited = await slack_poster.update_paper(
        CHANNEL, head, "1700000000.999999", thread_entry(PAPERS[0]), ()
    )

    assert edited is False and len(slack.all_posts) == 1


# ---- Telegram --------------------------------------------------------------------------------


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        fake.add_chat(GROUP, "supergroup")
        yield fake


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[ExtBot[int]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=telegram.token,  # type: ignore[arg-type]
        telegram_api_url=telegram.base_url,
        telegram_messages_per_second=0,
    )
    async with make_bot(settings.telegram()) as bot:
        yield bot


@pytest.fixture
def telegram_poster(bot: ExtBot[int]) -> TelegramPoster:
    return TelegramPoster(bot, messages_per_second=0)


def paper_messages(telegram: FakeTelegram) -> list[SentMessage]:
    return [m for m in telegram.sent(GROUP) if m.reply_to is not None]


async def test_telegram_a_rerun_edits_the_noted_papers_in_place_and_a_third_run_edits_nothing(
    telegram: FakeTelegram, telegram_poster: TelegramPoster, database: Database
) -> None:
    chat = str(GROUP)
    first_day = thread_report([thread_entry(PAPERS[0]), noted(PAPERS[1]), from_abstract(PAPERS[2])])

    await deliver_day(database, telegram_poster, chat, first_day, {})

    before = [(m.message_id, m.plain) for m in paper_messages(telegram)]
    assert [ABSTRACT_ONLY in plain.lower() for _, plain in before] == [False, True, True]

    again = await deliver_day(database, telegram_poster, chat, full(), {})

    after = paper_messages(telegram)
    assert [m.message_id for m in after] == [message_id for message_id, _ in before]
    assert len(telegram.all_sent) == 1 + len(PAPERS)  # nothing posted again
    assert again.posted == [] and again.updated == IDS[1:]
    assert [m.edited for m in after] == [False, True, True]
    for message, each in zip(after, PAPERS, strict=True):
        assert f"A summary of {each.title}" in message.plain
        assert ABSTRACT_ONLY not in message.plain.lower()
        assert message.parse_mode == "HTML"
        assert message.link_preview_options == {"is_disabled": True}
    assert set((await shown_sources(database, "telegram", chat)).values()) == {"full_text"}

    third = await deliver_day(database, telegram_poster, chat, full(), {})

    assert third.updated == [] and third.posted == []
    assert len(telegram_paper_edits(telegram)) == 2


async def test_telegram_a_longer_analysis_edits_the_first_message_and_replies_to_it(
    telegram: FakeTelegram, telegram_poster: TelegramPoster, database: Database
) -> None:
    chat = str(GROUP)
    await deliver_day(database, telegram_poster, chat, thread_report([noted(PAPERS[0])]), {})
    (first,) = paper_messages(telegram)

    again = await deliver_day(
        database, telegram_poster, chat, thread_report([long_entry(PAPERS[0])]), {}
    )

    assert again.updated == [PAPERS[0].arxiv_id] and again.posted == []
    edited, *rest = paper_messages(telegram)
    assert edited.message_id == first.message_id and edited.edited
    assert "prunes channels" in edited.plain
    assert rest and all(m.reply_to == first.message_id and not m.edited for m in rest)


async def test_telegram_refusing_the_edit_does_not_repost_nor_fail_the_run(
    telegram: FakeTelegram, telegram_poster: TelegramPoster, database: Database
) -> None:
    chat = str(GROUP)
    await deliver_day(database, telegram_poster, chat, thread_report([noted(PAPERS[0])]), {})
    refusal = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message can't be edited",
    }
    telegram.fail_next(Response.json(refusal, 400), path="editMessageText")

    again = await deliver_day(database, telegram_poster, chat, full(PAPERS[:1]), {})
    third = await deliver_day(database, telegram_poster, chat, full(PAPERS[:1]), {})

    assert again.updated == [] and again.posted == [] and third.updated == []
    (message,) = paper_messages(telegram)
    assert not message.edited and ABSTRACT_ONLY in message.plain.lower()
    assert len(telegram_paper_edits(telegram)) == 1
    assert await shown_sources(database, "telegram", chat) == {PAPERS[0].arxiv_id: "full_text"}


async def test_telegram_an_unknown_or_unchanged_message_is_a_refusal(
    telegram: FakeTelegram, telegram_poster: TelegramPoster
) -> None:
    chat = str(GROUP)
    head = await telegram_poster.post_parent(chat, thread_report([]))
    message_id = await telegram_poster.post_paper(chat, head, noted(PAPERS[0]), ())
    entry = thread_entry(PAPERS[0])

    assert await telegram_poster.update_paper(chat, head, "999", entry, ()) is False
    assert await telegram_poster.update_paper(chat, head, message_id, entry, ()) is True
    assert await telegram_poster.update_paper(chat, head, message_id, entry, ()) is False  # same
    (message,) = paper_messages(telegram)
    assert message.edited and f"A summary of {PAPERS[0].title}" in message.plain


# ---- the schedule's stop ---------------------------------------------------------------------


class _HoldingSlack(FakeSlack):
    """Holds the `hold_at`-th chat.postMessage until `release` is set: a message in flight."""

    def __init__(self, hold_at: int) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._hold_at = hold_at
        self._post_count = 0

    def handle(self, request: Request) -> Response:
        if request.path.endswith("/chat.postMessage"):
            self._post_count += 1
            if self._post_count == self._hold_at:
                self.arrived.set()
                self.release.wait(30)
        return super().handle(request)


async def test_a_stop_mid_message_lets_it_be_recorded_and_posts_nothing_more(
    database: Database,
) -> None:
    with _HoldingSlack(hold_at=2) as slack:  # the parent, then the first paper is held
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=slack.token,  # type: ignore[arg-type]
            slack_api_url=slack.api_url,
            slack_messages_per_second=0,
        )
        poster = SlackPoster.from_settings(make_client(settings.slack()), settings.slack())
        stop = StopSignal()
        report = thread_report([noted(p) for p in PAPERS[:2]])
        delivering = asyncio.create_task(
            deliver_day(database, poster, CHANNEL, report, {}, stop=stop)
        )
        assert await asyncio.to_thread(slack.arrived.wait, 30)

        # Released once the stop is under way (it asks for it before its first wait).
        asyncio.get_running_loop().call_soon(slack.release.set)
        # The stop ends once the message is recorded, not when its long grace runs out.
        await asyncio.wait_for(stop.stop(delivering, grace_seconds=3600), WAIT_SECONDS)

        assert delivering.cancelled()
        assert len(slack.requests_to("/api/chat.postMessage")) == 2  # no second paper
        async with database.session() as session:
            deliveries = DeliveryRepository(session)
            thread = await deliveries.get_or_create_thread(
                "slack", CHANNEL, report.report_date, chat_scope("slack", CHANNEL)
            )
            sent = await deliveries.sent_messages(thread.id)
        assert list(sent) == [PAPERS[0].arxiv_id]  # the message in flight was recorded


async def test_a_stopping_schedule_edits_nothing_more(
    database: Database, slack: FakeSlack, slack_poster: SlackPoster
) -> None:
    await deliver_day(database, slack_poster, CHANNEL, thread_report([noted(PAPERS[0])]), {})
    stop = StopSignal()
    stop.request()

    gaining = asyncio.create_task(
        deliver_day(database, slack_poster, CHANNEL, full(PAPERS[:1]), {}, stop=stop)
    )
    await asyncio.wait_for(stop.holding.wait(), 30)  # the edit, held back
    assert slack_paper_edits(slack) == []
    edits = len(slack.requests_to("/api/chat.update"))  # the first run's parent, with its links
    await stop.stop(gaining, grace_seconds=1)

    assert gaining.cancelled()
    assert len(slack.requests_to("/api/chat.update")) == edits
