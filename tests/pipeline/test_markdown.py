from __future__ import annotations

import re
from datetime import date

from domain.models import AnnounceType, Paper, PaperAnalysis
from domain.statuses import AnalysisSource, Mention, ReportStatus
from pipeline.markdown import render_entry, render_report
from pipeline.report import DailyReport, PaperEntry


def _paper(**overrides: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": "2602.00780",
        "version": 1,
        "title": "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "authors": ["Yuting Huang", "Leilei Ding"],
        "abstract": "    While VLA models hold promise,\n    their latency hinders control.",
        "categories": ["cs.AI", "cs.RO"],
        "announce_type": AnnounceType.NEW,
        "announced_on": date(2026, 2, 4),
    }
    fields.update(overrides)
    return Paper(**fields)  # type: ignore[arg-type]


def _analysis() -> PaperAnalysis:
    return PaperAnalysis(
        summary="EcoVLA prunes channels adaptively.\n\n    Indented second paragraph.",
        motivation="Static pruning cannot follow a changing environment.",
        contributions=["A training-free pruning framework.", "An inference scheduler."],
        method="EAP predicts sparsity changes; I2O hides the cost in FLOPs bubbles.",
        experiments="Up to 1.60x speed-up with a 0.4% drop in success rate.",
    )


def _report(entries: list[PaperEntry], **overrides: object) -> DailyReport:
    fields: dict[str, object] = {
        "report_date": date(2026, 2, 4),
        "categories": ["cs.AI", "cs.RO"],
        "keywords": ["VLA", "vision language action"],
        "status": ReportStatus.COMPLETE,
        "entries": entries,
        "announced_count": 812,
        "model": "gpt-test",
    }
    fields.update(overrides)
    return DailyReport(**fields)  # type: ignore[arg-type]


def test_report_keeps_the_familiar_structure_in_order() -> None:
    entry = PaperEntry(
        _paper(),
        ["VLA"],
        code_links=["https://github.com/OpenGVLab/EcoVLA"],
        analysis=_analysis(),
        source=AnalysisSource.FULL_TEXT,
    )
    text = render_report(_report([entry]))

    headings = re.findall(r"^#+ .*$", text, flags=re.MULTILINE)
    assert headings == [
        "# arXiv digest — 2026-02-04",
        "## Overview",
        "## 1. EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "### Basic information",
        "### Abstract",
        "### Analysis (from the full text)",
        "#### Summary",
        "#### Motivation",
        "#### Contributions",
        "#### Method",
        "#### Experiments",
    ]
    assert "- **Keywords**: VLA, vision language action" in text
    assert "- **Papers**: 1 matching of 812 announced" in text
    assert "- **Matched keywords**: VLA" in text
    assert "- A training-free pruning framework." in text


def test_abstract_and_analysis_are_never_indented_into_code_blocks() -> None:
    entry = PaperEntry(_paper(), ["VLA"], analysis=_analysis(), source=AnalysisSource.FULL_TEXT)
    text = render_report(_report([entry]))

    assert not re.search(r"^( {4}|\t)", text, flags=re.MULTILINE)
    assert "While VLA models hold promise, their latency hinders control." in text
    assert "EcoVLA prunes channels adaptively.\n\nIndented second paragraph." in text


def test_code_links_keep_their_case_and_are_delimited() -> None:
    url = "https://github.com/OpenGVLab/InternVL"
    entry = PaperEntry(_paper(), ["VLA"], code_links=[url])
    text = render_report(_report([entry]))
    assert f"- **Code**: <{url}>" in text


def test_text_that_looks_like_markdown_blocks_stays_a_paragraph() -> None:
    entry = PaperEntry(_paper(title="# Not a heading", abstract="2024. was a year\n- of lists"), [])
    lines = render_entry(entry, "en")
    assert lines[0] == "# # Not a heading"  # inside a heading, a "#" is plain text
    assert "2024\\. was a year - of lists" in lines


def test_notes_are_visible_and_analysis_source_is_named() -> None:
    entry = PaperEntry(
        _paper(),
        ["VLA"],
        source=AnalysisSource.ABSTRACT,
        analysis=_analysis(),
        notes=["Full text unavailable: the PDF is encrypted; analysed from the abstract only."],
    )
    text = render_report(_report([entry], status=ReportStatus.PARTIAL))
    assert "### Analysis (from the abstract only)" in text
    assert "> Full text unavailable: the PDF is encrypted" in text


