"""Renders paper cards and a day's parent message as Slack Block Kit messages Slack accepts.

Slack rejects a message that breaks a limit (`invalid_blocks`, `msg_blocks_too_long`), so every
message stays inside them: at most 50 blocks and `MESSAGE_TEXT_BUDGET` characters of text, 3,000
a section, 150 a header, 10 elements a context block. Long text is split at paragraph, then
sentence, then word boundaries, never inside a link or an escape sequence; a paper that does not
fit one message continues in the next. Paper, user and LLM text is escaped (`&`, `<`, `>`) before
our own links and bold are added, and mrkdwn is sent `verbatim`, so no title can ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.card import (
    Field,
    LinksField,
    MentionsField,
    PaperCard,
    ParentCard,
    Tag,
    TextField,
    paper_card,
    parent_card,
)
from bot.platform import Mention, PaperReply, Reply, ReportReply, TextReply
from bot.rendering import BOUNDARIES, WORDS, lines_within
from bot.slack.votes import vote_block
from pipeline.report import DailyReport, PaperEntry

MESSAGE_BLOCKS_LIMIT = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3000
# Slack also refuses a message whose blocks carry too much text in all (`msg_blocks_too_long`,
# undocumented; reported from about 11,300 characters): stay well below it.
MESSAGE_TEXT_BUDGET = 9000
LINK_LABEL_LIMIT = 1000  # keeps every link far shorter than a section, so it is never split
UPDATED_TEXT_BUDGET = 2500  # the parent lists updated papers up to this, then counts the rest
ONE_LINE_SUMMARY_LIMIT = 300
LIST_KEYWORDS_LIMIT = 200
NOTE_LIMIT = 1000
# The parent's fields that grow with the input, each clipped to its own length.
PARENT_BUDGETS = {"categories": 500, "keywords": 1000, "model": 300}

_ATOM = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")  # our links and mentions, and escapes
_USER_ID = re.compile(r"[UW][A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the notification/fallback text, always present, ≤ 3,000 chars
    blocks: list[dict]  # ≤ 50 blocks


def escape_mrkdwn(text: str) -> str:
    """Slack's rule: only `&`, `<` and `>` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_parent(report: DailyReport) -> SlackMessage:
    card = parent_card(report)
    return SlackMessage(_parent_fallback(card), _parent_blocks(card))


def render_paper(
    entry: PaperEntry, mentions: Sequence[Mention], *, language: str = "en"
) -> list[SlackMessage]:
    card = paper_card(entry, mentions, language)
    title = escape_mrkdwn(card.link.title)
    tags = " ".join(_mention(m.user_id) for m in mentions)
    fallback = _clip(f"{title} {tags}".strip(), FALLBACK_TEXT_LIMIT)
    messages = _paginate(_paper_blocks(card), fallback, title, card.continued)
    messages[0].blocks.append(vote_block(entry.paper.arxiv_id))  # its page kept one block free
    return messages


def render_reply(reply: Reply) -> list[SlackMessage]:
    """A command's answer; a paper or a report carries the language of its labels."""
    if isinstance(reply, PaperReply):
        return render_paper(reply.entry, (), language=reply.language)
    if isinstance(reply, ReportReply):
        card = parent_card(reply.report)
        blocks = _parent_blocks(card)
        if card.listed:
            blocks += [DividerBlock().to_dict(), *_sections(_paper_list(card))]
        return _paginate(blocks, _parent_fallback(card), card.heading, card.continued)
    return _text_messages(reply)


