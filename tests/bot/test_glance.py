"""The day's parent message as the day at a glance, on Slack and on Telegram alike: every paper
in rank order linking to its reply, suggested papers marked, capped ones listed and never posted."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.delivery import deliver_day
from domain.messages import text
from domain.statuses import Mention, ReportStatus
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from tests.chatworlds import CHANNEL, GROUP, PLATFORMS, ChatWorld, chat_world
from tests.daydata import paper
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.samples import thread_entry, thread_report

PAPERS = [
    paper(f"2602.{n:05d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 26)
]
BELOW = [
    paper(f"2602.{n:05d}", f"Capped paper {n} on VLA models", "Also VLA.") for n in range(100, 140)
]
REASON = "Close to “Paper number 1 on VLA models”, which this chat liked"


@pytest.fixture(params=PLATFORMS)
async def chat(request: pytest.FixtureRequest) -> AsyncIterator[ChatWorld]:
    async with chat_world(request.param) as world:
        yield world


def ranked_day(matched: int, suggested: int = 0, capped: int = 0) -> DailyReport:
    entries = [thread_entry(p) for p in PAPERS[:matched]]
    entries += [
        thread_entry(p, matched_keywords=[], kind=Mention.SUGGESTED, reason=REASON)
        for p in PAPERS[matched : matched + suggested]
    ]
    report = thread_report(entries)
    report.capped = [PaperEntry(p, ["VLA"]) for p in BELOW[:capped]]
    report.tokens_saved = 12_345 * capped
    return report


def parent_markup(chat: ChatWorld) -> str:
    """The parent message as sent, with its links: Slack's blocks, Telegram's HTML."""
    if isinstance(chat.fake, FakeSlack):
        (parent,) = chat.fake.messages(CHANNEL)
        return json.dumps(parent.blocks, ensure_ascii=False)
    return chat.fake.sent(GROUP)[0].text


def parent_plain(chat: ChatWorld) -> str:
    """The parent as its readers see it: Slack's sections without their markup."""
    if isinstance(chat.fake, FakeSlack):
        (parent,) = chat.fake.messages(CHANNEL)
        shown = "\n".join(b["text"]["text"] for b in parent.blocks or [] if b["type"] == "section")
        shown = re.sub(r"<https://[^|>]+\|([^>]+)>", r"\1", shown).replace("*", "")
        return shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return chat.fake.sent(GROUP)[0].plain


def linked_titles(chat: ChatWorld) -> list[tuple[str, str]]:
    """(address, title) of every linked paper title in the parent, in order."""
    markup = parent_markup(chat)
    if chat.platform == "slack":
        found = re.findall(r"<(https://[^|>]+)\|([^>]+)>", markup)
    else:
        found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', markup)
    return [(url.replace("&amp;", "&"), title) for url, title in found]


def reply_link(chat: ChatWorld, parent_id: str, reply_id: str) -> str:
    if chat.platform == "slack":
        ts = reply_id.replace(".", "")
        query = f"thread_ts={parent_id}&cid={CHANNEL}"
        return f"https://fake-workspace.slack.com/archives/{CHANNEL}/p{ts}?{query}"
    return f"https://t.me/c/{str(GROUP).removeprefix('-100')}/{reply_id}"


def edits(chat: ChatWorld) -> int:
    method = "/chat.update" if chat.platform == "slack" else "/editMessageText"
    return len([r for r in chat.fake.requests if r.path.endswith(method)])


async def test_the_parent_lists_every_paper_in_rank_order_linking_to_its_reply(
    chat: ChatWorld, database: Database
) -> None:
    report = ranked_day(3, suggested=1)

    await deliver_day(database, chat.poster, chat.chat_id, report, {})

    (parent,) = chat.top()
    replies = chat.thread(parent.message_id)
    assert [e.paper.arxiv_id for e in report.entries] == [
        next(p.arxiv_id for p in PAPERS if p.arxiv_id in m.text) for m in replies
    ]
    expected = [
        (reply_link(chat, parent.message_id, reply.message_id), entry.paper.title)
        for reply, entry in zip(replies, report.entries, strict=True)
    ]
    assert linked_titles(chat) == expected
    shown = parent_plain(chat)
    for number, entry in enumerate(report.entries, 1):
        assert f"{number}. {entry.paper.title} · " in shown
    assert "· VLA — A summary of Paper number 1 on VLA models." in shown  # its gist


async def test_a_suggested_paper_says_so_and_why_in_the_parent_and_atop_its_reply(
    chat: ChatWorld, database: Database
) -> None:
    await deliver_day(database, chat.poster, chat.chat_id, ranked_day(1, suggested=1), {})

    (parent,) = chat.top()
    label = text("label.suggested", "en")
    assert f"2. {PAPERS[1].title} · {label}: {REASON}" in parent_plain(chat)
    assert f"1. {PAPERS[0].title} · VLA" in parent_plain(chat)
    matched, suggested = chat.thread(parent.message_id)
    assert label not in matched.text
    shown = suggested.text  # its title, then "Suggested: <reason>" before any other field
    assert shown.index(PAPERS[1].title) < shown.index(label) < shown.index(REASON)
    assert shown.index(REASON) < shown.index("Ada Lovelace")


