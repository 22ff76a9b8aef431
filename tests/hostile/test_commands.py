"""Huge, empty, confusable and markup-laden command arguments through the chat core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from bot.core import ChatCore
from bot.platform import PaperReply, TextReply
from tests.chat import ADMIN, MEMBER, error, keywords_of, ok
from tests.daydata import ECO, make_settings, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.hostile._helpers import assert_one_clean_line, slack_text, telegram_text

HUGE = 100_000


def _category(number: int) -> str:
    """A distinct well-formed category name: cs.aaaa, cs.aaab, …"""
    letters = "".join(chr(97 + number // 26**k % 26) for k in range(4))
    return f"cs.{letters}"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("summarize " + "2" * HUGE, "is not an arXiv id"),
        ("summarize 2602.00780" + "0" * HUGE, "is not an arXiv id"),
        ("keywords add " + "a" * HUGE, "at most 100 characters"),
        ("keywords add " + "robot " * (HUGE // 6), "at most 100 characters"),
        ("keywords remove " + "b" * HUGE, "at most 100 characters"),
        ("keywords add author:" + "f" * HUGE, "an author name can be at most 100 characters"),
        ("keywords add -" + "-" * HUGE, "leaves nothing out"),
        ("keywords list " + "c" * HUGE, "takes no arguments"),
        ("report " + "9" * HUGE, "is not a date"),
        ("report 2026-02-04\n" * (HUGE // 11), "is not a date"),
        ("digest settings language=" + "z" * HUGE, "Unknown language"),
        ("digest settings categories=" + ",".join(map(_category, range(HUGE // 8))), "At most"),
        ("digest " + "x" * HUGE, "Unknown digest subcommand"),
        ("x" * HUGE, "Unknown command"),
    ],
)
async def test_a_huge_argument_gets_one_short_line_and_stores_nothing(
    core: ChatCore,
    text: str,
    says: str,
) -> None:
    message = error(await core.handle(ADMIN, text))
    assert says in message
    assert_one_clean_line(message)
    assert await keywords_of(core, "C1", ADMIN.user_id) == []
    assert await keywords_of(core, "C1", None) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\u200b", "\u202e", "\u200b\u2066\u2069"])
async def test_an_empty_or_invisible_command_gets_the_help(
    core: ChatCore,
    text: str,
) -> None:
    reply = await core.handle(MEMBER, text)
    assert isinstance(reply, TextReply) and not reply.is_error
    assert any("summarize <arXiv id or URL>" in line for line in reply.lines)


@pytest.mark.parametrize(
    "typed",
    [
        "２６０２．００７８０",  # fullwidth digits and full stop, as CJK keyboards type them
        "2602\uff0e00780",  # a fullwidth full stop alone
        "2602.00780\u200b",  # a zero-width space copied along
        "\u202e2602.00780",  # a right-to-left override in front
        "\u2066https://arxiv.org/abs/2602.00780\u2069",  # inside a bidi isolate
    ],
)
async def test_confusable_forms_of_an_id_reach_the_same_paper(
    core: ChatCore,
    arxiv: FakeArxiv,
    typed: str,
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))

    reply = await core.handle(MEMBER, f"summarize {typed}")

    assert isinstance(reply, PaperReply), reply
    assert reply.entry.paper.arxiv_id == ECO.arxiv_id
    asked = [r.query.get("id_list") for r in arxiv.requests if r.path == "/api/query"]
    assert asked and all(ids == ["2602.00780"] for ids in asked)  # plain ASCII reaches arXiv


@pytest.mark.parametrize(
    "typed",
    [
        "2602.٠٠٧٨٠",  # Arabic-Indic digits are digits, but no arXiv id has them
        "2602.००७८०",  # Devanagari digits
        "2602.00780\u0301",  # a combining accent on the last digit
    ],
)
async def test_digits_of_other_scripts_are_not_an_id(
    core: ChatCore,
    arxiv: FakeArxiv,
    typed: str,
) -> None:
    message = error(await core.handle(MEMBER, f"summarize {typed}"))
    assert "is not an arXiv id" in message
    assert_one_clean_line(message)
    assert arxiv.requests == []


async def test_a_keyword_mixing_latin_and_cyrillic_is_refused_and_not_stored(
    core: ChatCore,
) -> None:
    message = error(await core.handle(MEMBER, "keywords add diffusion, vl\u0430"))  # Cyrillic а
    assert "mixes Latin and Cyrillic" in message and "vl\u0430" in message
    assert_one_clean_line(message)
    assert await keywords_of(core, "C1", MEMBER.user_id) == []


async def test_greek_letters_in_latin_keywords_stay_allowed(core: ChatCore) -> None:
    ok(await core.handle(MEMBER, "keywords add μP, β-VAE"))
    assert await keywords_of(core, "C1", MEMBER.user_id) == ["μP", "β-VAE"]


async def test_invisible_characters_and_fullwidth_letters_are_not_stored(
    core: ChatCore,
) -> None:
    answer = ok(await core.handle(MEMBER, "keywords add v\u200bla, \u202egnp, ＲＬＨＦ"))

    assert await keywords_of(core, "C1", MEMBER.user_id) == ["vla", "gnp", "RLHF"]
    assert "\u200b" not in answer and "\u202e" not in answer
    # the fullwidth form is the same keyword as the ASCII one
    assert "Already there: rlhf" in ok(await core.handle(MEMBER, "keywords add rlhf"))
    assert await keywords_of(core, "C1", MEMBER.user_id) == ["vla", "gnp", "RLHF"]


MARKUP = [
    "<b>bold</b>",
    "*bold*",
    "<@U123>",
    "<!channel>",
    "<!here|here>",
    "@everyone",
    "AT&T &amp",
    "`rm -rf`",
    "_it_ ~gone~",
    '<a href="x">link</a>',
]


async def test_markup_in_keywords_is_echoed_as_text_on_both_platforms(
    core: ChatCore,
) -> None:
    added = await core.handle(MEMBER, "keywords add " + ", ".join(MARKUP))
    listed = await core.handle(MEMBER, "keywords list")

    assert await keywords_of(core, "C1", MEMBER.user_id) == [
        "<b>bold</b>",
        "*bold*",
        "<@U123>",
        "<!channel>",
        "<!here|here>",
        "@everyone",
        "AT&T &amp",
        "`rm -rf`",
        "_it_ ~gone~",
        '<a href="x">link</a>',
    ]
    for reply in (added, listed):
        assert isinstance(reply, TextReply) and not reply.is_error
        on_slack, on_telegram = slack_text(reply), telegram_text(reply)
        for keyword in MARKUP:
            assert keyword in on_slack and keyword in on_telegram


@pytest.mark.parametrize("name", ["<!channel>", "<@U123>", "<b>x</b>", "&lt;", "@everyone"])
async def test_an_unknown_command_echoes_its_name_as_text(
    core: ChatCore,
    name: str,
) -> None:
    reply = await core.handle(MEMBER, f"{name} please")
    assert_one_clean_line(error(reply))
    assert f"'{name.lower()}'" in slack_text(reply)  # command names are read in lower case
    assert f"'{name.lower()}'" in telegram_text(reply)


async def test_markup_in_a_date_or_setting_is_echoed_as_text(
    core: ChatCore,
) -> None:
    for text in ("report <!channel>", "digest settings language=<b>zh</b>"):
        reply = await core.handle(ADMIN, text)
        assert_one_clean_line(error(reply))
        shown = telegram_text(reply)
        assert "<!channel>" in shown or "<b>zh</b>" in shown
        slack_text(reply)  # valid, no live mention


@pytest.fixture
async def plain_core(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[ChatCore]:
    """The core as `serve` builds it from settings (every limit at its default)."""
    from arxiv_digest.wiring import make_chat_core

    settings = make_settings(arxiv, llm, database_url, tmp_path)
    async with open_digest(settings, digest_options(settings)) as digest:
        yield make_chat_core(settings, digest)


async def test_line_breaks_in_an_argument_never_make_a_second_line(
    plain_core: ChatCore,
) -> None:
    message = error(await plain_core.handle(MEMBER, "report 2026-02-04\nfoo\r\nbar"))
    assert_one_clean_line(message)
