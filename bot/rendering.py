"""What both chat renderers share: the chat-only labels and where long text may be split."""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.markdown import LABELS, inline
from pipeline.models import PaperAnalysis
from pipeline.report import ReportStatus

_CHAT_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "more_authors": "and {count} more",
        "more_updated": "… and {count} more",
        "mentions": "For",
        "status": "Status",
        ReportStatus.PARTIAL: "partial: some papers were analysed from their abstract only",
        ReportStatus.EMPTY: "no matching papers",
        ReportStatus.STALE: "stale: the feed still serves an earlier day",
        ReportStatus.ANALYSING: "analysing: each paper follows in the thread as soon as it is read",
        "continued": "continued, {page}/{pages}",
    },
    "zh": {
        "more_authors": "等另外 {count} 人",
        "more_updated": "……另有 {count} 篇",
        "mentions": "相关成员",
        "status": "状态",
        ReportStatus.PARTIAL: "部分完成：部分论文仅基于摘要分析",
        ReportStatus.EMPTY: "没有匹配的论文",
        ReportStatus.STALE: "过期：订阅源仍是较早一天的内容",
        ReportStatus.ANALYSING: "分析中：每篇论文读完后即在本话题中发出",
        "continued": "续，{page}/{pages}",
    },
}

# Where a long text may be split, best first: paragraph, line, sentence, word.
PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")
LINES = re.compile(r"\n\s*")
SENTENCES = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
WORDS = re.compile(r"\s+")
BOUNDARIES = (PARAGRAPHS, LINES, SENTENCES, WORDS)


def chat_labels(language: str) -> dict[str, str]:
    """The report's labels plus the chat-only ones; an unknown language falls back to English."""
    language = language if language in LABELS else "en"
    return {**LABELS[language], **_CHAT_LABELS[language]}


def prose(text: str) -> str:
    """LLM text keeps its paragraphs and line breaks; other whitespace is collapsed."""
    paragraphs = (p for p in PARAGRAPHS.split(text.strip()) if p.strip())
    return "\n\n".join(
        "\n".join(inline(line) for line in p.splitlines() if line.strip()) for p in paragraphs
    )


def has_content(analysis: PaperAnalysis) -> bool:
    texts = [analysis.summary, analysis.motivation, analysis.method, analysis.experiments]
    return any(text.strip() for text in [*texts, *analysis.contributions])


def analysis_sections(
    analysis: PaperAnalysis, escape: Callable[[str], str]
) -> list[tuple[str, str]]:
    """The five sections in order as (label key, escaped body); empty ones are left out."""
    contributions = "\n".join(
        f"• {escape(inline(item))}" for item in analysis.contributions if item.strip()
    )
    sections = [
        ("summary", escape(prose(analysis.summary))),
        ("motivation", escape(prose(analysis.motivation))),
        ("contributions", contributions),
        ("method", escape(prose(analysis.method))),
        ("experiments", escape(prose(analysis.experiments))),
    ]
    return [(key, body) for key, body in sections if body]
