"""The words a chat shows around a paper or a day's report, in each language a chat can choose.

The Markdown report keeps its own labels; a chat's wording can change without touching it.
"""

from __future__ import annotations

from pipeline.report import ReportStatus

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "arXiv digest",
        "date": "Date",
        "categories": "Categories",
        "keywords": "Keywords",
        "papers": "Papers",
        "papers_value": "{matched} matching of {announced} announced",
        "model": "Analysis",
        "no_model": "none (no LLM configured): metadata and abstracts only",
        "status": "Status",
        ReportStatus.PARTIAL: "partial: some papers were analysed from their abstract only",
        ReportStatus.EMPTY: "no matching papers",
        ReportStatus.STALE: "stale: the feed still serves an earlier day",
        ReportStatus.ANALYSING: "analysing: each paper follows in the thread as soon as it is read",
        "updated": "Updated papers",
        "updated_line": "new version v{version} of a paper in an earlier report",
        "more_updated": "… and {count} more",
        "authors": "Authors",
        "more_authors": "and {count} more",
        "arxiv": "arXiv",
        "announce_type": "Announce type",
        "matched": "Matched keywords",
        "mentions": "For",
        "code": "Code",
        "abstract": "Abstract",
        "analysis_full": "Analysis (from the full text)",
        "analysis_abstract": "Analysis (from the abstract only)",
        "summary": "Summary",
        "motivation": "Motivation",
        "contributions": "Contributions",
        "method": "Method",
        "experiments": "Experiments",
        "continued": "continued, {page}/{pages}",
    },
    "zh": {
        "title": "arXiv 论文日报",
        "date": "日期",
        "categories": "分类",
        "keywords": "关键词",
        "papers": "论文数",
        "papers_value": "当日公告 {announced} 篇，匹配 {matched} 篇",
        "model": "分析模型",
        "no_model": "无（未配置 LLM）：仅含元数据和摘要",
        "status": "状态",
        ReportStatus.PARTIAL: "部分完成：部分论文仅基于摘要分析",
        ReportStatus.EMPTY: "没有匹配的论文",
        ReportStatus.STALE: "过期：订阅源仍是较早一天的内容",
        ReportStatus.ANALYSING: "分析中：每篇论文读完后即在本话题中发出",
        "updated": "更新的论文",
        "updated_line": "此前报告中论文的新版本 v{version}",
        "more_updated": "……另有 {count} 篇",
        "authors": "作者",
        "more_authors": "等另外 {count} 人",
        "arxiv": "arXiv",
        "announce_type": "公告类型",
        "matched": "匹配关键词",
        "mentions": "相关成员",
        "code": "代码",
        "abstract": "原文摘要",
        "analysis_full": "分析（基于论文正文）",
        "analysis_abstract": "分析（仅基于摘要）",
        "summary": "论文概要",
        "motivation": "研究动机",
        "contributions": "核心贡献",
        "method": "方法",
        "experiments": "实验",
        "continued": "续，{page}/{pages}",
    },
}


def chat_labels(language: str) -> dict[str, str]:
    """The labels of `language`; an unknown language falls back to English."""
    return LABELS.get(language, LABELS["en"])
