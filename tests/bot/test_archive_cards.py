"""An answer across the archive as each platform renders it (checked by the fakes' own
validators), and Slack's follow-up box for it: the parts that need no model."""

from __future__ import annotations

import json

import pytest

from bot.platform import AnswerReply
from bot.slack.asking import FOLLOW_UP_ACTION, Asking, asking_from_tap, question_modal
from bot.slack.render import render_answer as slack_answer
from bot.telegram.render import render_answer as telegram_answer
from domain.messages import text
from pipeline.qa.answers import ArchiveAnswer, ArchiveCitation
from tests.daydata import ECO
from tests.fakes.slack_blocks import validate_blocks
from tests.fakes.slack_interactions import _view_problem
from tests.fakes.telegram_server import parse_html, utf16_length

TRANSFORMER = ArchiveCitation("1706.03762", "Attention Is All You Need", "3.1 Encoder", 3)
CITED = (
    TRANSFORMER,
    ArchiveCitation("1706.03762", "Attention Is All You Need", "3.2 Attention", 4),
    TRANSFORMER,  # quoted twice: listed once
    ArchiveCitation(ECO.arxiv_id, "EcoVLA: Adaptive <Pruning>"),  # its abstract: no page
)
BODY = "Six identical layers [1706.03762 §3.1, p. 3]; pruned adaptively [2602.00780]."


def archive_answer(body: str = BODY, **changes: object) -> AnswerReply:
    fields: dict[str, object] = {
        "question_id": 17,
        "question": "What have we seen on <encoder> stacks?",
        "text": body,
        "citations": CITED,
        "papers": (ECO,),
        "grounded": True,
        "from_store": False,
    }
    fields.update(changes)
    language = str(fields.pop("language", "en"))
    return AnswerReply(ArchiveAnswer(**fields), language, "U0ALICE")  # type: ignore[arg-type]


def test_slack_shows_the_archive_heading_and_each_cited_paper_once_linked_to_arxiv() -> None:
    (message,) = slack_answer(archive_answer())
    validate_blocks(message.blocks)
    shown = json.dumps(message.blocks, ensure_ascii=False)

    assert shown.index(text("asking.archive.title", "en")) < shown.index("<@U0ALICE>")
    assert "> What have we seen on &lt;encoder&gt; stacks?" in shown
    assert BODY in shown
    transformer = "<https://arxiv.org/abs/1706.03762|1706.03762> §3.1, p. 3; §3.2, p. 4 — Attention"
    assert shown.count(transformer) == 1
    assert (
        "<https://arxiv.org/abs/2602.00780|2602.00780> — EcoVLA: Adaptive &lt;Pruning&gt;" in shown
    )
    (button,) = message.blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == (FOLLOW_UP_ACTION, "17:")
    assert "<@U0ALICE>" in message.text


def test_telegram_shows_the_archive_heading_and_each_cited_paper_once_linked_to_arxiv() -> None:
    (message,) = telegram_answer(archive_answer(language="zh"))
    shown = parse_html(message)

    assert shown.startswith(text("asking.archive.title", "zh"))
    assert "What have we seen on <encoder> stacks?" in shown and BODY in shown
    linked = '<a href="https://arxiv.org/abs/1706.03762">1706.03762</a> §3.1, p. 3; §3.2, p. 4'
    assert message.count(linked) == 1
    assert '<a href="https://arxiv.org/abs/2602.00780">2602.00780</a> — EcoVLA' in message
    assert text("asking.archive.sources", "zh") in shown


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_archive_answers_notes_nothing_found_ungrounded_from_the_store_and_failed(
    language: str,
) -> None:
    nothing = archive_answer(
        text("questions.archive.nothing_found", language),
        citations=(), papers=(), grounded=False, nothing_found=True, language=language,
    )  # fmt: skip
    weak = archive_answer("Probably many.", citations=(), grounded=False, language=language)
    stored = archive_answer(from_store=True, language=language)
    failed = archive_answer("", error="The model declined to answer", language=language)

    def both(reply: AnswerReply) -> list[str]:
        slack = [b for m in slack_answer(reply) for b in m.blocks]
        validate_blocks(slack)
        return [json.dumps(slack, ensure_ascii=False), parse_html("".join(telegram_answer(reply)))]

    for shown in both(nothing):
        assert text("questions.archive.nothing_found", language) in shown
        assert text("questions.archive.ungrounded", language) not in shown
        assert text("asking.archive.sources", language) not in shown
    for shown in both(weak):
        assert text("questions.archive.ungrounded", language) in shown
    for shown in both(stored):
        assert text("questions.archive.from_store", language) in shown
    for shown in both(failed):
        assert "The model declined to answer" in shown and "1706.03762" not in shown
        assert text("questions.archive.from_store", language) not in shown


def test_a_long_archive_answer_is_split_into_messages_each_platform_accepts() -> None:
    body = "\n\n".join(
        f"Paragraph {i}: " + "they stack layers [1706.03762]. " * 40 for i in range(40)
    )
    reply = archive_answer(body)

    slack, telegram = slack_answer(reply), telegram_answer(reply)

    assert len(slack) > 1 and len(telegram) > 1
    for message in slack:
        validate_blocks(message.blocks)
    assert [b["type"] for b in slack[-1].blocks][-1] == "actions"
    for piece in telegram:
        assert utf16_length(parse_html(piece)) <= 4096
    assert "2602.00780" in parse_html(telegram[-1])  # the sources come last


def test_the_follow_up_button_of_an_archive_answer_opens_a_box_for_the_archive() -> None:
    tap = {
        "channel": {"id": "C0TEAM"},
        "container": {"message_ts": "1700000000.000100", "channel_id": "C0TEAM"},
        "message": {"ts": "1700000000.000100"},
    }
    asking = asking_from_tap(tap, {"action_id": FOLLOW_UP_ACTION, "value": "17:"})

    assert asking == Asking("", "C0TEAM", "1700000000.000100", follows=17)
    view = question_modal(asking, "", "zh")
    assert _view_problem(view) is None
    assert view["title"]["text"] == text("asking.modal.archive_title", "zh")
    assert view["blocks"][0]["label"]["text"] == text("asking.modal.archive_follow_up", "zh")
    assert Asking.from_metadata(view["private_metadata"]) == asking
    assert asking_from_tap(tap, {"action_id": FOLLOW_UP_ACTION, "value": ":"}) is None
