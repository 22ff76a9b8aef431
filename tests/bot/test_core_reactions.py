"""A 👍/👎 reaction as the core sees it: it names a message, the delivery ledger names the
paper; it is recorded like a tap, taken back only while it is still the vote it gave, and any
other message or emoji is ignored without a word."""

from __future__ import annotations

from datetime import date

from bot.core import ChatCore
from bot.platform import Caller, ReactionEvent, vote_buttons, vote_from
from storage.repositories import DeliveryRepository, VoteRepository
from tests.chat import MEMBER, ok

PAPER = "2602.00780"
MESSAGE = "1700000000.000100"  # the paper's message in C1's daily thread
DM_USER = Caller("slack", "D0ALICE", "UALICE", is_private=True)


async def deliver(core: ChatCore, chat_id: str = "C1", message_id: str = MESSAGE) -> None:
    """As the daily run records a posted paper in a chat's thread."""
    async with core.db.session() as session:
        ledger = DeliveryRepository(session)
        thread = await ledger.get_or_create_thread("slack", chat_id, date(2026, 2, 3), "s")
        await ledger.set_parent(thread.id, "1700000000.000001")
        await ledger.record_sent(thread.id, PAPER, 1, message_id)


async def stored(core: ChatCore, caller: Caller = MEMBER) -> int | None:
    async with core.db.session() as session:
        return await VoteRepository(session).get(
            caller.platform, caller.chat_id, caller.user_id, PAPER
        )


async def test_a_reaction_votes_on_the_paper_of_its_message_and_answers_nothing(
    core: ChatCore,
) -> None:
    await deliver(core)

    assert await core.on_event(ReactionEvent(MEMBER, MESSAGE, 1)) is None
    assert await stored(core) == 1
    await core.on_event(ReactionEvent(MEMBER, MESSAGE, -1))
    assert await stored(core) == -1
    await core.on_event(ReactionEvent(MEMBER, MESSAGE, -1, removed=True))
    assert await stored(core) is None


async def test_removing_a_reaction_keeps_a_vote_given_since(core: ChatCore) -> None:
    await deliver(core)
    await core.on_event(ReactionEvent(MEMBER, MESSAGE, 1))
    ok(await core.on_event(vote_from(MEMBER, vote_buttons(PAPER)[1].data)))  # then 👎 tapped

    await core.on_event(ReactionEvent(MEMBER, MESSAGE, 1, removed=True))

    assert await stored(core) == -1


async def test_other_messages_and_emoji_are_ignored(core: ChatCore) -> None:
    await deliver(core)
    elsewhere = Caller("slack", "C2", "U1")

    for event in [
        ReactionEvent(MEMBER, "1700000000.000001", 1),  # the thread's parent
        ReactionEvent(MEMBER, "1699999999.000000", 1),  # not the bot's, or a command's answer
        ReactionEvent(elsewhere, MESSAGE, 1),  # the same ts in another channel
        ReactionEvent(MEMBER, MESSAGE, None),  # ❤️
        ReactionEvent(MEMBER, MESSAGE, 2),
    ]:
        assert await core.on_event(event) is None

    async with core.db.session() as session:
        votes = VoteRepository(session)
        assert await votes.in_chat("slack", "C1") == await votes.in_chat("slack", "C2") == []


async def test_a_reaction_in_a_dm_digest_is_kept_for_that_dm(core: ChatCore) -> None:
    """The ledger keeps a DM digest under the person's id; Slack names the DM's channel."""
    await deliver(core, chat_id=DM_USER.user_id)

    await core.on_event(ReactionEvent(DM_USER, MESSAGE, -1))

    assert await stored(core, DM_USER) == -1