def split_mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at the largest boundary found in the latter half
    of each window (paragraph, line, sentence, word), never inside a `<…>` or an `&…;`."""
    pieces = []
    rest = text.strip()
    while len(rest) > limit:
        cut, resume = _cut_point(rest, limit, BOUNDARIES)
        if piece := rest[:cut].rstrip():
            pieces.append(piece)
        rest = rest[resume:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def clip_mrkdwn(text: str, limit: int) -> str:
    """`text`, or as many whole words of it as fit before a "…"."""
    if len(text) <= limit:
        return text
    cut, _ = _cut_point(text, limit - 1, (WORDS,))
    return text[:cut].rstrip() + "…"


_clip = clip_mrkdwn


def _cut_point(text: str, limit: int, boundaries: Sequence[re.Pattern[str]]) -> tuple[int, int]:
    """Where a piece of at most `limit` characters ends, and where the rest starts."""
    inside: set[int] = set()
    for atom in _ATOM.finditer(text):
        if atom.start() >= limit:
            break
        inside.update(range(atom.start() + 1, atom.end()))
    earlier = None
    for boundary in boundaries:
        last = None
        for match in boundary.finditer(text, 0, limit + 1):
            if 0 < match.start() <= limit and match.start() not in inside:
                last = (match.start(), match.end())
        if last is not None and last[0] >= limit // 2:
            return last
        earlier = earlier or last
    if earlier is not None:
        return earlier
    cut = limit  # one unbroken run (e.g. Chinese without punctuation): cut between characters
    while cut in inside:
        cut -= 1
    cut = cut or limit  # an atom longer than a whole piece: only possible with absurd input
    return cut, cut


def _link(url: str, label: str = "") -> str:
    """`<url|label>` for http(s) addresses; `label` is escaped mrkdwn already."""
    if not re.match(r"https?://", url, re.IGNORECASE):
        return label or escape_mrkdwn(url)
    target = escape_mrkdwn(re.sub(r"\s", "%20", url).replace("|", "%7C"))
    return f"<{target}|{_clip(label, LINK_LABEL_LIMIT)}>" if label else f"<{target}>"


def _mention(user_id: str) -> str:
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape_mrkdwn(user_id)


def _section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True)).to_dict()


def _sections(text: str) -> list[dict]:
    return [_section(piece) for piece in split_mrkdwn(text, SECTION_TEXT_LIMIT)]


def _header(text: str) -> dict:
    return HeaderBlock(text=PlainTextObject(text=_clip(text, HEADER_TEXT_LIMIT))).to_dict()


def _context(*texts: str) -> dict:
    elements = [MarkdownTextObject(text=_clip(t, SECTION_TEXT_LIMIT), verbatim=True) for t in texts]
    return ContextBlock(elements=elements[:CONTEXT_ELEMENTS_LIMIT]).to_dict()


def _parent_fallback(card: ParentCard) -> str:
    return _clip(escape_mrkdwn(f"{card.heading}: {card.papers}"), FALLBACK_TEXT_LIMIT)


def _parent_blocks(card: ParentCard) -> list[dict]:
    lines = [_field_line(field, PARENT_BUDGETS) for field in card.fields]
    blocks = [_header(escape_mrkdwn(card.heading)), *_sections("\n".join(lines))]
    if card.note is not None:
        note = _clip(escape_mrkdwn(card.note), NOTE_LIMIT)
        blocks += _sections(f":information_source: {note}")
    if card.updated:
        updated = [
            f"• {_link(item.link.url, escape_mrkdwn(item.link.title))} {escape_mrkdwn(item.text)}"
            for item in card.updated
        ]
        listed = lines_within(updated, UPDATED_TEXT_BUDGET, len, card.more_updated)
        blocks += _sections("\n".join([f"*{escape_mrkdwn(card.updated_label)}*", *listed]))
    return blocks


def _paper_blocks(card: PaperCard) -> list[dict]:
    title = escape_mrkdwn(card.link.title)
    lines = [f"*{_link(card.link.url, title)}*", *(_field_line(f, {}) for f in card.fields)]
    blocks = [_header(escape_mrkdwn(card.link.name)), *_sections("\n".join(lines))]
    if card.notes:
        blocks += _sections(
            "\n".join(f":information_source: {escape_mrkdwn(n)}" for n in card.notes)
        )
    blocks.append(DividerBlock().to_dict())
    if card.source is not None:
        blocks.append(_context(escape_mrkdwn(card.source)))
    for section in card.sections:
        blocks += _sections(f"*{escape_mrkdwn(section.label)}*\n{escape_mrkdwn(section.body)}")
    return blocks


def _field_line(field: Field, budgets: Mapping[str, int]) -> str:
    """`Label: value`; a text field with a budget is clipped to it."""
    match field:
        case TextField(key=key, text=text):
            value = escape_mrkdwn(text)
            value = _clip(value, budgets[key]) if key in budgets else value
        case LinksField(links=links):
            value = ", ".join(_link(link.url, escape_mrkdwn(link.label)) for link in links)
        case MentionsField(tags=tags):
            value = ", ".join(_tagged(tag) for tag in tags)
    return f"*{escape_mrkdwn(field.label)}*: {value}"


def _tagged(tag: Tag) -> str:
    mention = _mention(tag.user_id)
    return f"{mention} ({escape_mrkdwn(tag.keywords)})" if tag.keywords else mention


def _paper_list(card: ParentCard) -> str:
    """One short paragraph a paper: linked title, matched keywords, a one-line summary."""
    items = []
    for listed in card.listed:
        title = _link(listed.link.url, escape_mrkdwn(listed.link.title))
        item = f"{listed.number}. *{title}*"
        if listed.keywords:
            item += " — " + _clip(escape_mrkdwn(listed.keywords), LIST_KEYWORDS_LIMIT)
        if listed.gist:
            item += "\n" + _clip(escape_mrkdwn(listed.gist), ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    return "\n\n".join(items)


def _text_messages(reply: TextReply) -> list[SlackMessage]:
    text = "\n".join(escape_mrkdwn(line) for line in reply.lines).strip() or "—"
    if reply.is_error:
        text = f":warning: {text}"
    pages = _pack(_sections(text), reserve_blocks=0, reserve_text=0)
    return [SlackMessage(_clip(_page_text(page), FALLBACK_TEXT_LIMIT), page) for page in pages]


def _paginate(blocks: list[dict], fallback: str, title: str, continued: str) -> list[SlackMessage]:
    """Blocks in as many messages as they need; later ones open with a "continued" line."""
    pages = _pack(blocks, reserve_blocks=1, reserve_text=400)
    messages = [SlackMessage(fallback, pages[0])]
    for number, page in enumerate(pages[1:], start=2):
        line = f"{_clip(title, 200)} ({continued.format(page=number, pages=len(pages))})"
        messages.append(SlackMessage(line, [_context(line), *page]))
    return messages


def _pack(blocks: list[dict], *, reserve_blocks: int, reserve_text: int) -> list[list[dict]]:
    pages: list[list[dict]] = [[]]
    used = 0
    for block in blocks:
        size = _text_length(block)
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


def _text_length(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else _text_length(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0


def _page_text(page: list[dict]) -> str:
    return "\n".join(b["text"]["text"] for b in page if b["type"] == "section")
