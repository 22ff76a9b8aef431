"""Telegram's HTML as our messages use it: escaping, links, mentions and clipped text.

Telegram refuses any tag outside its short list (b, i, u, s, a, code, pre, blockquote,
tg-spoiler and their synonyms): paper, user and LLM text is escaped before our own tags are
added, and only http(s) addresses become links.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from bot.card import Field, LinksField, MentionsField, PaperLink, Tag, TextField
from bot.telegram.html_split import utf16_units
from pipeline.markdown import inline

_USER_ID = re.compile(r"[1-9][0-9]{0,19}")
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def escape(text: str) -> str:
    """Paper, user and LLM text as HTML text: `&`, `<` and `>` escaped, quotes left alone."""
    return html.escape(text, quote=False)


def field_line(
    field: Field, budgets: Mapping[str, int], names: Mapping[str, str] | None = None
) -> str:
    """`Label: value`; a text field with a budget is clipped to it."""
    match field:
        case TextField(key=key, text=text):
            value = clipped(text, budgets[key]) if key in budgets else escape(text)
        case LinksField(links=links):
            value = ", ".join(link(item.url, escape(item.label)) for item in links)
        case MentionsField(tags=tags):
            value = ", ".join(tagged(tag, names or {}) for tag in tags)
    label = f"<b>{escape(field.label)}</b>"
    return f"{label}: {value}" if value else label


def tagged(tag: Tag, names: Mapping[str, str]) -> str:
    """A member's mention (a link Telegram notifies them through) and the keywords that matched."""
    known = inline(names.get(tag.user_id, ""))
    label = escape(known or tag.user_id)
    if _USER_ID.fullmatch(tag.user_id):
        label = f'<a href="tg://user?id={tag.user_id}">{label}</a>'
    return f"{label} ({escape(tag.keywords)})" if tag.keywords else label


def link(url: str, label: str = "") -> str:
    """`<a href>` for http(s) addresses; `label` is HTML already (the escaped url by default)."""
    label = label or escape(url)
    if not _HTTP_URL.match(url):
        return label
    target = html.escape(re.sub(r"\s", "%20", url), quote=True)
    return f'<a href="{target}">{label}</a>'


def name(paper: PaperLink, limit: int) -> str:
    """A paper's title clipped to `limit`, or its id when it has none, as HTML."""
    return clipped(paper.title, limit) or escape(paper.versioned_id)


def clipped(plain: str, limit: int) -> str:
    """Plain text clipped to `limit` visible units at a word, then escaped."""
    return escape(clip(plain, limit))


def clip(text: str, limit: int) -> str:
    """`text`, or as many whole words of it as fit before a "…"."""
    if utf16_units(text) <= limit:
        return text
    cut, used = 0, 0
    while cut < len(text) and used + utf16_units(text[cut]) <= limit - 1:
        used += utf16_units(text[cut])
        cut += 1
    space = text.rfind(" ", 0, cut + 1)
    if space > cut // 2:
        cut = space
    return text[:cut].rstrip() + "…"
