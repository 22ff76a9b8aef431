"""Commands through `ChatCore.handle`, with the real Digest against fake arXiv and LLM servers."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.core import ChatCore
from bot.platform import Caller, PaperReply, ReportReply
from bot.subscriptions import chat_options, daily_chats
from domain.statuses import AnalysisSource
from storage.repositories import ChatRepository
from tests.chat import ADMIN, MEMBER, error, keywords_of, lines, ok
from tests.daydata import CROSS, DAY, ECO, NETVLAD, method_pdf, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

OTHER_MEMBER = Caller("slack", "C1", "U2")
CHANNEL_ADMIN = Caller("slack", "C1", "U3", is_admin=True)  # the platform says so
ELSEWHERE = Caller("slack", "C2", "U1")
DIRECT = Caller("slack", "D1", "U1", is_private=True)


async def a_reported_day(core: ChatCore, arxiv: FakeArxiv) -> None:
    serve_day(arxiv, DAY, [ECO, NETVLAD, CROSS])
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title, "https://github.com/OpenGVLab/EcoVLA")
    arxiv.pdfs[CROSS.versioned_id] = method_pdf(CROSS.title)
    await core.digest.run()


# ---- summarize -------------------------------------------------------------------------------


async def test_summarize_analyses_a_paper_once_then_answers_from_the_store(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))

    first = await core.handle(MEMBER, "summarize https://arxiv.org/abs/2602.00780")
    second = await core.handle(OTHER_MEMBER, "Summarize 2602.00780v1")

    assert isinstance(first, PaperReply) and isinstance(second, PaperReply)
    assert first.entry.paper.arxiv_id == ECO.arxiv_id
    assert first.entry.analysis is not None and ECO.title in first.entry.analysis.summary
    assert first.entry.source is AnalysisSource.FULL_TEXT
    assert second.entry.analysis == first.entry.analysis
    assert len(llm.completions) == 1


async def test_summarize_a_malformed_or_unknown_id_is_a_one_line_error(
    core: ChatCore,
    llm: FakeOpenAI,
) -> None:
    assert "is not an arXiv id" in error(await core.handle(MEMBER, "summarize ../../etc/passwd"))
    assert "arXiv has no paper 2602.99999" in error(
        await core.handle(MEMBER, "summarize 2602.99999")
    )
    assert "Usage: summarize" in error(await core.handle(MEMBER, "summarize"))
    assert llm.completions == []


async def test_summarize_answers_in_the_chats_language(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    ok(await core.handle(ADMIN, "digest settings language=zh"))
    chinese = await core.handle(MEMBER, "summarize 2602.00780")
    english = await core.handle(ELSEWHERE, "summarize 2602.00780")
    again = await core.handle(OTHER_MEMBER, "summarize 2602.00780")

    assert isinstance(chinese, PaperReply) and chinese.entry.analysis is not None
    assert isinstance(english, PaperReply) and english.entry.analysis is not None
    assert isinstance(again, PaperReply)
    assert (chinese.language, english.language) == ("zh", "en")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.entry.analysis.summary)
    assert english.entry.analysis.summary.isascii()
    assert again.entry.analysis == chinese.entry.analysis
    assert len(llm.completions) == 2  # one per language, the third from the store


async def test_summarize_reads_the_chats_language_but_not_its_keywords(
    core: ChatCore,
    arxiv: FakeArxiv,
) -> None:
    """A summary takes nothing from a chat's keywords: however many there are, none is read."""
    arxiv.add_paper(ECO, method_pdf(ECO.title))
    ok(await core.handle(ADMIN, "digest settings language=zh"))
    for start in range(0, 60, 20):  # at most 20 at once
        topics = ", ".join(f"topic {n}" for n in range(start, start + 20))
        ok(await core.handle(MEMBER, f"keywords add {topics}"))
    ok(await core.handle(ADMIN, "keywords add --channel VLA"))
    statements: list[str] = []
    event.listen(
        core.db.engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: statements.append(statement),
    )

    reply = await core.handle(MEMBER, "summarize 2602.00780")

    assert isinstance(reply, PaperReply) and reply.language == "zh"
    assert any("chat_settings" in s for s in statements)
    assert not any("subscriptions" in s for s in statements)


# ---- keywords --------------------------------------------------------------------------------


async def test_members_add_and_remove_their_own_keywords_in_a_chat(core: ChatCore) -> None:
    added = ok(await core.handle(MEMBER, "keywords add diffusion, VLA"))
    again = ok(await core.handle(MEMBER, "keywords add vla, world models"))
    removed = ok(await core.handle(MEMBER, "keywords remove Diffusion"))

    assert added == "Your keywords here: added diffusion, VLA."
    assert again == "Your keywords here: added world models.\nAlready there: vla."
    assert removed == "Your keywords here: removed Diffusion."
    assert await keywords_of(core, "C1", "U1") == ["VLA", "world models"]
    assert await keywords_of(core, "C1", None) == []  # the chat's own are untouched
    assert await keywords_of(core, "C2", "U1") == []  # and so is every other chat


