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
}