def test_empty_day_says_so_and_lists_no_papers() -> None:
    report = _report(
        [], status=ReportStatus.EMPTY, announced_count=0, note="arXiv announced no papers."
    )
    text = render_report(report)
    assert "> arXiv announced no papers." in text
    assert "## 1." not in text
    assert "0 matching of 0 announced" in text


def test_updated_papers_get_one_line_each() -> None:
    updated = _paper(version=3, announce_type=AnnounceType.REPLACE)
    text = render_report(_report([], updated=[updated]))
    lines = [line for line in text.splitlines() if "2602.00780" in line]
    assert lines == [
        "- [EcoVLA: Adaptive Pruning for Vision-Language-Action Models]"
        "(https://arxiv.org/abs/2602.00780) (2602.00780): "
        "new version v3 of a paper in an earlier report"
    ]


def test_chinese_report_uses_chinese_labels() -> None:
    entry = PaperEntry(_paper(), ["VLA"], analysis=_analysis(), source=AnalysisSource.FULL_TEXT)
    text = render_report(_report([entry], language="zh"))
    for label in (
        "报告概览",
        "基本信息",
        "原文摘要",
        "分析（基于论文正文）",
        "研究动机",
        "核心贡献",
    ):
        assert label in text


def test_report_without_llm_says_no_analysis_was_made() -> None:
    entry = PaperEntry(_paper(), ["VLA"], notes=["No analysis: no LLM is configured."])
    text = render_report(_report([entry], model=None))
    assert "none (no LLM configured)" in text
    assert "#### Summary" not in text


def _ranked_day(language: str = "en", tokens_saved: int = 86_000) -> DailyReport:
    matched = PaperEntry(_paper(), ["VLA"], analysis=_analysis(), source=AnalysisSource.FULL_TEXT)
    suggested = PaperEntry(
        _paper(arxiv_id="2602.00900", title="Diffusion Policies for Dexterous Hands"),
        [],
        analysis=_analysis(),
        source=AnalysisSource.FULL_TEXT,
        kind=Mention.SUGGESTED,
        reason="Close to “DexVLA”, which this chat liked",
    )
    capped = [
        PaperEntry(_paper(arxiv_id=f"2602.0100{n}", title=f"Capped VLA study {n}"), ["VLA"])
        for n in range(2)
    ]
    return _report(
        [matched, suggested],
        capped=capped,
        tokens_saved=tokens_saved,
        language=language,
    )


def test_a_suggested_paper_is_marked_with_its_reason_and_capped_ones_close_the_report() -> None:
    text = render_report(_ranked_day())

    headings = re.findall(r"^##? .*$", text, flags=re.MULTILINE)
    assert headings == [
        "# arXiv digest — 2026-02-04",
        "## Overview",
        "## 1. EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "## 2. Diffusion Policies for Dexterous Hands",
        "## Below the cap: listed without analysis",
    ]
    assert "- **Papers**: 3 matching of 812 announced" in text  # the suggested one matched none
    suggested = text.split("## 2. ", 1)[1].split("## Below the cap", 1)[0]
    basic = suggested.split("### Basic information\n\n", 1)[1].splitlines()
    assert basic[0] == "- **Suggested**: Close to “DexVLA”, which this chat liked"
    assert "Suggested" not in text.split("## 2. ", 1)[0]
    capped = text.split("## Below the cap: listed without analysis\n\n", 1)[1]
    assert capped.splitlines() == [
        "- [Capped VLA study 0](https://arxiv.org/abs/2602.01000) — VLA",
        "- [Capped VLA study 1](https://arxiv.org/abs/2602.01001) — VLA",
        "",
        "> 2 papers ranked below the cap were listed without analysis, saving about 86,000 tokens.",
    ]


def test_capped_papers_without_a_known_saving_and_in_chinese() -> None:
    assert "> 2 papers ranked below the cap were listed without analysis.\n" in render_report(
        _ranked_day(tokens_saved=0)
    )
    text = render_report(_ranked_day(language="zh"))
    assert "## 超出上限：仅列出，未分析" in text
    assert "- **推荐**: Close to" in text
    assert "约节省 86,000 个 token" in text


def test_a_rebuilt_suggested_paper_without_its_reason_is_still_marked() -> None:
    report = _ranked_day()
    report.entries[1].reason = None
    assert "\n- **Suggested**\n" in render_report(report)
