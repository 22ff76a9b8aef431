"""What the Slack and the Telegram poster do alike, each through its real client and fake."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.delivery import deliver_day
from bot.platform import ThreadHead, vote_buttons
from domain.messages import text
from domain.models import PaperAnalysis
from pipeline.report import PaperEntry
from storage.db import Database
from tests.chatworlds import PLATFORMS, ChatWorld, Shown, chat_world
from tests.daydata import DAY, paper
from tests.samples import thread_entry, thread_report

PAPERS = [
    paper(f"2602.0{n:04d}", f"Paper number {n} on VLA models", "We study VLA models.")
    for n in range(1, 5)
]


@pytest.fixture(params=PLATFORMS)
async def chat(request: pytest.FixtureRequest) -> AsyncIterator[ChatWorld]:
    async with chat_world(request.param) as world:
        yield world


def _replies_about(chat: ChatWorld, title: str) -> list[Shown]:
    """The replies that show a paper (the parent lists every paper's title too)."""
    (parent,) = chat.top()
    return [m for m in chat.thread(parent.message_id) if title in m.text]


def _long_entry(sentence: str, times: int) -> PaperEntry:
    text = " ".join([sentence] * times)
    analysis = PaperAnalysis(
        summary=text, motivation=text, contributions=["One."], method=text, experiments="Works."
    )
    return thread_entry(PAPERS[0], analysis=analysis)


async def test_a_day_is_a_parent_and_one_reply_per_paper_in_its_thread(
    chat: ChatWorld, database: Database
) -> None:
    report = thread_report([thread_entry(p) for p in PAPERS])

    outcome = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    (parent,) = chat.top()
    assert DAY.isoformat() in parent.text
    assert outcome.parent_message_id == parent.message_id and outcome.parent_posted
    assert len(chat.thread(parent.message_id)) == len(PAPERS) == len(chat.shown()) - 1
    assert [len(_replies_about(chat, p.title)) for p in PAPERS] == [1] * len(PAPERS)
    assert outcome.posted == [p.arxiv_id for p in PAPERS]


async def test_a_paper_too_long_for_one_message_continues_in_its_thread_from_its_first_part(
    chat: ChatWorld,
) -> None:
    head = await chat.poster.post_parent(chat.chat_id, thread_report([]))
    sentence = "The method prunes channels adaptively."

    message_id = await chat.poster.post_paper(chat.chat_id, head, _long_entry(sentence, 300), ())

    (parent,) = chat.top()  # nothing leaked out of the thread
    parts = chat.thread(parent.message_id)
    assert len(parts) > 1 and message_id == parts[0].message_id
    # Every part accepted by the fake's length and markup checks, and nothing lost between them.
    assert sum(part.text.count("adaptively") for part in parts) == 3 * 300
    # The vote buttons sit on the paper's first message only.
    assert parts[0].buttons == tuple(b.data for b in vote_buttons(PAPERS[0].arxiv_id))
    assert [part.buttons for part in parts[1:]] == [()] * (len(parts) - 1)


async def test_every_paper_of_the_day_carries_vote_buttons_and_the_parent_none(
    chat: ChatWorld, database: Database
) -> None:
    report = thread_report([thread_entry(p) for p in PAPERS[:2]])

    await deliver_day(database, chat.poster, chat.chat_id, report, {})

    (parent,) = chat.top()
    assert parent.buttons == ()
    assert [m.buttons for m in chat.thread(parent.message_id)] == [
        (f"vote:up:{p.arxiv_id}", f"vote:down:{p.arxiv_id}") for p in PAPERS[:2]
    ]


async def test_an_edited_paper_keeps_its_vote_buttons(chat: ChatWorld) -> None:
    head = await chat.poster.post_parent(chat.chat_id, thread_report([]))
    message_id = await chat.poster.post_paper(chat.chat_id, head, thread_entry(PAPERS[0]), ())

    edited = thread_entry(PAPERS[0], analysis=_long_entry("Works.", 1).analysis)
    assert await chat.poster.update_paper(chat.chat_id, head, message_id, edited, ())

    (paper,) = chat.thread(head.message_id)
    assert paper.buttons == tuple(b.data for b in vote_buttons(PAPERS[0].arxiv_id))


async def test_a_storm_of_429s_is_waited_out_and_every_message_is_posted_once(
    chat: ChatWorld, database: Database
) -> None:
    chat.rate_limit_posts(3)
    report = thread_report([thread_entry(p) for p in PAPERS[:2]])

    outcome = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    assert chat.post_requests() == 3 + 3  # three refused, then the parent and two papers
    (parent,) = chat.top()
    assert [len(_replies_about(chat, p.title)) for p in PAPERS[:2]] == [1, 1]
    assert len(chat.thread(parent.message_id)) == 2
    assert outcome.posted == [p.arxiv_id for p in PAPERS[:2]]


async def test_a_rerun_of_the_day_posts_nothing_new(chat: ChatWorld, database: Database) -> None:
    report = thread_report([thread_entry(p) for p in PAPERS[:2]])
    await deliver_day(database, chat.poster, chat.chat_id, report, {})

    again = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    assert not again.parent_posted and again.posted == []
    assert again.already_sent == [p.arxiv_id for p in PAPERS[:2]]
    assert len(chat.shown()) == 3


async def test_a_rerun_after_the_platform_failed_halfway_completes_the_same_thread(
    chat: ChatWorld, database: Database
) -> None:
    report = thread_report([thread_entry(p) for p in PAPERS])
    chat.fail_after(3)  # the parent and two papers, then down for longer than the retries

    with pytest.raises(chat.outage):
        await deliver_day(database, chat.poster, chat.chat_id, report, {})
    assert len(chat.shown()) == 3

    rerun = await deliver_day(database, chat.poster, chat.chat_id, report, {})

    assert not rerun.parent_posted and len(rerun.already_sent) == 2
    (parent,) = chat.top()
    assert [len(_replies_about(chat, p.title)) for p in PAPERS] == [1] * len(PAPERS)
    assert len(chat.thread(parent.message_id)) == len(PAPERS)


async def test_papers_follow_the_language_of_their_threads_parent(chat: ChatWorld) -> None:
    head = await chat.poster.post_parent(chat.chat_id, thread_report([], language="zh"))
    await chat.poster.post_paper(chat.chat_id, head, thread_entry(PAPERS[0]), ())
    unknown = ThreadHead(head.message_id)  # a parent whose language was never stored
    await chat.poster.post_paper(chat.chat_id, unknown, thread_entry(PAPERS[1]), ())

    _, zh_paper, en_paper = (m.text for m in chat.shown())  # the default language is English
    zh_authors, en_authors = text("label.authors", "zh"), text("label.authors", "en")
    assert zh_authors in zh_paper and en_authors not in zh_paper
    assert en_authors in en_paper
