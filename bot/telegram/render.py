"""Renders paper cards and a day's parent message as Telegram messages in HTML parse mode.

Telegram refuses any tag outside its short list (b, i, u, s, a, code, pre, blockquote,
tg-spoiler and their synonyms) and a message longer than it allows (see `html_split`). Paper,
user and LLM text is escaped before our own tags are added; a paper too long for one message is
split, and each later message opens with a "continued" line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from bot.card import (
    Field,
    LinksField,
    MentionsField,
    PaperCard,
    PaperLink,
    ParentCard,
    Tag,
    TextField,
    paper_card,
    parent_card,
)
from bot.platform import Mention, PaperReply, Reply, ReportReply
from bot.rendering import lines_within
from bot.telegram.html_split import MAX_MESSAGE, split_html, utf16_units, visible_length
from pipeline.markdown import inline
from pipeline.report import DailyReport, PaperEntry

CONTINUED_RESERVE = 200  # room for the line that opens a paper's later messages
CONTINUED_TITLE_LIMIT = 120
ONE_LINE_SUMMARY_LIMIT = 300
LIST_TITLE_LIMIT = 400
LIST_KEYWORDS_LIMIT = 200
# The parent is always one message: each part that grows with the input has a budget, and the
# budgets with the fixed lines stay far below MAX_MESSAGE.
PARENT_BUDGETS = {"categories": 300, "keywords": 700, "model": 200}
NOTE_BUDGET = 600
UPDATED_TITLE_LIMIT = 300
UPDATED_BUDGET = 1200

_USER_ID = re.compile(r"[1-9][0-9]{0,19}")
_HTTP_URL = re.compile(r"https?://", re.IGNORECASE)


def escape(text: str) -> str:
    """Paper, user and LLM text as HTML text: `&`, `<` and `>` escaped, quotes left alone."""
    return html.escape(text, quote=False)


def render_parent(report: DailyReport) -> str:
    """The day's parent message: always one message, each growing part within its budget."""
    return _parent_html(parent_card(report))


def render_paper(
    entry: PaperEntry,
    mentions: Sequence[Mention],
    language: str = "en",
    *,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """One paper, usually one message; `names` maps member ids to the names their mentions show."""
    card = paper_card(entry, mentions, language)
    body = _paper_html(card, names or {})
    if visible_length(body) <= MAX_MESSAGE:
        return [body]
    pieces = split_html(body, MAX_MESSAGE - CONTINUED_RESERVE)
    title = _clip(card.link.name, CONTINUED_TITLE_LIMIT)
    messages = [pieces[0]]
    for page, piece in enumerate(pieces[1:], start=2):
        continued = card.continued.format(page=page, pages=len(pieces))
        messages.append(f"<i>{escape(title)} ({continued})</i>\n\n{piece}")
    return messages


def render_reply(reply: Reply) -> list[str]:
    """A command's answer, in as many messages as it needs (in the reply's language)."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), reply.language)
    if isinstance(reply, ReportReply):
        card = parent_card(reply.report)
        body = _parent_html(card)
        if card.listed:
            body += "\n\n" + _paper_list(card)
        return split_html(body)
    text = "\n".join(escape(line) for line in reply.lines).strip() or "—"
    return split_html(f"⚠️ {text}" if reply.is_error else text)


def _parent_html(card: ParentCard) -> str:
    fields = (_field_line(field, PARENT_BUDGETS) for field in card.fields)
    lines = [f"<b>{escape(card.heading)}</b>", *fields]
    parts = ["\n".join(lines)]
    if card.note is not None:
        parts.append(f"ℹ️ {_text(card.note, NOTE_BUDGET)}")
    if card.updated:
        updated = [
            f"• {_link(item.link.url, _name(item.link, UPDATED_TITLE_LIMIT))} {escape(item.text)}"
            for item in card.updated
        ]
        listed = lines_within(updated, UPDATED_BUDGET, visible_length, card.more_updated)
        parts.append("\n".join([f"<b>{escape(card.updated_label)}</b>", *listed]))
    return "\n\n".join(parts)


def _paper_html(card: PaperCard, names: Mapping[str, str]) -> str:
    title = _link(card.link.url, escape(card.link.name))
    lines = [f"<b>{title}</b>", *(_field_line(field, {}, names) for field in card.fields)]
    parts = ["\n".join(lines)]
    if card.notes:
        parts.append("\n".join(f"ℹ️ {escape(note)}" for note in card.notes))
    if card.source is not None:
        parts.append(f"<i>{escape(card.source)}</i>")
    parts += [f"<b>{escape(s.label)}</b>\n{escape(s.body)}" for s in card.sections]
    return "\n\n".join(parts)


def _field_line(
    field: Field, budgets: Mapping[str, int], names: Mapping[str, str] | None = None
) -> str:
    """`Label: value`; a text field with a budget is clipped to it."""
    match field:
        case TextField(key=key, text=text):
            value = _text(text, budgets[key]) if key in budgets else escape(text)
        case LinksField(links=links):
            value = ", ".join(_link(link.url, escape(link.label)) for link in links)
        case MentionsField(tags=tags):
            value = ", ".join(_tagged(tag, names or {}) for tag in tags)
    return f"<b>{escape(field.label)}</b>: {value}"


def _paper_list(card: ParentCard) -> str:
    """One short paragraph a paper: linked title, matched keywords, a one-line summary."""
    items = []
    for listed in card.listed:
        title = _link(listed.link.url, _name(listed.link, LIST_TITLE_LIMIT))
        item = f"{listed.number}. <b>{title}</b>"
        if listed.keywords:
            item += " — " + _text(listed.keywords, LIST_KEYWORDS_LIMIT)
        if listed.gist:
            item += "\n" + _text(listed.gist, ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    return "\n\n".join(items)


def _tagged(tag: Tag, names: Mapping[str, str]) -> str:
    """A member's mention (a link Telegram notifies them through) and the keywords that matched."""
    name = inline(names.get(tag.user_id, ""))
    label = escape(name or tag.user_id)
    if _USER_ID.fullmatch(tag.user_id):
        label = f'<a href="tg://user?id={tag.user_id}">{label}</a>'
    return f"{label} ({escape(tag.keywords)})" if tag.keywords else label


def _link(url: str, label: str = "") -> str:
    """`<a href>` for http(s) addresses; `label` is HTML already (the escaped url by default)."""
    label = label or escape(url)
    if not _HTTP_URL.match(url):
        return label
    target = html.escape(re.sub(r"\s", "%20", url), quote=True)
    return f'<a href="{target}">{label}</a>'


def _name(link: PaperLink, limit: int) -> str:
    """A paper's title clipped to `limit`, or its id when it has none, as HTML."""
    return _text(link.title, limit) or escape(link.versioned_id)


def _text(plain: str, limit: int) -> str:
    """Plain text clipped to `limit` visible units at a word, then escaped."""
    return escape(_clip(plain, limit))


def _clip(text: str, limit: int) -> str:
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
