"""Renders paper cards and command answers as Telegram messages in HTML parse mode.

Telegram refuses a message longer than it allows (see `html_split`): a paper too long for one
message is split, and each later message opens with a "continued" line. The day's parent
message is `bot.telegram.parent`'s; the markup both use is `bot.telegram.markup`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.answer_card import CitedPaper, answer_card
from bot.card import PaperCard, paper_card, parent_card
from bot.platform import (
    AnswerReply,
    Mention,
    PaperReply,
    Reply,
    ReportReply,
    SearchReply,
    TextReply,
)
from bot.telegram.html_split import MAX_MESSAGE, split_html, visible_length
from bot.telegram.markup import clip, escape, field_line, link
from bot.telegram.parent import parent_html, render_parent, report_list
from pipeline.report import PaperEntry

__all__ = ["escape", "render_answer", "render_paper", "render_parent", "render_reply"]

CONTINUED_RESERVE = 200  # room for the line that opens a paper's later messages
CONTINUED_TITLE_LIMIT = 120


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
    title = clip(card.link.name, CONTINUED_TITLE_LIMIT)
    messages = [pieces[0]]
    for page, piece in enumerate(pieces[1:], start=2):
        continued = card.continued.format(page=page, pages=len(pieces))
        messages.append(f"<i>{escape(title)} ({continued})</i>\n\n{piece}")
    return messages


def render_reply(reply: Reply) -> list[str]:
    """A command's answer, in as many messages as it needs (in the reply's language)."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), reply.language)
    if isinstance(reply, AnswerReply):
        return render_answer(reply)
    if isinstance(reply, ReportReply):
        card = parent_card(reply.report)
        body = parent_html(card)
        if card.listed or card.capped:
            body += "\n\n" + report_list(card)
        return split_html(body)
    if isinstance(reply, SearchReply):
        return split_html(render_papers(reply))
    text = "\n".join(escape(line) for line in reply.lines).strip() or "—"
    return split_html(f"⚠️ {text}" if isinstance(reply, TextReply) and reply.is_error else text)


def render_papers(reply: SearchReply) -> str:
    """The heading, then a paper a line (its title linking to arXiv, when first seen, its 👍
    here) with its gist beneath, then the notes in italics."""
    lines = []
    for paper in reply.papers:
        facts = [f"<b>{link(paper.url, escape(paper.title))}</b>"]
        facts += [escape(paper.seen)] if paper.seen else []
        facts += [f"👍 {paper.likes}"] if paper.likes else []
        lines.append(" · ".join(facts) + (f"\n{escape(paper.gist)}" if paper.gist else ""))
    parts = [f"<b>{escape(reply.heading)}</b>", *lines]
    parts += [f"<i>{escape(note)}</i>" for note in reply.notes]
    return "\n\n".join(parts)


def render_answer(reply: AnswerReply) -> list[str]:
    """The paper's short title (or "From the archive"), the question quoted, the answer, its
    sources and notes; sent as a reply to the question, so no mention is needed. Long answers
    are split."""
    card = answer_card(reply)
    quoted = f"<blockquote>{escape(card.question)}</blockquote>" if card.question else ""
    parts = [f"<b>{link(card.url, escape(card.title))}</b>\n{quoted}".strip()]
    parts += [f"⚠️ {escape(warning)}" for warning in card.warnings]
    if card.body:
        parts.append(escape(card.body))
    smaller = card.notes
    if card.papers:  # listed under their heading, a paper a line
        parts.append("\n".join([f"<i>{escape(card.sources)}</i>", *map(_cited, card.papers)]))
    else:
        smaller = (card.sources, *card.notes)
    small = [f"<i>{escape(line)}</i>" for line in smaller if line]
    if small:
        parts.append("\n".join(small))
    body = "\n\n".join(parts)
    if visible_length(body) <= MAX_MESSAGE:
        return [body]
    pieces = split_html(body, MAX_MESSAGE - CONTINUED_RESERVE)
    title = clip(card.title, CONTINUED_TITLE_LIMIT)
    later = [
        f"<i>{escape(title)} ({card.continued.format(page=page, pages=len(pieces))})</i>\n\n{piece}"
        for page, piece in enumerate(pieces[1:], start=2)
    ]
    return [pieces[0], *later]


def _cited(paper: CitedPaper) -> str:
    """ "• 1706.03762 §3.1, p. 3 — Attention Is All You Need", its id linked to arXiv."""
    where = f" {escape(paper.where)}" if paper.where else ""
    return f"• {link(paper.url, escape(paper.arxiv_id))}{where} — {escape(paper.title)}"


def _paper_html(card: PaperCard, names: Mapping[str, str]) -> str:
    title = link(card.link.url, escape(card.link.name))
    lines = [f"<b>{title}</b>", *(field_line(field, {}, names) for field in card.fields)]
    parts = ["\n".join(lines)]
    if card.notes:
        parts.append("\n".join(f"ℹ️ {escape(note)}" for note in card.notes))
    if card.source is not None:
        parts.append(f"<i>{escape(card.source)}</i>")
    parts += [f"<b>{escape(s.label)}</b>\n{escape(s.body)}" for s in card.sections]
    return "\n\n".join(parts)
