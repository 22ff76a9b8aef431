"""The neutral card: what a chat shows of a paper and a day, decided once for both platforms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from arxiv_digest.wiring import digest_options, open_digest
from bot.card import (
    Field,
    Link,
    LinksField,
    MentionsField,
    PaperLink,
    Section,
    Tag,
    TextField,
    paper_card,
    parent_card,
)
from bot.platform import Mention
from domain.models import PaperAnalysis
from domain.statuses import AnalysisSource, ReportStatus
from tests.daydata import ECO, make_settings, method_pdf
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.samples import sample_analysis, sample_entry, sample_paper, sample_report


def _texts(fields: Sequence[Field]) -> dict[str, str]:
    return {field.key: field.text for field in fields if isinstance(field, TextField)}


def test_a_paper_with_an_analysis_shows_its_fields_then_the_five_sections() -> None:
    entry = sample_entry(notes=["The PDF could not be read.", "  "])
    card = paper_card(entry, [], "en")

    assert card.link == PaperLink(
        "https://arxiv.org/abs/2602.00780",
        "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "2602.00780v2",
    )
    assert card.fields == (
        TextField("authors", "Authors", "Yuting Huang, Leilei Ding"),
        TextField("arxiv", "arXiv", "2602.00780v2"),
        TextField("categories", "Categories", "cs.AI, cs.RO"),
        TextField("announce_type", "Announce type", "new"),
        TextField("matched", "Matched keywords", "VLA"),
        LinksField("Code", (Link("https://github.com/OpenGVLab/EcoVLA"),)),
    )
    assert card.notes == ("The PDF could not be read.",)
    assert card.source == "Analysis (from the full text)"
    assert card.sections == (
        Section("Summary", "EcoVLA prunes channels adaptively."),
        Section("Motivation", "Static pruning cannot follow a changing environment."),
        Section("Contributions", "• A training-free pruning framework.\n• An inference scheduler."),
        Section("Method", "EAP predicts sparsity changes."),
        Section("Experiments", "Up to 1.60x speed-up with a 0.4% drop in success rate."),
    )
    assert card.continued.format(page=2, pages=3) == "continued, 2/3"


def test_an_analysis_keeps_its_paragraphs_and_leaves_out_empty_sections() -> None:
    analysis = sample_analysis(
        summary="  First   paragraph\n  line two.\n\n\nSecond.  ",
        motivation=" ",
        contributions=["  one  item ", "", "two"],
    )
    card = paper_card(sample_entry(analysis=analysis, source=AnalysisSource.ABSTRACT), [], "en")

    assert card.source == "Analysis (from the abstract only)"
    assert [section.label for section in card.sections] == [
        "Summary",
        "Contributions",
        "Method",
        "Experiments",
    ]
    assert card.sections[0].body == "First paragraph\nline two.\n\nSecond."
    assert card.sections[1].body == "• one item\n• two"


@pytest.mark.parametrize(
    "analysis",
    [
        None,
        PaperAnalysis(summary=" ", motivation="", contributions=[""], method="", experiments=""),
    ],
)
def test_a_paper_without_an_analysis_shows_its_abstract_on_one_line(
    analysis: PaperAnalysis | None,
) -> None:
    card = paper_card(sample_entry(analysis=analysis), [], "en")

    assert card.source is None
    assert card.sections == (
        Section(
            "Abstract", "While VLA models hold promise, their latency hinders real-time control."
        ),
    )


def test_a_paper_without_analysis_or_abstract_has_no_sections() -> None:
    entry = sample_entry(sample_paper(abstract=" \n "), analysis=None)
    assert paper_card(entry, [], "en").sections == ()


def test_many_authors_show_the_first_ten_and_how_many_more() -> None:
    authors = [f"Author {i}" for i in range(25)]
    card = paper_card(sample_entry(sample_paper(authors=authors)), [], "en")

    shown = ", ".join(f"Author {i}" for i in range(10))
    assert _texts(card.fields)["authors"] == f"{shown} and 15 more"
    zh = paper_card(sample_entry(sample_paper(authors=authors)), [], "zh")
    assert _texts(zh.fields)["authors"] == f"{shown} 等另外 15 人"


def test_blank_authors_are_left_out_and_none_at_all_is_a_dash() -> None:
    named = paper_card(sample_entry(sample_paper(authors=[" Ann\n Lee ", "  ", "Bo"])), [], "en")
    nobody = paper_card(sample_entry(sample_paper(authors=[], categories=[])), [], "en")

    assert _texts(named.fields)["authors"] == "Ann Lee, Bo"
    assert _texts(nobody.fields)["authors"] == "—"
    assert _texts(nobody.fields)["categories"] == "—"


def test_code_links_and_mentions_come_last_in_that_order() -> None:
    entry = sample_entry(code_links=["https://github.com/a/b", "https://gitlab.com/c/d"])
    mentions = [Mention("U1", ("VLA", "robot  arms")), Mention("U2", ())]
    card = paper_card(entry, mentions, "en")

    assert card.fields[-2:] == (
        MentionsField("For", (Tag("U1", "VLA, robot arms"), Tag("U2", ""))),
        LinksField("Code", (Link("https://github.com/a/b"), Link("https://gitlab.com/c/d"))),
    )


def test_optional_fields_are_left_out_when_empty() -> None:
    paper = sample_paper(announce_type=None)
    card = paper_card(sample_entry(paper, matched_keywords=[], code_links=[]), [], "en")

    assert [type(field) for field in card.fields] == [TextField] * 3
    assert list(_texts(card.fields)) == ["authors", "arxiv", "categories"]


def test_an_untitled_paper_is_named_by_its_id() -> None:
    card = paper_card(sample_entry(sample_paper(title=" \n")), [], "en")
    assert card.link.title == ""
    assert card.link.name == "2602.00780v2"


def test_the_parent_says_what_the_day_brought() -> None:
    entries = [
        sample_entry(sample_paper(arxiv_id="2602.00001", title="First")),
        sample_entry(
            sample_paper(arxiv_id="2602.00002", title="Second", abstract="An  abstract."),
            analysis=sample_analysis(summary=" "),
            matched_keywords=[],
        ),
    ]
    updated = [sample_paper(arxiv_id="2601.00009", version=3, title="Old\npaper")]
    report = sample_report(entries, updated=updated, note=" A  note.\n", model=None)
    card = parent_card(report)

    assert card.heading == "arXiv digest — 2026-02-04"
    assert card.papers == "2 matching of 812 announced"
    assert card.fields == (
        TextField("date", "Date", "2026-02-04"),
        TextField("categories", "Categories", "cs.AI, cs.RO"),
        TextField("keywords", "Keywords", "VLA, vision language action"),
        TextField("papers", "Papers", "2 matching of 812 announced"),
        TextField("model", "Analysis", "none (no LLM configured): metadata and abstracts only"),
    )
    assert card.note == "A note."
    [old] = card.updated
    assert old.link.title == "Old paper"
    assert old.text == "(2601.00009): new version v3 of a paper in an earlier report"
    assert card.more_updated.format(count=4) == "… and 4 more"
    first, second = card.listed
    assert (first.number, first.link.title, first.keywords) == (1, "First", "VLA")
    assert first.gist == "EcoVLA prunes channels adaptively."
    assert (second.number, second.keywords, second.gist) == (2, "", "An abstract.")


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (ReportStatus.PARTIAL, "partial: some papers were analysed from their abstract only"),
        (ReportStatus.STALE, "stale: the feed still serves an earlier day"),
    ],
)
def test_the_parent_adds_a_status_that_is_not_complete(status: ReportStatus, shown: str) -> None:
    assert parent_card(sample_report(status=status)).fields[-1] == TextField(
        "status", "Status", shown
    )
    assert "status" not in _texts(parent_card(sample_report()).fields)


def test_the_parent_in_chinese_and_a_blank_note_or_no_keywords() -> None:
    card = parent_card(sample_report(language="zh", keywords=[], note="  ", model="m"))

    assert card.heading == "arXiv 论文日报 — 2026-02-04"
    assert _texts(card.fields)["keywords"] == "—"
    assert _texts(card.fields)["model"] == "m (zh)"
    assert card.note is None
    assert card.continued.format(page=2, pages=2) == "续，2/2"


def test_a_language_without_labels_falls_back_to_english() -> None:
    card = paper_card(sample_entry(), [], "fr")
    assert card.fields[0].label == "Authors"


async def test_a_chinese_card_shows_why_the_analysis_failed_in_chinese(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> None:
    arxiv.pdfs[ECO.versioned_id] = method_pdf(ECO.title)
    llm.default = "length"  # every answer cut off
    settings = make_settings(arxiv, llm, database_url, tmp_path, digest_language="zh")
    async with open_digest(settings, digest_options(settings)) as digest:
        result = await digest.papers.entry_for(ECO, ["VLA"], digest.options)

    card = paper_card(result.entry, [], "zh")

    assert card.notes == ("模型的回答被截断（3 次）；仅显示摘要。",)
    assert [field.label for field in card.fields[:3]] == ["作者", "arXiv", "分类"]
    assert [section.label for section in card.sections] == ["原文摘要"]
