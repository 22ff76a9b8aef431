from __future__ import annotations

from datetime import date

import pytest

from bot.acks import ack_text
from bot.commands import (
    CommandError,
    DigestDm,
    DigestHere,
    DigestOff,
    DigestSettings,
    Help,
    Interests,
    InterestsAdd,
    InterestsReset,
    Keyword,
    KeywordsAdd,
    KeywordsList,
    KeywordsRemove,
    Report,
    Summarize,
    Why,
    parse_command,
)
from pipeline.ids import ArxivId


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "digest", "digest help", " Digest "])
def test_help_and_bare_digest_ask_for_the_command_list(text: str) -> None:
    assert parse_command(text) == Help()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("summarize 2602.00780", ArxivId("2602.00780")),
        ("  Summarize   2602.00780v2 ", ArxivId("2602.00780", 2)),
        ("summarize https://arxiv.org/abs/2602.00780", ArxivId("2602.00780")),
        ("SUMMARIZE arXiv:cs/9901001", ArxivId("cs/9901001")),
    ],
)
def test_summarize_takes_an_id_or_url(text: str, expected: ArxivId) -> None:
    assert parse_command(text) == Summarize(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("summarize", "Usage: summarize"),
        ("summarize ../../etc/passwd", "is not an arXiv id"),
        ("summarize 2613.00780", "is not an arXiv id"),
        ("summarize 2602.00780 2602.00781", "One paper at a time"),
    ],
)
def test_summarize_refuses_what_is_not_one_paper(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


def test_why_takes_one_id_or_url() -> None:
    assert parse_command("why https://arxiv.org/abs/2602.00780v2") == Why(ArxivId("2602.00780", 2))
    for typed, message in [("why", "Usage: why"), ("why 1 2", "One paper"), ("why x", "not an")]:
        with pytest.raises(CommandError, match=message):
            parse_command(typed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("interests", Interests()),
        ("Interests show", Interests()),
        ("interests reset", InterestsReset()),
        # Spaces or commas between ids; each kept as typed, repeats once, checked when added.
        (
            "interests add 2602.00780, x  2602.00780,cs/9901001",
            InterestsAdd(("2602.00780", "x", "cs/9901001")),
        ),
    ],
)
def test_interests_show_reset_and_add(text: str, expected: object) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interests add", "Usage: interests add"),
        ("interests add " + " ".join(f"2602.{n:05d}" for n in range(21)), "At most 20 papers"),
        ("interests reset now", "Unknown interests subcommand 'reset now'"),
        ("interests forget", "Unknown interests subcommand"),
    ],
)
def test_interests_refuses_what_it_cannot_do(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


def test_keywords_add_splits_on_commas_and_keeps_what_was_typed() -> None:
    command = parse_command("keywords add diffusion,  Vision-Language-Action ,VLA")
    assert command == KeywordsAdd(
        (
            Keyword("diffusion", "diffusion"),
            Keyword("Vision-Language-Action", "vision language action"),
            Keyword("VLA", "vla"),
        )
    )


def test_equivalent_keywords_in_one_command_count_once() -> None:
    command = parse_command("keywords add Vision-Language-Action, vision language action")
    assert isinstance(command, KeywordsAdd)
    assert [k.display for k in command.keywords] == ["Vision-Language-Action"]


def test_chinese_commas_separate_keywords_too() -> None:
    command = parse_command("keywords add 强化学习，扩散模型、VLA")
    assert isinstance(command, KeywordsAdd)
    assert [k.key for k in command.keywords] == ["强化学习", "扩散模型", "vla"]


@pytest.mark.parametrize(
    "text",
    [
        "keywords add --channel robotics",
        "keywords add robotics --channel",
        "Keywords ADD --CHAT robotics",
    ],
)
def test_the_channel_flag_marks_the_chats_own_keywords(text: str) -> None:
    assert parse_command(text) == KeywordsAdd((Keyword("robotics", "robotics"),), for_chat=True)


def test_keywords_remove_and_list() -> None:
    assert parse_command("keywords remove VLA") == KeywordsRemove((Keyword("VLA", "vla"),))
    assert parse_command("keywords remove --channel VLA").for_chat  # type: ignore[union-attr]
    assert parse_command("keywords list") == KeywordsList()
    assert parse_command("keywords") == KeywordsList()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keywords add", "Usage: keywords add"),
        ("keywords add --channel", "Usage: keywords add"),
        ("keywords add , ,", "Usage: keywords add"),
        ("keywords add !!!", "needs at least one letter or digit"),
        ("keywords add " + "a" * 500, "at most 100 characters"),
        ("keywords add " + ", ".join(f"k{i}" for i in range(21)), "At most 20"),
        ("keywords frobnicate VLA", "Unknown keywords subcommand 'frobnicate'"),
        ("keywords list everything", "takes no arguments"),
    ],
)
def test_bad_keyword_commands_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