async def test_equivalent_spellings_are_one_keyword(core: ChatCore) -> None:
    ok(await core.handle(MEMBER, "keywords add Vision-Language-Action"))
    again = ok(await core.handle(MEMBER, "keywords add vision language action"))
    removed = ok(await core.handle(MEMBER, "keywords remove VISION–LANGUAGE–ACTION"))

    assert again == "Already there: vision language action."
    assert removed == "Your keywords here: removed VISION–LANGUAGE–ACTION."
    assert await keywords_of(core, "C1", "U1") == []


async def test_removing_a_keyword_one_does_not_have_is_an_error(core: ChatCore) -> None:
    ok(await core.handle(MEMBER, "keywords add VLA"))
    assert error(await core.handle(OTHER_MEMBER, "keywords remove VLA")) == (
        "Your keywords here do not include: VLA."
    )
    assert await keywords_of(core, "C1", "U1") == ["VLA"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keywords add " + "x" * 500, "at most 100 characters"),
        ("keywords add ,", "Usage: keywords add"),
        ("keywords add ???", "needs at least one letter or digit"),
    ],
)
async def test_bad_keywords_are_refused_and_nothing_is_stored(
    core: ChatCore, text: str, message: str
) -> None:
    assert message in error(await core.handle(MEMBER, text))
    assert await keywords_of(core, "C1", "U1") == []


async def test_only_admins_change_the_chats_keywords(core: ChatCore) -> None:
    refused = error(await core.handle(MEMBER, "keywords add --channel robotics"))
    by_listed_admin = ok(await core.handle(ADMIN, "keywords add --channel robotics"))
    by_platform_admin = ok(await core.handle(CHANNEL_ADMIN, "keywords add grasping --channel"))
    removal_refused = error(await core.handle(MEMBER, "keywords remove --channel robotics"))

    assert refused == "Only an admin of this chat can change its keywords."
    assert by_listed_admin == "This chat's keywords: added robotics."
    assert by_platform_admin == "This chat's keywords: added grasping."
    assert "Only an admin" in removal_refused
    assert await keywords_of(core, "C1", None) == ["robotics", "grasping"]
    assert await keywords_of(core, "C1", "UADMIN") == []


async def test_a_direct_message_has_no_chat_keywords(core: ChatCore) -> None:
    assert "direct message" in error(await core.handle(DIRECT, "keywords add --channel VLA"))
    ok(await core.handle(DIRECT, "keywords add VLA"))
    assert await keywords_of(core, "D1", "U1") == ["VLA"]


async def test_keywords_list_counts_matches_on_the_latest_reported_day(
    core: ChatCore,
    arxiv: FakeArxiv,
) -> None:
    await a_reported_day(core, arxiv)
    ok(await core.handle(MEMBER, "keywords add VLA, vision language action, diffusion"))
    ok(await core.handle(OTHER_MEMBER, "keywords add place recognition"))
    ok(await core.handle(ADMIN, "keywords add --channel NetVLAD"))

    listed = lines(await core.handle(MEMBER, "keywords list"))

    assert listed == (
        "Matches among the 3 papers announced on 2026-02-04:",
        "Your keywords here:",
        "• VLA: 1 paper",
        "• vision language action: 1 paper",
        "• diffusion: 0 papers",
        "This chat's keywords:",
        "• NetVLAD: 1 paper",
    )


async def test_keywords_list_before_any_day_and_without_chat_keywords(core: ChatCore) -> None:
    listed = lines(await core.handle(MEMBER, "keywords list"))
    assert listed == (
        "No day has been reported yet, so there are no matches to count.",
        "You have no keywords here.",
        "This chat has no keywords of its own; it uses the defaults: VLA, vision language action.",
    )


# ---- reports ---------------------------------------------------------------------------------


