"""Renders paper cards and command answers as Slack Block Kit messages Slack accepts.

An answer to a question (about a paper or across the archive) opens with the asker's mention
and carries an Ask a follow-up button. A paper that does not fit one message (see
`bot.slack.mrkdwn` for Slack's limits) continues in the next, each later one opening with a
"continued" line; its first message carries the vote buttons. The day's parent message is
`bot.slack.parent`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import DividerBlock

from bot.answer_card import CitedPaper, answer_card
from bot.card import PaperCard, paper_card, parent_card
from bot.platform import (
    AnswerReply,
    FileReply,
    Mention,
    PaperReply,
    Reply,
    ReportReply,
    SearchReply,
    TextReply,
)
from bot.slack.asking import ask_button, follow_up_block
from bot.slack.mrkdwn import (
    FALLBACK_TEXT_LIMIT,
    MESSAGE_BLOCKS_LIMIT,
    MESSAGE_TEXT_BUDGET,
    SlackMessage,
    clip_mrkdwn,
    context,
    escape_mrkdwn,
    field_line,
    header,
    link,
    mention,
    sections,
    split_mrkdwn,
    text_length,
)
from bot.slack.parent import parent_blocks, parent_fallback, render_parent, report_list
from bot.slack.votes import vote_block
from domain.messages import text
from pipeline.qa.answers import PaperAnswer
from pipeline.report import PaperEntry

__all__ = [
    "MESSAGE_TEXT_BUDGET",
    "SlackMessage",
    "escape_mrkdwn",
    "render_answer",
    "render_paper",
    "render_parent",
    "render_reply",
    "split_mrkdwn",
]


def render_paper(
    entry: PaperEntry, mentions: Sequence[Mention], *, language: str = "en"
) -> list[SlackMessage]:
    card = paper_card(entry, mentions, language)
    title = escape_mrkdwn(card.link.title)
    tags = " ".join(mention(m.user_id) for m in mentions)
    fallback = clip_mrkdwn(f"{title} {tags}".strip(), FALLBACK_TEXT_LIMIT)
    messages = paginate(_paper_blocks(card), fallback, title, card.continued)
    buttons = vote_block(entry.paper.arxiv_id)
    buttons["elements"].append(ask_button(entry.paper.arxiv_id, language))
    messages[0].blocks.append(buttons)  # its page kept one block free
    return messages


def render_reply(reply: Reply) -> list[SlackMessage]:
    """A command's answer; a paper or a report carries the language of its labels."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), language=reply.language)
    if isinstance(reply, AnswerReply):
        return render_answer(reply)
    if isinstance(reply, ReportReply):
        card = parent_card(reply.report)
        blocks = parent_blocks(card)
        if card.listed or card.capped:
            blocks += [DividerBlock().to_dict(), *report_list(card)]
        return paginate(blocks, parent_fallback(card), card.heading, card.continued)
    if isinstance(reply, SearchReply):
        return render_papers(reply)
    if isinstance(reply, FileReply):
        return _text_messages(TextReply(reply.lines))
    return _text_messages(reply)


def render_papers(reply: SearchReply) -> list[SlackMessage]:
    """The heading, then a paper a line (its title linking to arXiv, when first seen, its 👍
    here) with its gist beneath, then the notes."""
    lines = []
    for paper in reply.papers:
        facts = [f"*{link(paper.url, escape_mrkdwn(paper.title))}*"]
        facts += [escape_mrkdwn(fact) for fact in (paper.seen,) if fact]
        facts += [f"👍 {paper.likes}"] if paper.likes else []
        lines.append(" · ".join(facts) + (f"\n{escape_mrkdwn(paper.gist)}" if paper.gist else ""))
    blocks = sections(f"*{escape_mrkdwn(reply.heading)}*")
    blocks += sections("\n\n".join(lines))
    if reply.notes:
        blocks.append(context(*(escape_mrkdwn(note) for note in reply.notes)))
    fallback = clip_mrkdwn(escape_mrkdwn(reply.heading), FALLBACK_TEXT_LIMIT)
    return paginate(blocks, fallback, escape_mrkdwn(reply.heading), "{page}/{pages}")