def test_negative_and_author_keywords_are_parsed_with_the_others() -> None:
    command = parse_command('keywords add author:"Chelsea Finn", VLA, -survey --channel')
    assert command == KeywordsAdd(
        (
            Keyword("author:Chelsea Finn", "author:chelsea finn"),
            Keyword("VLA", "vla"),
            Keyword("-survey", "-survey"),
        ),
        for_chat=True,
    )
    assert parse_command("keywords remove -Survey") == KeywordsRemove(
        (Keyword("-Survey", "-survey"),)
    )


def test_a_negative_keyword_is_not_the_keyword_itself() -> None:
    command = parse_command("keywords add survey, -survey, author:Finn, author: finn")
    assert isinstance(command, KeywordsAdd)
    assert [k.key for k in command.keywords] == ["survey", "-survey", "author:finn"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keywords add -", "leaves nothing out"),
        ("keywords add VLA, -", "leaves nothing out"),
        ("keywords remove - ", "leaves nothing out"),
        ("keywords add author:", "needs a name after it"),
        ('keywords add author:""', "needs a name after it"),
        ("keywords add author:" + "Finn" * 75, "an author name can be at most 100 characters"),
    ],
)
def test_bad_negative_and_author_keywords_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("report", Report(None)),
        ("report latest", Report(None)),
        ("report LATEST", Report(None)),
        ("report 2026-02-04", Report(date(2026, 2, 4))),
    ],
)
def test_report_takes_a_date_or_latest(text: str, expected: Report) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["report yesterday", "report 2026-13-01", "report 4/2/2026"])
def test_report_refuses_other_dates(text: str) -> None:
    with pytest.raises(CommandError, match="is not a date"):
        parse_command(text)


def test_digest_switches() -> None:
    assert parse_command("digest here") == DigestHere()
    assert parse_command("Digest OFF") == DigestOff()
    assert parse_command("digest dm on") == DigestDm(on=True)
    assert parse_command("digest DM Off") == DigestDm(on=False)


def test_digest_settings_reads_names_and_values() -> None:
    command = parse_command("digest settings categories=cs.ai, CS.RO,astro-ph.ga language = ZH")
    assert command == DigestSettings(categories=("cs.AI", "cs.RO", "astro-ph.GA"), language="zh")
    assert command.changes


def test_digest_settings_alone_shows_and_default_resets() -> None:
    shown = parse_command("digest settings")
    assert shown == DigestSettings() and not shown.changes
    reset = parse_command("digest settings language=default categories=default")
    assert reset == DigestSettings(reset=frozenset({"language", "categories"}))
    assert reset.changes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("digest settings language=fr", "Unknown language 'fr'"),
        ("digest settings categories=cs.AI/RO", "is not an arXiv category"),
        ("digest settings categories=", "is not name=value"),
        ("digest settings colour=blue", "Unknown setting 'colour'"),
        ("digest settings zh", "is not name=value"),
        ("digest dm", "Usage: digest dm on"),
        ("digest dm maybe", "Usage: digest dm on"),
        ("digest here now", "Unknown digest subcommand"),
        ("digest everywhere", "Unknown digest subcommand 'everywhere'"),
        ("subscribe VLA", "Unknown command 'subscribe'"),
    ],
)
def test_bad_digest_commands_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_command(text)


@pytest.mark.parametrize(
    ("text", "ack"),
    [
        ("summarize https://arxiv.org/abs/2602.00780v2", "Working on 2602.00780v2…"),
        ("report 2026-02-04", "Looking up the report for 2026-02-04…"),
        ("report", "Looking up the latest report…"),
        ("keywords add VLA", "Updating the keywords…"),
        ("keywords list", "Looking up the keywords…"),
        ("digest settings", "Looking up the digest settings…"),
        ("digest settings language=zh", "Updating the digest settings…"),
        ("digest here", "Updating the digest settings…"),
        ("summarize nonsense", "One moment…"),
    ],
)
def test_ack_text_says_what_is_being_done(text: str, ack: str) -> None:
    assert ack_text(text) == ack