async def test_report_of_a_date_and_the_latest_come_from_the_store(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    await a_reported_day(core, arxiv)
    calls = len(arxiv.requests), len(llm.completions)

    by_date = await core.handle(MEMBER, "report 2026-02-04")
    latest = await core.handle(MEMBER, "report latest")

    assert isinstance(by_date, ReportReply) and isinstance(latest, ReportReply)
    assert by_date.report == latest.report
    report = by_date.report
    assert report.report_date == DAY and report.announced_count == 3
    assert [e.paper.arxiv_id for e in report.entries] == [ECO.arxiv_id, CROSS.arxiv_id]
    eco = report.entries[0]
    assert eco.analysis is not None and ECO.title in eco.analysis.summary
    assert eco.code_links == ["https://github.com/OpenGVLab/EcoVLA"]
    assert eco.matched_keywords == ["vision language action"]
    assert (len(arxiv.requests), len(llm.completions)) == calls  # nothing fetched or analysed


async def test_report_of_an_unknown_day_names_the_known_ones(
    core: ChatCore,
    arxiv: FakeArxiv,
) -> None:
    assert error(await core.handle(MEMBER, "report latest")) == (
        "There is no report for any day (latest: none yet)."
    )
    await a_reported_day(core, arxiv)
    assert error(await core.handle(MEMBER, "report 2026-01-01")) == (
        "There is no report for 2026-01-01 (latest: 2026-02-04)."
    )
    assert "is not a date" in error(await core.handle(MEMBER, "report 2026-02-30"))


async def test_report_shows_the_chats_own_report_when_it_has_one(
    core: ChatCore,
    arxiv: FakeArxiv,
) -> None:
    await a_reported_day(core, arxiv)
    ok(await core.handle(ADMIN, "keywords add --channel NetVLAD"))
    options = await chat_options(core.db, core.digest.options, "slack", "C1")
    await core.digest.run(None, options)

    here = await core.handle(MEMBER, "report latest")
    elsewhere = await core.handle(ELSEWHERE, "report latest")

    assert isinstance(here, ReportReply) and isinstance(elsewhere, ReportReply)
    assert [e.paper.arxiv_id for e in here.report.entries] == [NETVLAD.arxiv_id]
    assert [e.paper.arxiv_id for e in elsewhere.report.entries] == [ECO.arxiv_id, CROSS.arxiv_id]


# ---- digest settings -------------------------------------------------------------------------


async def test_admins_turn_the_digest_on_and_off_in_a_chat(core: ChatCore) -> None:
    assert "Only an admin" in error(await core.handle(MEMBER, "digest here"))
    assert "will be posted in this chat" in ok(await core.handle(ADMIN, "digest here"))
    assert await daily_chats(core.db, "slack", ["C9"]) == ["C9", "C1"]

    assert "no longer be posted" in ok(await core.handle(CHANNEL_ADMIN, "digest off"))
    ok(await core.handle(ADMIN, "Digest Off"))  # twice is fine
    assert await daily_chats(core.db, "slack", ["C1", "C9"]) == ["C9"]
    assert "Only an admin" in error(await core.handle(MEMBER, "digest off"))


async def test_digest_settings_show_for_everyone_and_change_for_admins(core: ChatCore) -> None:
    shown = lines(await core.handle(MEMBER, "digest settings"))
    refused = error(await core.handle(MEMBER, "digest settings language=zh"))
    saved = lines(await core.handle(ADMIN, "digest settings categories=cs.ro,cs.AI language=zh"))

    assert shown == (
        "Digest settings of this chat:",
        "Daily digest here: as configured",
        "Categories: cs.AI, cs.RO (default)",
        "Language: en (default)",
        "Your DM digest: off",
    )
    assert refused == "Only an admin of this chat can change the digest settings."
    assert saved[:4] == (  # in the chat's new language
        "设置已保存。",
        "在本群发布每日摘要：按配置",
        "分类：cs.RO, cs.AI",
        "语言：zh",
    )
    options = await chat_options(core.db, core.digest.options, "slack", "C1")
    assert (options.categories, options.language, options.scope) == (
        ["cs.RO", "cs.AI"],
        "zh",
        "slack:C1",
    )
    assert not options.write_markdown
    other = await chat_options(core.db, core.digest.options, "slack", "C2")
    assert (other.categories, other.language) == (["cs.AI", "cs.RO"], "en")


async def test_digest_settings_go_back_to_the_defaults(core: ChatCore) -> None:
    ok(await core.handle(ADMIN, "digest settings categories=cs.RO language=zh"))
    reset = lines(await core.handle(ADMIN, "digest settings language=default"))

    assert reset[2:4] == ("Categories: cs.RO", "Language: en (default)")
    assert "Unknown language 'fr'" in error(await core.handle(ADMIN, "digest settings language=fr"))


async def test_anyone_opts_in_and_out_of_the_dm_digest(core: ChatCore) -> None:
    assert "by direct message" in ok(await core.handle(MEMBER, "digest dm on"))
    assert ok(await core.handle(MEMBER, "digest dm on")) == "Your DM digest is already on."
    ok(await core.handle(OTHER_MEMBER, "digest DM on"))
    assert ok(await core.handle(OTHER_MEMBER, "digest dm off")) == "Your DM digest is off."
    async with core.db.session() as session:
        assert await ChatRepository(session).dm_subscribers("slack") == ["U1"]


async def test_in_a_direct_message_digest_here_and_off_are_the_dm_digest(core: ChatCore) -> None:
    ok(await core.handle(DIRECT, "digest here"))
    async with core.db.session() as session:
        assert await ChatRepository(session).wants_dm("slack", "U1")
        assert await ChatRepository(session).switched("slack") == {}
    ok(await core.handle(DIRECT, "digest off"))
    async with core.db.session() as session:
        assert not await ChatRepository(session).wants_dm("slack", "U1")
    assert "direct message" in error(await core.handle(DIRECT, "digest settings language=zh"))


# ---- help and mistakes -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "help", "digest", "digest help"])
async def test_help_lists_the_commands(core: ChatCore, text: str) -> None:
    shown = ok(await core.handle(MEMBER, text))
    for command in ("summarize", "keywords add", "report", "digest here", "digest dm on"):
        assert command in shown


async def test_an_unknown_command_is_a_one_line_error(core: ChatCore) -> None:
    assert error(await core.handle(MEMBER, "subscribe VLA")) == (
        "Unknown command 'subscribe'. Try 'help'."
    )
    assert "Unknown digest subcommand" in error(await core.handle(ADMIN, "digest sometimes"))
