"""Renders the neutral report model as the Markdown report teams read (and keep in git, wikis…)."""

from __future__ import annotations

import re

from domain.messages import text
from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, Mention
from pipeline.report import DailyReport, PaperEntry

_BLOCK_START = re.compile(r"^([#>+*=-]|`{3}|~{3}|\d+(?=[.)]))")


def render_report(report: DailyReport) -> str:
    language = report.language
    day = report.report_date.isoformat()
    lines = [f"# {text('label.title', language)} — {day}", ""]
    lines += [f"## {text('report.overview', language)}", ""]
    lines.append(_item("label.date", language, day))
    lines.append(_item("label.categories", language, ", ".join(report.categories)))
    lines.append(_item("label.keywords", language, ", ".join(report.keywords) or "—"))
    counts = {"matched": matched_count(report), "announced": report.announced_count}
    papers = text("label.papers_value", language, **counts)
    lines.append(_item("label.papers", language, papers))
    model = f"{report.model} ({language})" if report.model else text("label.no_model", language)
    lines.append(_item("label.model", language, model))
    if report.note:
        lines += ["", f"> {inline(report.note)}"]
    if report.updated:
        lines += ["", f"### {text('label.updated', language)}", ""]
        for paper in report.updated:
            line = text("label.updated_line", language, version=paper.version)
            lines.append(f"- [{inline(paper.title)}]({paper.abs_url}) ({paper.arxiv_id}): {line}")
    for number, entry in enumerate(report.entries, start=1):
        while lines[-1] == "":
            lines.pop()
        lines += ["", "---", ""]
        lines += render_entry(entry, language, heading=f"## {number}. ")
    if report.capped:
        while lines[-1] == "":
            lines.pop()
        lines += ["", "---", "", *_capped(report)]
    return "\n".join(lines).rstrip() + "\n"


def _capped(report: DailyReport) -> list[str]:
    """The papers ranked below the cap: title, link and keywords, and what that saved."""
    language = report.language
    lines = [f"## {text('label.capped', language)}", ""]
    for entry in report.capped:
        paper = entry.paper
        line = f"- [{inline(paper.title) or paper.versioned_id}]({paper.abs_url})"
        if entry.matched_keywords:
            line += " — " + inline(", ".join(entry.matched_keywords))
        lines.append(line)
    return [*lines, "", f"> {capped_note(report)}"]


def matched_count(report: DailyReport) -> int:
    """The papers a keyword selected: the ranked ones but the suggested, and the capped."""
    return sum(e.kind is not Mention.SUGGESTED for e in report.entries) + len(report.capped)


def capped_note(report: DailyReport) -> str:
    """How many papers were listed without analysis, and the tokens that saved (if known);
    empty without any."""
    if not report.capped:
        return ""
    count, language = len(report.capped), report.language
    if report.tokens_saved > 0:
        tokens = f"{report.tokens_saved:,}"
        return text("label.capped_saved", language, count=count, tokens=tokens)
    return text("label.capped_line", language, count=count)


def render_entry(entry: PaperEntry, language: str, heading: str = "# ") -> list[str]:
    """One paper: basic information, abstract, matched keywords, code links, analysis."""
    paper = entry.paper
    lines = [f"{heading}{inline(paper.title)}", "", f"### {text('report.basic', language)}", ""]
    lines += _basic_info(paper, entry, language)
    lines += ["", f"### {text('label.abstract', language)}", "", paragraph(paper.abstract), ""]
    lines += [f"### {text(_SOURCE_LABELS[entry.source], language)}", ""]
    for note in entry.notes:
        lines += [f"> {inline(note)}", ""]
    if entry.analysis is not None:
        lines += _analysis(entry.analysis, language)
    return lines


_SOURCE_LABELS = {
    AnalysisSource.FULL_TEXT: "label.analysis_full",
    AnalysisSource.ABSTRACT: "label.analysis_abstract",
    AnalysisSource.NONE: "report.analysis_none",
}


def _item(key: str, language: str, value: str) -> str:
    """A line of a list: the bold label of `key`, then `value`."""
    return f"- **{text(key, language)}**: {value}"


def _basic_info(paper: Paper, entry: PaperEntry, language: str) -> list[str]:
    versioned = paper.versioned_id
    lines = []
    if entry.kind is Mention.SUGGESTED:  # first: no keyword asked for this paper
        reason = inline(entry.reason or "")
        lines.append(
            f"- **{text('label.suggested', language)}**" + (f": {reason}" if reason else "")
        )
    lines += [
        _item("label.authors", language, inline(", ".join(paper.authors)) or "—"),
        _item("label.arxiv", language, f"[{versioned}](https://arxiv.org/abs/{versioned})"),
    ]
    if paper.announced_on:
        kind = f" ({paper.announce_type.value})" if paper.announce_type else ""
        lines.append(_item("report.announced", language, paper.announced_on.isoformat() + kind))
    lines.append(_item("label.categories", language, ", ".join(paper.categories)))
    if entry.matched_keywords:
        lines.append(_item("label.matched", language, ", ".join(entry.matched_keywords)))
    if entry.code_links:
        links = ", ".join(f"<{u}>" for u in entry.code_links)
        lines.append(_item("label.code", language, links))
    if paper.comments:
        lines.append(_item("report.comments", language, inline(paper.comments)))
    if paper.doi:
        lines.append(_item("report.doi", language, f"[{paper.doi}](https://doi.org/{paper.doi})"))
    if paper.journal_ref:
        lines.append(_item("report.journal", language, inline(paper.journal_ref)))
    return lines


def _analysis(analysis: PaperAnalysis, language: str) -> list[str]:
    def heading(key: str) -> list[str]:
        return [f"#### {text(key, language)}", ""]

    lines = [*heading("label.summary"), paragraphs(analysis.summary), ""]
    lines += [*heading("label.motivation"), paragraphs(analysis.motivation), ""]
    lines += heading("label.contributions")
    lines += [f"- {inline(item)}" for item in analysis.contributions]
    lines += ["", *heading("label.method"), paragraphs(analysis.method), ""]
    lines += [*heading("label.experiments"), paragraphs(analysis.experiments), ""]
    return lines


def inline(text: str) -> str:
    """One line of text: whitespace collapsed, so it can never open a block of its own."""
    return " ".join(text.split())


def paragraph(text: str) -> str:
    """A single paragraph that Markdown cannot mistake for code, a heading or a list."""
    flat = inline(text)
    match = _BLOCK_START.match(flat)
    if match is None:
        return flat
    if match.group(1)[0].isdigit():  # "2024. We…" would start an ordered list
        return f"{match.group(1)}\\{flat[match.end() :]}"
    return "\\" + flat


def paragraphs(text: str) -> str:
    """Keep the model's paragraph breaks and list items, but never indentation (no code blocks)."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    rendered = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if all(re.match(r"^([-*+]|\d+[.)])\s", line) for line in lines):
            rendered.append("\n".join(lines))
        else:
            rendered.append(paragraph(" ".join(lines)))
    return "\n\n".join(rendered)