def render_answer(reply: AnswerReply) -> list[SlackMessage]:
    """The asker's mention and the paper's short title (or "From the archive"), the question
    quoted, the answer, its sources and notes; an Ask a follow-up button on its last message."""
    card = answer_card(reply)
    who, title = mention(reply.asker), escape_mrkdwn(card.title)
    key = "asking.archive.asked" if card.archive else "asking.asked"
    opening = text(key, reply.language, who=who, title=f"*{link(card.url, title)}*")
    quoted = "\n".join(f"> {escape_mrkdwn(line)}" for line in card.question.splitlines() if line)
    blocks = sections(f"{opening}\n{quoted}")
    for warning in card.warnings:
        blocks += sections(f":warning: {escape_mrkdwn(warning)}")
    if card.body:
        blocks += sections(escape_mrkdwn(card.body))
    smaller = card.notes
    if card.papers:  # listed under their heading, a paper a line
        blocks += sections("\n".join([escape_mrkdwn(card.sources), *map(_cited, card.papers)]))
    else:
        smaller = (card.sources, *card.notes)
    small = [escape_mrkdwn(line) for line in smaller if line]
    if small:
        blocks.append(context(*small))
    asked = text(key, reply.language, who=who, title=title)
    fallback = clip_mrkdwn(f"{asked}: {escape_mrkdwn(card.question)}", FALLBACK_TEXT_LIMIT)
    messages = paginate(blocks, fallback, title, card.continued)
    answer = reply.answer
    paper = answer.paper.arxiv_id if isinstance(answer, PaperAnswer) else ""
    messages[-1].blocks.append(follow_up_block(paper, answer.question_id, reply.language))
    return messages


def _cited(paper: CitedPaper) -> str:
    """ "• 1706.03762 §3.1, p. 3 — Attention Is All You Need", its id linked to arXiv."""
    where = f" {escape_mrkdwn(paper.where)}" if paper.where else ""
    return (
        f"• {link(paper.url, escape_mrkdwn(paper.arxiv_id))}{where} — {escape_mrkdwn(paper.title)}"
    )


def _paper_blocks(card: PaperCard) -> list[dict]:
    title = escape_mrkdwn(card.link.title)
    lines = [f"*{link(card.link.url, title)}*", *(field_line(f, {}) for f in card.fields)]
    blocks = [header(escape_mrkdwn(card.link.name)), *sections("\n".join(lines))]
    if card.notes:
        blocks += sections(
            "\n".join(f":information_source: {escape_mrkdwn(n)}" for n in card.notes)
        )
    blocks.append(DividerBlock().to_dict())
    if card.source is not None:
        blocks.append(context(escape_mrkdwn(card.source)))
    for section in card.sections:
        blocks += sections(f"*{escape_mrkdwn(section.label)}*\n{escape_mrkdwn(section.body)}")
    return blocks


def _text_messages(reply: TextReply) -> list[SlackMessage]:
    text = "\n".join(escape_mrkdwn(line) for line in reply.lines).strip() or "—"
    if reply.is_error:
        text = f":warning: {text}"
    pages = _pack(sections(text), reserve_blocks=0, reserve_text=0)
    return [
        SlackMessage(clip_mrkdwn(_page_text(page), FALLBACK_TEXT_LIMIT), page) for page in pages
    ]


def paginate(blocks: list[dict], fallback: str, title: str, continued: str) -> list[SlackMessage]:
    """Blocks in as many messages as they need; later ones open with a "continued" line."""
    pages = _pack(blocks, reserve_blocks=1, reserve_text=400)
    messages = [SlackMessage(fallback, pages[0])]
    for number, page in enumerate(pages[1:], start=2):
        line = f"{clip_mrkdwn(title, 200)} ({continued.format(page=number, pages=len(pages))})"
        messages.append(SlackMessage(line, [context(line), *page]))
    return messages


def _pack(blocks: list[dict], *, reserve_blocks: int, reserve_text: int) -> list[list[dict]]:
    pages: list[list[dict]] = [[]]
    used = 0
    for block in blocks:
        size = text_length(block)
        page = pages[-1]
        full = len(page) >= MESSAGE_BLOCKS_LIMIT - reserve_blocks
        if page and (full or used + size > MESSAGE_TEXT_BUDGET - reserve_text):
            pages.append([])
            used = 0
        if block["type"] == "divider" and not pages[-1]:
            continue  # a page never opens with a divider
        pages[-1].append(block)
        used += size
    for page in pages:
        while page and page[-1]["type"] == "divider":
            page.pop()  # nor closes with one
    return [page for page in pages if page] or [[]]


def _page_text(page: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in page if b["type"] == "section")
