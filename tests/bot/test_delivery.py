"""The delivery ledger and the daily run, through a recording poster standing in for a platform."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from bot.core import ChatCore
from bot.daily import run_daily
from bot.delivery import deliver_day
from bot.platform import (
    Caller,
    Mention,
    PostFinder,
    Reply,
    TextReply,
    ThreadHead,
    day_key,
    paper_key,
)
from bot.subscriptions import match_mentions
from domain.models import AnnounceType, Paper
from domain.statuses import ReportStatus
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.repositories import ChatRepository, DeliveryRepository, SubscriptionRepository
from tests.daydata import CROSS, DAY, ECO, NETVLAD, NEXT_DAY, make_settings, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.samples import sample_entry

EXTRA = paper("2602.00783", "Diffusion Policies for VLA Control", "We use diffusion for VLAs.")


@dataclass
class Posted:
    chat_id: str
    parent_id: str
    arxiv_id: str
    mentions: tuple[Mention, ...]


@dataclass
class ForgetfulPoster:
    """A platform that keeps what it was asked to post but cannot look back (as Telegram); it
    can fail after some papers or in some chats, as a real one does when it is down or refuses
    a channel."""

    platform: str = "slack"
    fail_after: int | None = None  # papers posted before every further post_paper raises
    failing_chats: set[str] = field(default_factory=set)
    crash_after_posting: bool = False  # the message goes out, then we die before hearing back
    parents: list[tuple[str, DailyReport]] = field(default_factory=list)
    papers: list[Posted] = field(default_factory=list)
    tags: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    updates: list[tuple[str, str]] = field(default_factory=list)  # (message id, arXiv id)
    parent_updates: list[tuple[str, DailyReport]] = field(default_factory=list)  # (id, as shown)
    parent_replies: list[dict[str, str]] = field(default_factory=list)  # each edit's reply ids

    async def post_parent(self, chat_id: str, report: DailyReport) -> ThreadHead:
        self._check(chat_id)
        self.parents.append((chat_id, report))
        head = ThreadHead(f"{chat_id}/parent-{len(self.parents)}")
        self.tags[(chat_id, None, day_key(report))] = head.message_id
        self._maybe_crash()
        return head

    async def post_paper(
        self, chat_id: str, head: ThreadHead, entry: PaperEntry, mentions: Sequence[Mention]
    ) -> str:
        self._check(chat_id)
        if self.fail_after is not None and len(self.papers) >= self.fail_after:
            raise RuntimeError("the platform is down")
        self.papers.append(Posted(chat_id, head.message_id, entry.paper.arxiv_id, tuple(mentions)))
        message_id = f"{chat_id}/paper-{len(self.papers)}"
        self.tags[(chat_id, head.message_id, paper_key(entry))] = message_id
        self._maybe_crash()
        return message_id

    async def update_paper(
        self,
        chat_id: str,
        head: ThreadHead,
        message_id: str,
        entry: PaperEntry,
        mentions: Sequence[Mention],
    ) -> bool:
        self._check(chat_id)
        self.updates.append((message_id, entry.paper.arxiv_id))
        return True

    async def update_parent(
        self,
        chat_id: str,
        head: ThreadHead,
        report: DailyReport,
        replies: Mapping[str, str] | None = None,
    ) -> bool:
        self._check(chat_id)
        self.parent_updates.append((head.message_id, report))
        self.parent_replies.append(dict(replies or {}))
        return True

    def _maybe_crash(self) -> None:
        if self.crash_after_posting:
            self.crash_after_posting = False
            raise ConnectionResetError("the answer never came back")

    async def post_reply(self, chat_id: str, reply: Reply) -> str:
        raise AssertionError("the daily run posts threads, not replies")

    def _check(self, chat_id: str) -> None:
        if chat_id in self.failing_chats:
            raise RuntimeError(f"channel_not_found: {chat_id}")

    def ids(self, chat_id: str) -> list[str]:
        return [p.arxiv_id for p in self.papers if p.chat_id == chat_id]


@dataclass
class RecordingPoster(ForgetfulPoster):
    """A platform that also finds its own tagged messages again (as Slack)."""

    async def find_posted(self, chat_id: str, head: ThreadHead | None, key: str) -> str | None:
        return self.tags.get((chat_id, head.message_id if head else None, key))


def day_report(day: date, papers: list[Paper], **extra: object) -> DailyReport:
    values: dict[str, object] = {
        "report_date": day,
        "categories": ["cs.AI"],
        "keywords": ["VLA"],
        "status": ReportStatus.COMPLETE if papers else ReportStatus.EMPTY,
        "entries": [PaperEntry(paper=p, matched_keywords=["VLA"]) for p in papers],
        "announced_count": 10,
    }
    values.update(extra)
    return DailyReport(**values)  # type: ignore[arg-type]


# ---- the ledger ------------------------------------------------------------------------------


async def test_a_day_is_one_parent_with_every_paper_in_its_thread(database: Database) -> None:
    poster = RecordingPoster()
    report = day_report(DAY, [ECO, CROSS, EXTRA])

    outcome = await deliver_day(database, poster, "C1", report, {})

    assert [chat for chat, _ in poster.parents] == ["C1"]
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id, EXTRA.arxiv_id]
    assert {p.parent_id for p in poster.papers} == {"C1/parent-1"}
    assert outcome.parent_posted and outcome.parent_message_id == "C1/parent-1"
    assert outcome.posted_count == 3 and outcome.already_sent == []
    # A finished report's parent shows its status from the start; it is edited once, at the
    # end, for its titles to link to their replies.
    assert poster.parent_replies == [
        {ECO.arxiv_id: "C1/paper-1", CROSS.arxiv_id: "C1/paper-2", EXTRA.arxiv_id: "C1/paper-3"}
    ]
    async with database.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", "C1", DAY, "unused")
        assert thread.id == outcome.thread_id
        assert (thread.status, thread.scope) == ("complete", "slack:C1")
        assert thread.parent_status == "complete"
        assert set(await ledger.sent_messages(thread.id)) == {
            ECO.arxiv_id,
            CROSS.arxiv_id,
            EXTRA.arxiv_id,
        }


async def test_rerun_of_a_delivered_day_posts_nothing(database: Database) -> None:
    poster = RecordingPoster()
    report = day_report(DAY, [ECO, CROSS])
    first = await deliver_day(database, poster, "C1", report, {})

    again = await deliver_day(database, poster, "C1", report, {})

    assert len(poster.parents) == 1 and len(poster.papers) == 2
    assert not again.parent_posted and again.posted == []
    assert again.already_sent == [ECO.arxiv_id, CROSS.arxiv_id]
    assert (again.thread_id, again.parent_message_id) == (first.thread_id, first.parent_message_id)


async def test_rerun_after_crash_completes_the_same_thread(database: Database) -> None:
    poster = RecordingPoster(fail_after=2)
    papers = [ECO, CROSS, EXTRA, NETVLAD]
    report = day_report(DAY, papers)

    with pytest.raises(RuntimeError, match="the platform is down"):
        await deliver_day(database, poster, "C1", report, {})
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id]

    poster.fail_after = None
    outcome = await deliver_day(database, poster, "C1", report, {})

    assert poster.ids("C1") == [p.arxiv_id for p in papers]  # each once, none skipped
    assert len(poster.parents) == 1 and {p.parent_id for p in poster.papers} == {"C1/parent-1"}
    assert outcome.posted == [EXTRA.arxiv_id, NETVLAD.arxiv_id]
    assert outcome.already_sent == [ECO.arxiv_id, CROSS.arxiv_id]


async def test_a_crash_after_posting_but_before_recording_does_not_post_again(
    database: Database,
) -> None:
    poster = RecordingPoster(crash_after_posting=True)
    report = day_report(DAY, [ECO, CROSS])

    with pytest.raises(ConnectionResetError):  # the parent went out; we never heard back
        await deliver_day(database, poster, "C1", report, {})
    poster.crash_after_posting = True
    with pytest.raises(ConnectionResetError):  # now the first paper
        await deliver_day(database, poster, "C1", report, {})
    outcome = await deliver_day(database, poster, "C1", report, {})

    assert len(poster.parents) == 1
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id]  # each exactly once
    assert outcome.posted == [CROSS.arxiv_id] and outcome.already_sent == [ECO.arxiv_id]
    # What the parent found on the platform shows is unknown: it is edited once, at the end.
    assert [(m, r.status) for m, r in poster.parent_updates] == [
        ("C1/parent-1", ReportStatus.COMPLETE)
    ]
    again = await deliver_day(database, poster, "C1", report, {})
    assert again.posted == [] and len(poster.papers) == 2
    assert len(poster.parent_updates) == 1 and not again.parent_updated


async def test_where_the_platform_cannot_look_back_a_pending_paper_is_never_skipped(
    database: Database,
) -> None:
    poster = ForgetfulPoster()
    assert not isinstance(poster, PostFinder) and isinstance(RecordingPoster(), PostFinder)
    report = day_report(DAY, [ECO])
    poster.fail_after = 0
    with pytest.raises(RuntimeError):  # the parent is out and recorded; the paper is pending
        await deliver_day(database, poster, "C1", report, {})
    poster.fail_after, poster.crash_after_posting = None, True
    with pytest.raises(ConnectionResetError):  # posted, but we never heard back
        await deliver_day(database, poster, "C1", report, {})

    await deliver_day(database, poster, "C1", report, {})

    # Nothing to ask the platform: the paper goes out again rather than being lost.
    assert poster.ids("C1") == [ECO.arxiv_id, ECO.arxiv_id]
    assert len(poster.parents) == 1


async def test_a_paper_sent_without_its_full_text_analysis_is_edited_once_it_has_it(
    database: Database,
) -> None:
    poster = RecordingPoster()
    await deliver_day(database, poster, "C1", day_report(DAY, [ECO, CROSS]), {})
    analysed = day_report(DAY, [ECO, CROSS])
    analysed.entries[0] = sample_entry(ECO)  # the full text was read this time

    outcome = await deliver_day(database, poster, "C1", analysed, {})
    again = await deliver_day(database, poster, "C1", analysed, {})
    next_day = await deliver_day(database, poster, "C1", day_report(NEXT_DAY, [ECO]), {})

    assert poster.updates == [("C1/paper-1", ECO.arxiv_id)]  # once, in place of its message
    assert outcome.updated == [ECO.arxiv_id] and outcome.posted == []
    assert again.updated == [] and next_day.updated == []
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id]  # nothing posted twice


async def test_papers_sent_on_an_earlier_day_are_not_posted_again(database: Database) -> None:
    poster = RecordingPoster()
    await deliver_day(database, poster, "C1", day_report(DAY, [ECO, CROSS]), {})
    eco_v2 = dataclasses.replace(ECO, version=2, announce_type=AnnounceType.REPLACE)
    cross_again = dataclasses.replace(CROSS, announce_type=AnnounceType.CROSS)

    outcome = await deliver_day(
        database, poster, "C1", day_report(NEXT_DAY, [eco_v2, cross_again, EXTRA]), {}
    )

    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id, EXTRA.arxiv_id]
    assert outcome.sent_before == [ECO.arxiv_id, CROSS.arxiv_id]
    _, parent = poster.parents[-1]
    assert [e.paper.arxiv_id for e in parent.entries] == [EXTRA.arxiv_id]
    assert [(p.arxiv_id, p.version) for p in parent.updated] == [(ECO.arxiv_id, 2)]
    # Another chat never got them: it gets everything.
    elsewhere = await deliver_day(
        database, poster, "C2", day_report(NEXT_DAY, [eco_v2, cross_again, EXTRA]), {}
    )
    assert elsewhere.posted_count == 3


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "Nothing new here today: every matching paper was posted in an earlier thread."),
        ("zh", "今天这里没有新内容：匹配的论文都已在之前的话题中发过。"),
    ],
)
async def test_a_day_whose_papers_were_all_seen_is_one_note_in_the_chats_language(
    database: Database, language: str, note: str
) -> None:
    poster = RecordingPoster()
    await deliver_day(database, poster, "C1", day_report(DAY, [CROSS], language=language), {})

    again = day_report(NEXT_DAY, [CROSS], language=language)
    outcome = await deliver_day(database, poster, "C1", again, {})

    assert outcome.posted == [] and outcome.parent_posted
    _, parent = poster.parents[-1]
    assert parent.entries == [] and parent.note == note


async def test_an_empty_day_is_one_short_note_posted_once(database: Database) -> None:
    poster = RecordingPoster()
    empty = day_report(DAY, [], note="arXiv announced no papers in cs.AI on this day.")

    first = await deliver_day(database, poster, "C1", empty, {})
    again = await deliver_day(database, poster, "C1", empty, {})

    assert len(poster.parents) == 1 and poster.papers == []
    assert poster.parents[0][1].note == "arXiv announced no papers in cs.AI on this day."
    assert first.parent_posted and not again.parent_posted


async def test_an_empty_day_posts_nothing_when_empty_days_are_muted(database: Database) -> None:
    poster = RecordingPoster()
    empty = day_report(DAY, [], note="No paper of the day matched the keywords.")

    outcome = await deliver_day(database, poster, "C1", empty, {}, post_empty_days=False)

    assert poster.parents == [] and outcome.thread_id is None


async def test_a_stale_report_posts_nothing(database: Database) -> None:
    poster = RecordingPoster()
    stale = day_report(DAY, [], status=ReportStatus.STALE, note="still yesterday's feed")

    outcome = await deliver_day(database, poster, "C1", stale, {})

    assert poster.parents == [] and outcome.thread_id is None


async def test_mentions_reach_the_poster_with_their_paper(database: Database) -> None:
    poster = RecordingPoster()
    mention = Mention("U1", ("VLA",))

    await deliver_day(
        database, poster, "C1", day_report(DAY, [ECO, CROSS]), {CROSS.arxiv_id: [mention]}
    )

    assert [p.mentions for p in poster.papers] == [(), (mention,)]


# ---- mentions --------------------------------------------------------------------------------


async def test_members_are_mentioned_under_papers_matching_their_own_keywords(
    database: Database,
) -> None:
    async with database.session() as session:
        subscriptions = SubscriptionRepository(session)
        await subscriptions.add("slack", "C1", "U1", [("VLA", "vla")])
        await subscriptions.add(
            "slack",
            "C1",
            "U2",
            [("vision language action", "vision language action"), ("pruning", "pruning")],
        )
        await subscriptions.add(
            "slack", "C1", "U3", [("Vision-Language-Action", "vision language action")]
        )
        await subscriptions.add("slack", "C1", None, [("NetVLAD", "netvlad")])  # the chat's own
        everything = await subscriptions.all()

    entries = [PaperEntry(paper=p, matched_keywords=[]) for p in (ECO, NETVLAD, CROSS)]
    mentions = match_mentions(everything, entries)

    assert mentions == {
        ECO.arxiv_id: (
            Mention("U2", ("vision language action", "pruning")),
            Mention("U3", ("Vision-Language-Action",)),
        ),
        CROSS.arxiv_id: (Mention("U1", ("VLA",)),),
    }


# ---- the daily run ---------------------------------------------------------------------------


@pytest.fixture
async def core(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[ChatCore]:
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    async with open_digest(settings, digest_options(settings)) as digest:
        yield ChatCore(
            db=digest.db,
            digest=digest,
            feeds=digest.feeds,
            line=digest.line,
            admins=["UADMIN"],
        )


async def test_each_chat_gets_its_own_thread_and_the_feed_is_read_once(
    core: ChatCore,
    arxiv: FakeArxiv,
    tmp_path: Path,
) -> None:
    async with core.db.session() as session:
        await SubscriptionRepository(session).add("slack", "C2", None, [("NetVLAD", "netvlad")])
        await ChatRepository(session).save("slack", "C2", enabled=True)
        await ChatRepository(session).save("slack", "C3", enabled=False)
    poster = RecordingPoster()

    runs = await run_daily(core, poster, ["C1", "C3"])

    assert [(r.chat_id, r.kind, r.ok) for r in runs] == [("C1", "chat", True), ("C2", "chat", True)]
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id]  # DIGEST_KEYWORDS
    assert poster.ids("C2") == [NETVLAD.arxiv_id]  # its own keyword instead
    assert len(arxiv.requests_to("/rss/")) == 1
    assert not (tmp_path / "reports").exists()  # chat reports stay in the database


async def test_a_rerun_of_the_daily_run_posts_nothing_new(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    poster = RecordingPoster()
    await run_daily(core, poster, ["C1"])
    posted, analysed = len(poster.papers), len(llm.completions)

    runs = await run_daily(core, poster, ["C1"])

    assert len(poster.papers) == posted == 2 and len(poster.parents) == 1
    assert len(llm.completions) == analysed
    assert runs[0].delivery is not None and runs[0].delivery.posted == []
    assert len(arxiv.requests_to("/rss/")) == 2  # each daily run reads the feed afresh


async def test_members_of_a_chat_are_mentioned_and_widen_its_report(core: ChatCore) -> None:
    reply = await core.handle(_caller("U7"), "keywords add NetVLAD")
    assert reply == TextReply(("Your keywords here: added NetVLAD.",))
    poster = RecordingPoster()

    await run_daily(core, poster, ["C1"])

    assert poster.ids("C1") == [ECO.arxiv_id, NETVLAD.arxiv_id, CROSS.arxiv_id]
    by_paper = {p.arxiv_id: p.mentions for p in poster.papers}
    assert by_paper == {
        ECO.arxiv_id: (),
        NETVLAD.arxiv_id: (Mention("U7", ("NetVLAD",)),),
        CROSS.arxiv_id: (),
    }


async def test_one_chat_failing_does_not_stop_the_others(core: ChatCore) -> None:
    poster = RecordingPoster(failing_chats={"C1"})

    runs = await run_daily(core, poster, ["C1", "C2"])

    assert [(r.chat_id, r.ok) for r in runs] == [("C1", False), ("C2", True)]
    assert "channel_not_found" in (runs[0].error or "")
    assert poster.ids("C2") == [ECO.arxiv_id, CROSS.arxiv_id]

    poster.failing_chats.clear()
    again = await run_daily(core, poster, ["C1", "C2"])

    assert all(r.ok for r in again)
    assert poster.ids("C1") == [ECO.arxiv_id, CROSS.arxiv_id]
    assert poster.ids("C2") == [ECO.arxiv_id, CROSS.arxiv_id]  # not twice


async def test_dm_digests_carry_each_subscribers_own_keywords(core: ChatCore) -> None:
    await core.handle(_caller("U1"), "keywords add VLA")
    await core.handle(_caller("U1"), "digest dm on")
    await core.handle(_caller("U2"), "digest dm on")  # no keywords: nothing to send
    poster = RecordingPoster()

    runs = await run_daily(core, poster, [])

    assert [(r.chat_id, r.kind, r.ok) for r in runs] == [("U1", "dm", True), ("U2", "dm", True)]
    assert poster.ids("U1") == [CROSS.arxiv_id]
    assert [chat for chat, _ in poster.parents] == ["U1"]
    assert runs[1].delivery is None


async def test_a_chats_categories_pick_its_feed(
    core: ChatCore,
    arxiv: FakeArxiv,
) -> None:
    arxiv.feeds["cs.RO"] = (DAY, [CROSS])
    await core.handle(_caller("UADMIN"), "digest settings categories=cs.RO")
    poster = RecordingPoster()

    await run_daily(core, poster, ["C1"])

    assert poster.ids("C1") == [CROSS.arxiv_id]
    assert [r.path for r in arxiv.requests_to("/rss/")] == ["/rss/cs.RO"]
    assert poster.parents[0][1].categories == ["cs.RO"]


def _caller(user_id: str) -> Caller:
    return Caller("slack", "C1", user_id)
