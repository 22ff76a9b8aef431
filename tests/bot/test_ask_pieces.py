"""The parts of asking a paper that need no model: `ask` as typed, an answer as each platform
renders it (checked by the fakes' own validators), the daily cap's counting, and Telegram's
"typing…" kept up while an answer is worked on."""

from __future__ import annotations

import json
from datetime import date

import pytest

from arxiv_digest.settings import Settings
from bot.acks import ack_text
from bot.commands import Ask, CommandError, parse_command
from bot.limits import UserLimits
from bot.platform import AnswerReply, Caller
from bot.slack.asking import FOLLOW_UP_ACTION, Asking, question_modal
from bot.slack.render import render_answer as slack_answer
from bot.telegram.poster import make_bot
from bot.telegram.questions import typing
from bot.telegram.render import render_answer as telegram_answer
from domain.messages import text
from domain.models import Citation
from pipeline.qa.answers import MAX_QUESTION_CHARS, PaperAnswer
from storage.db import Database
from tests.daydata import ECO
from tests.fakes.slack_blocks import validate_blocks
from tests.fakes.slack_interactions import _view_problem
from tests.fakes.telegram_server import FakeTelegram, parse_html, utf16_length
from tests.polling import until

CITED = (Citation(3, "4.2 Results", 6), Citation(5, "5 Ablations", 8), Citation(3, "4.2", 6))


@pytest.mark.parametrize(
    ("typed", "paper", "question"),
    [
        ("ask 2602.00780 what baseline do they beat?", "2602.00780", "what baseline do they beat?"),
        (
            "ASK  https://arxiv.org/abs/2602.00780v2\nhow big\nis it?",
            "2602.00780v2",
            "how big\nis it?",
        ),
        ("ask arXiv:2602.00780 需要重新训练吗", "2602.00780", "需要重新训练吗"),
    ],
)
def test_ask_takes_the_paper_then_the_question_as_typed(
    typed: str, paper: str, question: str
) -> None:
    parsed = parse_command(typed)

    assert isinstance(parsed, Ask)
    assert str(parsed.paper) == paper
    assert parsed.question == question


@pytest.mark.parametrize("typed", ["ask", "ask 2602.00780", "ask 2602.00780   "])
def test_ask_without_a_question_says_how_to_ask(typed: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(typed)
    assert raised.value.key == "asking.usage"


@pytest.mark.parametrize(
    "typed",
    [
        "ask what have we seen on KV-cache compression?",
        "ask   KV-cache compression",
        "ask 2026 papers on 3D gaussian splatting?",
        "ask 我们看过哪些关于 KV-cache 压缩的论文",
    ],
)
def test_ask_without_a_paper_asks_the_archive_the_whole_question(typed: str) -> None:
    parsed = parse_command(typed)

    assert parsed == Ask(None, typed.split(maxsplit=1)[1].strip())


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("ask 2602.0078 what is this paper about?", "2602.0078"),
        ("ask arXiv:2602 what is it?", "arXiv:2602"),
        ("ask https://arxiv.org/abs/nonsense why?", "https://arxiv.org/abs/nonsense"),
        ("ask cs/99 why?", "cs/99"),
    ],
)
def test_ask_with_a_first_word_meant_as_a_paper_that_is_none_names_it(
    typed: str, named: str
) -> None:
    with pytest.raises(CommandError) as raised:
        parse_command(typed)
    assert raised.value.key != "asking.usage"
    assert named in raised.value.message("en")


def test_ask_is_acknowledged_with_its_paper_or_the_archive_in_the_chats_language() -> None:
    assert ack_text("ask 2602.00780 why?", "zh") == text("chat.ack.ask", "zh", paper="2602.00780")
    assert ack_text("ask why prune?", "zh") == text("chat.ack.ask_archive", "zh")


def answer(body: str, **changes: object) -> AnswerReply:
    fields: dict[str, object] = {
        "question_id": 17,
        "paper": ECO,
        "question": "What baseline <do> they beat on LIBERO?",
        "text": body,
        "citations": CITED,
        "grounded": True,
        "full_text": True,
        "from_store": False,
    }
    fields.update(changes)
    language = str(fields.pop("language", "en"))
    return AnswerReply(PaperAnswer(**fields), language, "U0ALICE")  # type: ignore[arg-type]