async def test_capped_papers_are_listed_in_the_parent_and_never_posted(
    chat: ChatWorld, database: Database
) -> None:
    report = ranked_day(2, capped=3)

    outcome = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    (parent,) = chat.top()
    assert outcome.posted == [p.arxiv_id for p in PAPERS[:2]]
    assert len(chat.thread(parent.message_id)) == 2
    assert all(p.title not in m.text for p in BELOW for m in chat.thread(parent.message_id))
    assert text("label.capped", "en") in parent_plain(chat)
    for capped in BELOW[:3]:
        assert (capped.abs_url, capped.title) in linked_titles(chat)
    saved = text("label.capped_saved", "en", count=3, tokens="37,035")
    assert saved in parent_plain(chat)


async def test_a_busy_day_of_25_papers_and_40_capped_fits_one_parent(
    chat: ChatWorld, database: Database
) -> None:
    report = ranked_day(22, suggested=3, capped=40)

    outcome = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    assert len(chat.top()) == 1  # the fake refused nothing: within every limit of the platform
    assert outcome.parent_updated and len(outcome.posted) == 25
    titles = [title for _, title in linked_titles(chat)]
    assert titles[:25] == [p.title for p in PAPERS]  # every paper, in rank order
    listed = [t for t in titles[25:] if t.startswith("Capped")]
    assert 0 < len(listed) < 40
    shown = parent_plain(chat)
    assert text("card.more_listed", "en", count=40 - len(listed)) in shown
    assert text("label.capped_saved", "en", count=40, tokens="493,800") in shown


async def test_a_rerun_posts_nothing_twice_and_edits_the_parent_no_more(
    chat: ChatWorld, database: Database
) -> None:
    report = ranked_day(3, capped=2)
    first = await deliver_day(database, chat.poster, chat.chat_id, report, {})
    edited = edits(chat)

    again = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    assert first.parent_updated and edited == 1
    assert not again.parent_posted and again.posted == [] and not again.parent_updated
    assert edits(chat) == edited
    assert len(chat.shown()) == 1 + 3


async def test_an_analysing_day_lists_its_papers_first_and_links_them_once_they_are_posted(
    chat: ChatWorld, database: Database
) -> None:
    report = ranked_day(2)
    analysing = thread_report([thread_entry(p, analysis=None) for p in PAPERS[:2]])
    analysing.status = ReportStatus.ANALYSING
    head = await chat.poster.post_parent(chat.chat_id, analysing)

    shown = parent_markup(chat)
    assert [title for _, title in linked_titles(chat)] == [p.title for p in PAPERS[:2]]
    assert all(url.startswith("https://arxiv.org/abs/") for url, _ in linked_titles(chat))
    assert "A summary of" not in shown  # no gist before the analysis lands

    first = await chat.poster.post_paper(chat.chat_id, head, report.entries[0], ())
    assert await chat.poster.update_parent(chat.chat_id, head, report, {PAPERS[0].arxiv_id: first})
    (to_reply, _), (to_arxiv, _) = linked_titles(chat)
    assert to_reply == reply_link(chat, head.message_id, first)
    assert to_arxiv == PAPERS[1].abs_url


# -- Telegram's chats without links to messages, and forum topics


@pytest.mark.parametrize(("chat_id", "kind"), [(-4242, "group"), (4242, "private")])
async def test_telegram_titles_link_to_arxiv_where_the_chat_has_no_message_links(
    database: Database, chat_id: int, kind: str
) -> None:
    async with chat_world("telegram") as world:
        assert isinstance(world.fake, FakeTelegram)
        world.fake.add_chat(chat_id, kind)

        await deliver_day(database, world.poster, str(chat_id), ranked_day(2), {})

        parent = world.fake.sent(chat_id)[0]
        links = re.findall(r'<a href="([^"]+)">', parent.text)
        assert links == [p.abs_url for p in PAPERS[:2]]


async def test_telegram_titles_in_a_forum_topic_link_to_the_topics_messages(
    database: Database,
) -> None:
    async with chat_world("telegram") as world:
        assert isinstance(world.fake, FakeTelegram)
        forum = -1009876
        world.fake.add_chat(forum, "supergroup", is_forum=True)

        outcome = await deliver_day(database, world.poster, str(forum), ranked_day(1), {})

        parent, reply = world.fake.sent(forum)
        topic = parent.message_thread_id
        assert topic is not None and outcome.parent_updated
        assert f'href="https://t.me/c/9876/{topic}/{reply.message_id}"' in parent.text
