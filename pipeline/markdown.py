"""Renders the neutral report model as the Markdown report teams read (and keep in git, wikis…)."""

from __future__ import annotations

import re

from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource
from pipeline.report import DailyReport, PaperEntry

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "arXiv digest",
        "overview": "Overview",
        "date": "Date",
        "categories": "Categories",
        "keywords": "Keywords",
        "papers": "Papers",
        "papers_value": "{matched} matching of {announced} announced",
        "model": "Analysis",
        "no_model": "none (no LLM configured): metadata and abstracts only",
        "updated": "Updated papers",
        "updated_line": "new version v{version} of a paper in an earlier report",
        "basic": "Basic information",
        "authors": "Authors",
        "arxiv": "arXiv",
        "announced": "Announced",
        "announce_type": "Announce type",
        "matched": "Matched keywords",
        "code": "Code",
        "comments": "Comments",
        "doi": "DOI",
        "journal": "Journal reference",
        "abstract": "Abstract",
        "analysis_full": "Analysis (from the full text)",
        "analysis_abstract": "Analysis (from the abstract only)",
        "analysis_none": "Analysis",
        "summary": "Summary",
        "motivation": "Motivation",
        "contributions": "Contributions",
        "method": "Method",
        "experiments": "Experiments",
        "single": "arXiv paper",
    },
    "zh": {
        "title": "arXiv 论文日报",
        "overview": "报告概览",
        "date": "日期",
        "categories": "分类",
        "keywords": "关键词",
        "papers": "论文数",
        "papers_value": "当日公告 {announced} 篇，匹配 {matched} 篇",
        "model": "分析模型",
        "no_model": "无（未配置 LLM）：仅含元数据和摘要",
        "updated": "更新的论文",
        "updated_line": "此前报告中论文的新版本 v{version}",
        "basic": "基本信息",
        "authors": "作者",
        "arxiv": "arXiv",
        "announced": "公告日期",
        "announce_type": "公告类型",
        "matched": "匹配关键词",
        "code": "代码",
        "comments": "备注",
        "doi": "DOI",
        "journal": "期刊引用",
        "abstract": "原文摘要",
        "analysis_full": "分析（基于论文正文）",
        "analysis_abstract": "分析（仅基于摘要）",
        "analysis_none": "分析",
        "summary": "论文概要",
        "motivation": "研究动机",
        "contributions": "核心贡献",
        "method": "方法",
        "experiments": "实验",
        "single": "arXiv 论文",
    },
}

_BLOCK_START = re.compile(r"^([#>+*=-]|`{3}|~{3}|\d+(?=[.)]))")


def render_report(report: DailyReport) -> str:
    labels = LABELS[report.language]
    lines = [f"# {labels['title']} — {report.report_date.isoformat()}", ""]
    lines += [f"## {labels['overview']}", ""]
    lines.append(f"- **{labels['date']}**: {report.report_date.isoformat()}")
    lines.append(f"- **{labels['categories']}**: {', '.join(report.categories)}")
    lines.append(f"- **{labels['keywords']}**: {', '.join(report.keywords) or '—'}")
    papers_value = labels["papers_value"].format(
        matched=len(report.entries), announced=report.announced_count
    )
    lines.append(f"- **{labels['papers']}**: {papers_value}")
    model = f"{report.model} ({report.language})" if report.model else labels["no_model"]
    lines.append(f"- **{labels['model']}**: {model}")
    if report.note:
        lines += ["", f"> {inline(report.note)}"]
    if report.updated:
        lines += ["", f"### {labels['updated']}", ""]
        for paper in report.updated:
            line = labels["updated_line"].format(version=paper.version)
            lines.append(f"- [{inline(paper.title)}]({paper.abs_url}) ({paper.arxiv_id}): {line}")
    for number, entry in enumerate(report.entries, start=1):
        while lines[-1] == "":
            lines.pop()
        lines += ["", "---", ""]
        lines += render_entry(entry, report.language, heading=f"## {number}. ")
    return "\n".join(lines).rstrip() + "\n"


def render_entry(entry: PaperEntry, language: str, heading: str = "# ") -> list[str]:
    """One paper: basic information, abstract, matched keywords, code links, analysis."""
    labels = LABELS[language]
    paper = entry.paper
    lines = [f"{heading}{inline(paper.title)}", "", f"### {labels['basic']}", ""]
    lines += _basic_info(paper, entry, labels)
    lines += ["", f"### {labels['abstract']}", "", paragraph(paper.abstract), ""]
    source_label = {
        AnalysisSource.FULL_TEXT: labels["analysis_full"],
        AnalysisSource.ABSTRACT: labels["analysis_abstract"],
        AnalysisSource.NONE: labels["analysis_none"],
    }[entry.source]
    lines += [f"### {source_label}", ""]
    for note in entry.notes:
        lines += [f"> {inline(note)}", ""]
    if entry.analysis is not None:
        lines += _analysis(entry.analysis, labels)
    return lines


def _basic_info(paper: Paper, entry: PaperEntry, labels: dict[str, str]) -> list[str]:
    versioned = paper.versioned_id
    lines = [
        f"- **{labels['authors']}**: {inline(', '.join(paper.authors)) or '—'}",
        f"- **{labels['arxiv']}**: [{versioned}](https://arxiv.org/abs/{versioned})",
    ]
    if paper.announced_on:
        kind = f" ({paper.announce_type.value})" if paper.announce_type else ""
        lines.append(f"- **{labels['announced']}**: {paper.announced_on.isoformat()}{kind}")
    lines.append(f"- **{labels['categories']}**: {', '.join(paper.categories)}")
    if entry.matched_keywords:
        lines.append(f"- **{labels['matched']}**: {', '.join(entry.matched_keywords)}")
    if entry.code_links:
        lines.append(f"- **{labels['code']}**: " + ", ".join(f"<{u}>" for u in entry.code_links))
    if paper.comments:
        lines.append(f"- **{labels['comments']}**: {inline(paper.comments)}")
    if paper.doi:
        lines.append(f"- **{labels['doi']}**: [{paper.doi}](https://doi.org/{paper.doi})")
    if paper.journal_ref:
        lines.append(f"- **{labels['journal']}**: {inline(paper.journal_ref)}")
    return lines


def _analysis(analysis: PaperAnalysis, labels: dict[str, str]) -> list[str]:
    lines = [f"#### {labels['summary']}", "", paragraphs(analysis.summary), ""]
    lines += [f"#### {labels['motivation']}", "", paragraphs(analysis.motivation), ""]
    lines += [f"#### {labels['contributions']}", ""]
    lines += [f"- {inline(item)}" for item in analysis.contributions]
    lines += ["", f"#### {labels['method']}", "", paragraphs(analysis.method), ""]
    lines += [f"#### {labels['experiments']}", "", paragraphs(analysis.experiments), ""]
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