def test_a_slack_answer_opens_with_the_asker_title_and_question_and_offers_a_follow_up() -> None:
    (message,) = slack_answer(answer("They beat OpenVLA by 4.1 points (§4.2, p. 6)."))
    validate_blocks(message.blocks)
    shown = json.dumps(message.blocks, ensure_ascii=False)

    assert shown.index("<@U0ALICE>") < shown.index("EcoVLA") < shown.index("&lt;do&gt;")
    assert "> What baseline &lt;do&gt; they beat on LIBERO?" in shown
    assert "§4.2, p. 6; §5, p. 8" in shown  # each source once, in order
    (button,) = message.blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == (FOLLOW_UP_ACTION, f"17:{ECO.arxiv_id}")
    assert "<@U0ALICE>" in message.text


def test_a_long_answer_is_split_into_messages_each_platform_accepts() -> None:
    body = "\n\n".join(f"Paragraph {i}: " + "the method prunes tokens. " * 40 for i in range(40))
    reply = answer(body, language="zh")

    slack = slack_answer(reply)
    telegram = telegram_answer(reply)

    assert len(slack) > 1 and len(telegram) > 1
    for message in slack:
        validate_blocks(message.blocks)
    assert [b["type"] for b in slack[-1].blocks][-1] == "actions"
    assert all(b["type"] != "actions" for m in slack[:-1] for b in m.blocks)
    for piece in telegram:
        assert utf16_length(parse_html(piece)) <= 4096
    continued = text("card.continued", "zh", page=2, pages=len(telegram))
    assert continued in parse_html(telegram[1])
    assert "Paragraph 39" in parse_html(telegram[-1])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_notes_say_when_an_answer_is_not_grounded_had_no_pdf_came_from_the_store_or_failed(
    language: str,
) -> None:
    weak = answer(
        "Probably a lot.",
        citations=(),
        grounded=False,
        full_text=False,
        from_store=True,
        language=language,
    )
    failed = answer("", error="The model declined to answer", citations=(), language=language)

    for reply in (weak, failed):
        slack = json.dumps([b for m in slack_answer(reply) for b in m.blocks], ensure_ascii=False)
        telegram = parse_html("".join(telegram_answer(reply)))
        for shown in (slack, telegram):
            if reply is weak:
                assert text("questions.ungrounded", language) in shown
                assert text("questions.abstract_only", language) in shown
                assert text("questions.from_store", language) in shown
                assert "§" not in shown  # no sources line without citations
            else:
                assert "The model declined to answer" in shown
                assert text("questions.ungrounded", language) not in shown
                assert text("questions.from_store", language) not in shown


def test_the_question_box_is_a_modal_slack_accepts_as_long_as_a_question_may_be() -> None:
    asking = Asking(ECO.arxiv_id, "C0TEAM", "1700000000.000100", follows=17)
    view = question_modal(asking, "x" * 500, "zh")

    assert _view_problem(view) is None
    element = view["blocks"][0]["element"]
    assert element["max_length"] == MAX_QUESTION_CHARS
    assert Asking.from_metadata(view["private_metadata"]) == asking
    assert Asking.from_metadata('{"p": 1}') is None
    assert Asking.from_metadata("not json") is None


async def test_the_daily_cap_counts_new_answers_per_person_and_day(database: Database) -> None:
    today = [date(2026, 2, 4)]
    limits = UserLimits(database, ask_per_day=2, today=lambda: today[0])
    alice, bob = Caller("slack", "C1", "U0ALICE"), Caller("slack", "C1", "U0BOB")

    await limits.asked(alice)
    assert await limits.may_ask(alice)
    await limits.asked(alice)

    assert not await limits.may_ask(alice)
    assert await limits.may_ask(bob)
    assert await limits.may_use_llm(alice)  # summaries are counted apart
    today[0] = date(2026, 2, 5)
    assert await limits.may_ask(alice)


async def test_typing_shows_until_the_answer_is_ready_and_stops_then() -> None:
    with FakeTelegram() as telegram:
        telegram.add_chat(-100200300, "supergroup", is_forum=True)
        telegram.topics[-100200300] = {77: "2026-02-04"}
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, telegram_bot_token=telegram.token, telegram_api_url=telegram.base_url
        ).telegram()
        async with make_bot(settings) as bot:
            async with typing(bot, -100200300, 77, every=0.05):
                await until(lambda: len(telegram.chat_actions) >= 3)
            stopped = len(telegram.chat_actions)  # the typing task is cancelled and awaited
            await bot.get_me()  # a round trip: no call of it is still on its way

        assert len(telegram.chat_actions) == stopped
        assert {(a.action, a.message_thread_id) for a in telegram.chat_actions} == {("typing", 77)}


def test_ask_per_user_per_day_is_a_setting_with_its_default() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.ask_per_user_per_day == 30
    changed = Settings(_env_file=None, ask_per_user_per_day=0)  # type: ignore[call-arg]
    assert changed.ask_per_user_per_day == 0
