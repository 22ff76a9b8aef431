"""The team's memory: searching what was stored, and its refusals."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {
    "archive.search_empty": {
        "en": "Search for what? Give a few words, e.g. search KV-cache compression "
        "since:2026-01-01",
        "zh": "要搜索什么？请给出几个词，例如 search KV-cache compression since:2026-01-01",
    },
    "archive.search_dates_reversed": {
        "en": "since:{since} is after until:{until}: no day is both",
        "zh": "since:{since} 晚于 until:{until}：没有同时满足两者的日期",
    },
    "archive.filter_empty": {
        "en": '{name}: needs a value, e.g. since:2026-01-01, cat:cs.RO or author:"Chelsea Finn"',
        "zh": '{name}: 需要一个值，例如 since:2026-01-01、cat:cs.RO 或 author:"Chelsea Finn"',
    },
    "archive.bad_date": {
        "en": "{name}:{value} is not a date (expected YYYY-MM-DD, e.g. {name}:2026-02-28)",
        "zh": "{name}:{value} 不是有效日期（格式为 YYYY-MM-DD，例如 {name}:2026-02-28）",
    },
    "archive.one_category": {
        "en": "cat: takes one category, e.g. cat:cs.RO",
        "zh": "cat: 只能填一个分类，例如 cat:cs.RO",
    },
    "archive.bad_week": {
        "en": "{value} is not a week (expected YYYY-Www, e.g. 2026-W49)",
        "zh": "{value} 不是有效的周（格式为 YYYY-Www，例如 2026-W49）",
    },
    "archive.search.found": {
        "en": "The best {count} matches in the archive:",
        "zh": "存档中最匹配的 {count} 篇：",
    },
    "archive.search.none": {
        "en": "Nothing in the archive matches that.",
        "zh": "存档中没有与之匹配的论文。",
    },
    "archive.search.cut": {
        "en": "Your query was long: only its first words were searched.",
        "zh": "你的查询太长：只搜索了开头的词。",
    },
    "archive.search.failed": {
        "en": "The search failed on our side; it has been logged. Try other words.",
        "zh": "搜索在我们这边出错了，已记录下来。请换些词再试。",
    },
    "archive.line.seen": {"en": "seen {day}", "zh": "首见于 {day}"},
    "archive.saved.heading": {
        "en": "Your saved papers (👍), newest first: {shown} of {total}",
        "zh": "你收藏的论文（👍），最新的在前：{total} 篇中的 {shown} 篇",
    },
    "archive.saved.none": {
        "en": "You have saved no papers yet: a 👍 on a paper saves it.",
        "zh": "你还没有收藏论文：给论文点 👍 即可收藏。",
    },
    "archive.export.usage": {
        "en": "Usage: export bibtex [since:YYYY-MM-DD] [until:YYYY-MM-DD] [liked|chat]",
        "zh": "用法：export bibtex [since:YYYY-MM-DD] [until:YYYY-MM-DD] [liked|chat]",
    },
    "archive.export.format": {
        "en": "{value} is not a format I export: try export bibtex",
        "zh": "不支持导出为 {value}：请用 export bibtex",
    },
    "archive.export.both": {
        "en": "Export either your liked papers or this chat's, not both: liked or chat",
        "zh": "只能导出你点赞的论文或本群的论文，不能同时导出：liked 或 chat",
    },
    "archive.export.nothing_liked": {
        "en": "Nothing to export: you saved no papers (👍) in that time.",
        "zh": "没有可导出的：你在这段时间里没有收藏论文（👍）。",
    },
    "archive.export.nothing_chat": {
        "en": "Nothing to export: no papers were posted in this chat in that time.",
        "zh": "没有可导出的：这段时间里本群没有发布过论文。",
    },
    "archive.export.sent": {
        "en": "Sent you {count} papers as {filename} in a private message.",
        "zh": "已通过私信把 {count} 篇论文以 {filename} 发给你。",
    },
    "archive.export.capped": {
        "en": "The file holds the newest {cap} of {total} papers, the most one export takes.",
        "zh": "文件只包含 {total} 篇中最新的 {cap} 篇，这是一次导出的上限。",
    },
    "archive.export.caption": {
        "en": "{count} papers from arxiv-digest, as BibTeX",
        "zh": "来自 arxiv-digest 的 {count} 篇论文（BibTeX）",
    },
    "archive.export.failed": {
        "en": "Could not send you the file; it has been logged.",
        "zh": "无法把文件发给你，已记录下来。",
    },
}
