"""The words around a paper and a day: the labels of the Markdown report and of a chat's cards.

`label.*` serves both, `report.*` only the Markdown report, `card.*` and `status.*` only a chat.
"""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    # Both the Markdown report and a chat's cards.
    "label.title": {"en": "arXiv digest", "zh": "arXiv 论文日报"},
    "label.date": {"en": "Date", "zh": "日期"},
    "label.categories": {"en": "Categories", "zh": "分类"},
    "label.keywords": {"en": "Keywords", "zh": "关键词"},
    "label.papers": {"en": "Papers", "zh": "论文数"},
    "label.papers_value": {
        "en": "{matched} matching of {announced} announced",
        "zh": "当日公告 {announced} 篇，匹配 {matched} 篇",
    },
    "label.model": {"en": "Analysis", "zh": "分析模型"},
    "label.no_model": {
        "en": "none (no LLM configured): metadata and abstracts only",
        "zh": "无（未配置 LLM）：仅含元数据和摘要",
    },
    "label.updated": {"en": "Updated papers", "zh": "更新的论文"},
    "label.updated_line": {
        "en": "new version v{version} of a paper in an earlier report",
        "zh": "此前报告中论文的新版本 v{version}",
    },
    "label.authors": {"en": "Authors", "zh": "作者"},
    "label.arxiv": {"en": "arXiv", "zh": "arXiv"},
    "label.announce_type": {"en": "Announce type", "zh": "公告类型"},
    "label.matched": {"en": "Matched keywords", "zh": "匹配关键词"},
    "label.code": {"en": "Code", "zh": "代码"},
    "label.abstract": {"en": "Abstract", "zh": "原文摘要"},
    "label.analysis_full": {"en": "Analysis (from the full text)", "zh": "分析（基于论文正文）"},
    "label.analysis_abstract": {
        "en": "Analysis (from the abstract only)",
        "zh": "分析（仅基于摘要）",
    },
    "label.summary": {"en": "Summary", "zh": "论文概要"},
    "label.motivation": {"en": "Motivation", "zh": "研究动机"},
    "label.contributions": {"en": "Contributions", "zh": "核心贡献"},
    "label.method": {"en": "Method", "zh": "方法"},
    "label.experiments": {"en": "Experiments", "zh": "实验"},
    "label.suggested": {"en": "Suggested", "zh": "推荐"},
    "label.capped": {
        "en": "Below the cap: listed without analysis",
        "zh": "超出上限：仅列出，未分析",
    },
    "label.capped_line": {
        "en": "{count} papers ranked below the cap were listed without analysis.",
        "zh": "排名在上限之后的 {count} 篇论文仅列出，未作分析。",
    },
    "label.capped_saved": {
        "en": (
            "{count} papers ranked below the cap were listed without analysis, "
            "saving about {tokens} tokens."
        ),
        "zh": "排名在上限之后的 {count} 篇论文仅列出，未作分析，约节省 {tokens} 个 token。",
    },
    # Only the Markdown report.
    "report.overview": {"en": "Overview", "zh": "报告概览"},
    "report.basic": {"en": "Basic information", "zh": "基本信息"},
    "report.announced": {"en": "Announced", "zh": "公告日期"},
    "report.comments": {"en": "Comments", "zh": "备注"},
    "report.doi": {"en": "DOI", "zh": "DOI"},
    "report.journal": {"en": "Journal reference", "zh": "期刊引用"},
    "report.analysis_none": {"en": "Analysis", "zh": "分析"},
    # Only a chat's cards.
    "card.status": {"en": "Status", "zh": "状态"},
    "card.more_updated": {"en": "… and {count} more", "zh": "……另有 {count} 篇"},
    "card.more_authors": {"en": "and {count} more", "zh": "等另外 {count} 人"},
    "card.mentions": {"en": "For", "zh": "相关成员"},
    "card.continued": {"en": "continued, {page}/{pages}", "zh": "续，{page}/{pages}"},
    "card.more_listed": {"en": "… and {count} more", "zh": "……另有 {count} 篇"},
    # A report's status, as a chat's parent message shows it (a complete one shows none).
    "status.partial": {
        "en": "partial: some papers were analysed from their abstract only",
        "zh": "部分完成：部分论文仅基于摘要分析",
    },
    "status.empty": {"en": "no matching papers", "zh": "没有匹配的论文"},
    "status.stale": {
        "en": "stale: the feed still serves an earlier day",
        "zh": "过期：订阅源仍是较早一天的内容",
    },
    "status.analysing": {
        "en": "analysing: each paper follows in the thread as soon as it is read",
        "zh": "分析中：每篇论文读完后即在本话题中发出",
    },
}
