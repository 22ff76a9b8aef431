"""Votes where each platform has its own ways: Slack's signatures and Socket Mode envelope,
Telegram's allowed updates, forum topics and private chats; and the fakes' button limits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.platform import vote_buttons
from bot.slack.votes import vote_block
from storage.repositories import VoteRepository
from tests.bot import slackapp
from tests.bot.telegramapp import free_port, running_bot
from tests.daydata import ECO
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_blocks import SlackError, validate_blocks
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_buttons import MarkupError, callback_data_of, checked_keyboard
from tests.fakes.telegram_server import FakeTelegram
from tests.polling import WAIT_SECONDS, until

TG_ALICE = 42
BUTTONS = tuple(b.data for b in vote_buttons(ECO.arxiv_id))

# ---- Slack only ------------------------------------------------------------------------------


async def test_a_forged_slack_interaction_gets_401_and_nothing_is_stored(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            payload = slackapp.block_actions(
                slack, "1700000000.000001", "vote_up", BUTTONS[0], response_token="forged"
            )
            body = slackapp.interaction(payload)

            status, _ = await slackapp.post_signed(bot.url, body, secret="not-the-secret")

            assert status == 401
            async with bot.core.db.session() as session:
                assert await VoteRepository(session).in_chat("slack", slackapp.CHANNEL) == []
            assert slack.responses_to("forged") == []


async def test_a_vote_in_a_slack_dm_is_kept_for_that_dm(
    arxiv: FakeArxiv, slack: FakeSlack, database_url: str, tmp_path: Path
) -> None:
    with slackapp.GatedOpenAI() as llm:
        async with slackapp.running_slack_bot(arxiv, llm, slack, database_url, tmp_path) as bot:
            dm = "D0ALICE"
            payload = slackapp.block_actions(
                slack, "1.2", "vote_down", BUTTONS[1], response_token="dm", channel=dm
            )
            status, _ = await slackapp.post_signed(bot.url, slackapp.interaction(payload))
            (answer,) = await until(lambda: slackapp.private_answers(slack, "dm"))
            async with bot.core.db.session() as session:
                votes = await VoteRepository(session).in_chat("slack", dm)

    assert status == 200 and answer["text"].startswith("👎")
    assert [(v.user_id, v.value) for v in votes] == [(slackapp.ALICE, -1)]
    assert slack.all_posts == [] and slack.ephemerals == []


async def test_socket_mode_takes_a_tap_from_its_envelope(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    with slackapp.SocketModeSlack() as slack, FakeOpenAI() as llm:
        tap = slackapp.block_actions(slack, "1.2", "vote_up", BUTTONS[0], response_token="socket")
        envelope = {
            "envelope_id": "tap-1",
            "type": "interactive",
            "payload": tap,
            "accepts_response_payload": False,
        }
        async with slackapp.running_socket_mode_bot(
            arxiv, llm, slack, database_url, tmp_path, envelope
        ) as bot:
            ack = await asyncio.wait_for(bot.acks.get(), WAIT_SECONDS)
            (answer,) = await until(lambda: slackapp.private_answers(slack, "socket"))
            async with bot.core.db.session() as session:
                vote = await VoteRepository(session).get(
                    "slack", slackapp.CHANNEL, slackapp.ALICE, ECO.arxiv_id
                )

    assert ack == {"envelope_id": "tap-1"}
    assert answer["text"].startswith("👍") and vote == 1
    assert slack.all_posts == []


# ---- Telegram only ---------------------------------------------------------------------------


async def test_telegram_is_asked_for_callback_queries_when_polling(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            assert bot.where == "long polling"
            assert telegram.allowed_updates == ["message", "callback_query", "message_reaction"]


async def test_telegram_is_asked_for_callback_queries_by_its_webhook(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        async with running_bot(
            telegram,
            arxiv,
            llm,
            database_url,
            tmp_path,
            telegram_webhook_url="https://bot.example.org/telegram/hook",
            telegram_webhook_secret="s3cret-Token_for-the-webhook",
            telegram_webhook_port=free_port(),
        ):
            assert telegram.allowed_updates == ["message", "callback_query", "message_reaction"]


async def test_a_vote_in_a_forum_topic_and_in_private_is_recorded_for_that_chat(
    arxiv: FakeArxiv, database_url: str, tmp_path: Path
) -> None:
    forum = -100400500
    with FakeOpenAI() as llm, FakeTelegram() as telegram:
        telegram.add_chat(forum, "supergroup", is_forum=True)
        async with running_bot(telegram, arxiv, llm, database_url, tmp_path) as bot:
            telegram.add_command(
                forum, TG_ALICE, f"/summarize {ECO.arxiv_id}", message_thread_id=77
            )
            telegram.add_command(TG_ALICE, TG_ALICE, f"/summarize {ECO.arxiv_id}")
            in_topic, in_private = await until(
                lambda: (
                    telegram.sent(forum) + telegram.sent(TG_ALICE)
                    if telegram.sent(forum) and telegram.sent(TG_ALICE)
                    else []
                )
            )
            telegram.add_callback_query(forum, TG_ALICE, in_topic.message_id, BUTTONS[0])
            telegram.add_callback_query(TG_ALICE, TG_ALICE, in_private.message_id, BUTTONS[1])
            await until(lambda: len(telegram.callback_answers) == 2)
            async with bot.core.db.session() as session:
                votes = VoteRepository(session)
                in_forum = await votes.in_chat("telegram", str(forum))
                privately = await votes.in_chat("telegram", str(TG_ALICE))

    assert in_topic.message_thread_id == 77
    assert callback_data_of(in_topic.reply_markup) == list(BUTTONS)
    assert [v.value for v in in_forum] == [1] and [v.value for v in privately] == [-1]


async def test_the_fakes_refuse_buttons_the_real_apis_refuse() -> None:
    too_long = "vote:up:" + "9" * 57  # 65 bytes
    with pytest.raises(MarkupError, match="BUTTON_DATA_INVALID"):
        checked_keyboard({"inline_keyboard": [[{"text": "👍", "callback_data": too_long}]]})
    button = vote_block(ECO.arxiv_id)["elements"][0]
    for change, error in [
        ({"action_id": "a" * 256}, "action_id"),
        ({"value": "v" * 2001}, "value"),
        ({"text": {"type": "plain_text", "text": "t" * 76}}, "text"),
        ({"text": {"type": "mrkdwn", "text": "*up*"}}, "plain_text"),
    ]:
        block = {"type": "actions", "elements": [{**button, **change}]}
        with pytest.raises(SlackError) as refused:
            validate_blocks([block])
        assert refused.value.error == "invalid_blocks" and error in str(refused.value.detail)
    validate_blocks([vote_block(ECO.arxiv_id)])
