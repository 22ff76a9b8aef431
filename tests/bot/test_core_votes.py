"""A 👍/👎 tap as the core sees it: recorded per person, paper and chat, acknowledged in the
chat's language, and the chat's and the voter's models rebuilt at once; a button that is not a
vote on a paper is refused and nothing is stored."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core import ChatCore
from bot.platform import Caller, VoteEvent, vote_buttons, vote_from
from domain.models import TasteOwner
from pipeline.relevance.service import Relevance
from pipeline.relevance.store import VectorStore
from storage.db import Database
from storage.repositories import ChatRepository, PaperRepository, VoteRepository
from tests.chat import MEMBER, error, ok
from tests.samples import sample_paper

PAPER = "2602.00780"


async def stored(core: ChatCore, caller: Caller = MEMBER, paper: str = PAPER) -> int | None:
    async with core.db.session() as session:
        return await VoteRepository(session).get(
            caller.platform, caller.chat_id, caller.user_id, paper
        )


def test_the_buttons_carry_the_paper_within_telegrams_64_bytes() -> None:
    up, down = vote_buttons("math.GT/0309136")
    assert (up.value, down.value) == (1, -1)
    assert vote_from(MEMBER, up.data) == VoteEvent(MEMBER, "math.GT/0309136", 1)
    assert vote_from(MEMBER, down.data) == VoteEvent(MEMBER, "math.GT/0309136", -1)
    assert max(len(b.data.encode()) for b in (up, down)) <= 64


async def test_a_tap_records_the_vote_and_the_other_changes_it(core: ChatCore) -> None:
    up, down = vote_buttons(PAPER)

    assert PAPER in ok(await core.on_event(vote_from(MEMBER, up.data)))
    assert await stored(core) == 1
    ok(await core.on_event(vote_from(MEMBER, up.data)))  # the same again: kept
    assert await stored(core) == 1
    ok(await core.on_event(vote_from(MEMBER, down.data)))
    assert await stored(core) == -1


async def test_the_acknowledgement_is_in_the_chats_language(core: ChatCore) -> None:
    async with core.db.session() as session:
        await ChatRepository(session).save("slack", MEMBER.chat_id, language="zh")

    answer = ok(await core.on_event(VoteEvent(MEMBER, PAPER, 1)))

    assert answer == f"👍 已记录：{PAPER} 对你有用。仅你可见。"


@pytest.mark.parametrize(
    "data", ["", "garbage", "vote:sideways:2602.00780", "vote:up:", "vote:up:not-a-paper", "x:up:1"]
)
async def test_a_button_that_is_not_a_vote_is_refused_and_nothing_stored(
    core: ChatCore, data: str
) -> None:
    answer = error(await core.on_event(vote_from(MEMBER, data)))

    assert answer == "That button is not a vote on a paper; nothing was recorded."
    async with core.db.session() as session:
        assert await VoteRepository(session).in_chat("slack", MEMBER.chat_id) == []


class RecordingRelevance(Relevance):
    """The real ranking service, noting whose models each vote asked to rebuild."""

    def __init__(self, db: Database, store: VectorStore, *, fail: bool = False) -> None:
        super().__init__(db, store)
        self.retrained: list[tuple[TasteOwner, ...]] = []
        self._fail = fail

    async def retrain(self, *owners: TasteOwner) -> None:
        self.retrained.append(owners)
        if self._fail:
            raise RuntimeError("the vector store is unreachable")
        await super().retrain(*owners)


async def _with_papers(core: ChatCore, *, fail: bool = False) -> RecordingRelevance:
    papers = [
        sample_paper(arxiv_id=PAPER, title="Robot grasping with tactile sensing"),
        sample_paper(arxiv_id="2602.00781", title="Machine translation for low resource pairs"),
    ]
    async with core.db.session() as session:
        await PaperRepository(session).record_announcements(date(2026, 2, 4), papers)
    assert core.digest.relevance is not None
    relevance = RecordingRelevance(core.db, core.digest.relevance.store, fail=fail)
    await relevance.store.vectors(papers)  # as the day's run does: the negatives' pool
    core.digest.relevance = relevance
    return relevance


async def test_a_vote_retrains_its_chats_and_its_voters_models_at_once(core: ChatCore) -> None:
    relevance = await _with_papers(core)
    up, _ = vote_buttons(PAPER)

    ok(await core.on_event(vote_from(MEMBER, up.data)))

    chat, person = TasteOwner.chat("slack", "C1"), TasteOwner.person("slack", "U1")
    assert relevance.retrained == [(chat, person)]  # nobody else's
    for owner in (chat, person):
        taste = await relevance.taste(owner)
        assert taste.liked == [PAPER] and taste.model is not None


async def test_a_failed_retrain_keeps_the_vote_and_its_answer(core: ChatCore) -> None:
    relevance = await _with_papers(core, fail=True)
    up, _ = vote_buttons(PAPER)

    answer = ok(await core.on_event(vote_from(MEMBER, up.data)))

    assert relevance.retrained and answer.startswith("👍 Noted")
    assert await stored(core) == 1
