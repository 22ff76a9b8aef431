"""Slack's mrkdwn as our messages use it: escaping, links, mentions, limits and splitting.

Slack rejects a message that breaks a limit (`invalid_blocks`, `msg_blocks_too_long`), so every
message stays inside them: at most 50 blocks and `MESSAGE_TEXT_BUDGET` characters of text, 3,000
a section, 150 a header, 10 elements a context block. Long text is split at paragraph, then
sentence, then word boundaries, never inside a link or an escape sequence. Paper, user and LLM
text is escaped (`&`, `<`, `>`) before our own links and bold are added, and mrkdwn is sent
`verbatim`, so no title can ping anyone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.card import Field, LinksField, MentionsField, Tag, TextField
from bot.rendering import BOUNDARIES, WORDS

MESSAGE_BLOCKS_LIMIT = 50
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_ELEMENTS_LIMIT = 10
FALLBACK_TEXT_LIMIT = 3000
# Slack also refuses a message whose blocks carry too much text in all (`msg_blocks_too_long`,
# undocumented; reported from about 11,300 characters): stay well below it.
MESSAGE_TEXT_BUDGET = 9000
LINK_LABEL_LIMIT = 1000  # keeps every link far shorter than a section, so it is never split

_ATOM = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")  # our links and mentions, and escapes
_USER_ID = re.compile(r"[UW][A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str  # the notification/fallback text, always present, ≤ 3,000 chars
    blocks: list[dict]  # ≤ 50 blocks


def escape_mrkdwn(text: str) -> str:
    """Slack's rule: only `&`, `<` and `>` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


def link(url: str, label: str = "") -> str:
    """`<url|label>` for http(s) addresses; `label` is escaped mrkdwn already."""
    if not re.match(r"https?://", url, re.IGNORECASE):
        return label or escape_mrkdwn(url)
    target = escape_mrkdwn(re.sub(r"\s", "%20", url).replace("|", "%7C"))
    return f"<{target}|{clip_mrkdwn(label, LINK_LABEL_LIMIT)}>" if label else f"<{target}>"


def mention(user_id: str) -> str:
    if _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return escape_mrkdwn(user_id)


def section(text: str) -> dict:
    return SectionBlock(text=MarkdownTextObject(text=text, verbatim=True)).to_dict()


def sections(text: str) -> list[dict]:
    return [section(piece) for piece in split_mrkdwn(text, SECTION_TEXT_LIMIT)]


def header(text: str) -> dict:
    return HeaderBlock(text=PlainTextObject(text=clip_mrkdwn(text, HEADER_TEXT_LIMIT))).to_dict()


def context(*texts: str) -> dict:
    elements = [
        MarkdownTextObject(text=clip_mrkdwn(t, SECTION_TEXT_LIMIT), verbatim=True) for t in texts
    ]
    return ContextBlock(elements=elements[:CONTEXT_ELEMENTS_LIMIT]).to_dict()


def field_line(field: Field, budgets: Mapping[str, int]) -> str:
    """`Label: value`; a text field with a budget is clipped to it."""
    match field:
        case TextField(key=key, text=text):
            value = escape_mrkdwn(text)
            value = clip_mrkdwn(value, budgets[key]) if key in budgets else value
        case LinksField(links=links):
            value = ", ".join(link(item.url, escape_mrkdwn(item.label)) for item in links)
        case MentionsField(tags=tags):
            value = ", ".join(tagged(tag) for tag in tags)
    label = f"*{escape_mrkdwn(field.label)}*"
    return f"{label}: {value}" if value else label


def tagged(tag: Tag) -> str:
    shown = mention(tag.user_id)
    return f"{shown} ({escape_mrkdwn(tag.keywords)})" if tag.keywords else shown


def text_length(value: Any) -> int:
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else text_length(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(text_length(v) for v in value)
    return 0
