"""The day's parent message on Slack: the day's fields, then the day at a glance.

Every paper gets one line in rank order (its title linking to its reply in the thread once the
replies exist, its keywords or why it is suggested, its gist), then the papers ranked below the
cap with their arXiv links. The parent is one message, edited in place at the end of delivery:
the list shortens its lines to stay inside Slack's text budget (`bot.glance`).
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import DividerBlock

from bot.card import ListedPaper, ParentCard, parent_card
from bot.glance import Cut, fit_lines
from bot.rendering import lines_within
from bot.slack.mrkdwn import (
    FALLBACK_TEXT_LIMIT,
    MESSAGE_TEXT_BUDGET,
    SlackMessage,
    clip_mrkdwn,
    escape_mrkdwn,
    field_line,
    header,
    link,
    sections,
    text_length,
)
from pipeline.gist import clip_words
from pipeline.report import DailyReport

UPDATED_TEXT_BUDGET = 2500  # the parent lists updated papers up to this, then counts the rest
ONE_LINE_SUMMARY_LIMIT = 300
LIST_KEYWORDS_LIMIT = 200
NOTE_LIMIT = 1000
# The parent's fields that grow with the input, each clipped to its own length.
PARENT_BUDGETS = {"categories": 500, "keywords": 1000, "model": 300}
PARENT_MARGIN = 300  # kept free of the text budget: the "… and N more" lines, the labels
CAPPED_SHARE = 6  # the capped papers take at most a sixth of the room the fields leave
CAPPED_CUT = Cut(title=80, keywords=40, gist=0)
REPORT_CAPPED_BUDGET = 6000
LINK_TITLE_LIMIT = 1000  # a report command's answer may run to several messages


def render_parent(report: DailyReport, replies: Mapping[str, str] | None = None) -> SlackMessage:
    """`replies` maps arXiv ids to their replies' permalinks (none yet: arXiv links)."""
    card = parent_card(report, replies)
    blocks = parent_blocks(card)
    room = MESSAGE_TEXT_BUDGET - PARENT_MARGIN - text_length(blocks)
    return SlackMessage(parent_fallback(card), blocks + _glance_blocks(card, room))


def parent_fallback(card: ParentCard) -> str:
    return clip_mrkdwn(escape_mrkdwn(f"{card.heading}: {card.papers}"), FALLBACK_TEXT_LIMIT)


def parent_blocks(card: ParentCard) -> list[dict]:
    """The heading, the day's fields, its note and its updated papers."""
    lines = [field_line(field, PARENT_BUDGETS) for field in card.fields]
    blocks = [header(escape_mrkdwn(card.heading)), *sections("\n".join(lines))]
    if card.note is not None:
        note = clip_mrkdwn(escape_mrkdwn(card.note), NOTE_LIMIT)
        blocks += sections(f":information_source: {note}")
    if card.updated:
        updated = [
            f"• {link(item.link.url, escape_mrkdwn(item.link.title))} {escape_mrkdwn(item.text)}"
            for item in card.updated
        ]
        listed = lines_within(updated, UPDATED_TEXT_BUDGET, len, card.more_updated)
        blocks += sections("\n".join([f"*{escape_mrkdwn(card.updated_label)}*", *listed]))
    return blocks


def report_list(card: ParentCard) -> list[dict]:
    """A report command's list: one short paragraph a paper, then the capped papers."""
    items = []
    for listed in card.listed:
        item = f"{listed.number}. *{_title(listed, LINK_TITLE_LIMIT)}*"
        if listed.keywords:
            item += " — " + clip_mrkdwn(escape_mrkdwn(listed.keywords), LIST_KEYWORDS_LIMIT)
        if listed.gist:
            item += "\n" + clip_mrkdwn(escape_mrkdwn(listed.gist), ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    blocks = sections("\n\n".join(items)) if items else []
    return blocks + _capped_blocks(card, REPORT_CAPPED_BUDGET)


def _glance_blocks(card: ParentCard, room: int) -> list[dict]:
    """Every paper on one line, as long as the room allows, then the capped papers."""
    if not card.listed and not card.capped:
        return []
    capped = _capped_blocks(card, room // CAPPED_SHARE)
    blocks: list[dict] = [DividerBlock().to_dict()]
    if card.listed:
        room -= text_length(capped)
        lines = fit_lines(card.listed, room, _glance_line, len, card.more_listed)
        blocks += sections("\n".join(lines))
    return blocks + capped


def _glance_line(paper: ListedPaper, cut: Cut) -> str:
    line = f"{paper.number}. *{_title(paper, cut.title)}*"
    if paper.keywords:
        keywords = escape_mrkdwn(clip_words(paper.keywords, cut.keywords))
        line += f" · {keywords}"
    if paper.gist and cut.gist:
        line += " — " + escape_mrkdwn(clip_words(paper.gist, cut.gist))
    return line


def _capped_blocks(card: ParentCard, budget: int) -> list[dict]:
    """The papers below the cap, one line each, under a label that says they were not
    analysed, and what that saved."""
    if not card.capped:
        return []
    lines = [_capped_line(paper) for paper in card.capped]
    shown = lines_within(lines, budget, lambda line: len(line) + 1, card.more_listed)
    label = f"*{escape_mrkdwn(card.capped_label)}*"
    return sections("\n".join([label, *shown, f"_{escape_mrkdwn(card.capped_note)}_"]))


def _capped_line(paper: ListedPaper) -> str:
    line = f"• {_title(paper, CAPPED_CUT.title)}"
    if paper.keywords:
        line += " · " + escape_mrkdwn(clip_words(paper.keywords, CAPPED_CUT.keywords))
    return line


def _title(paper: ListedPaper, limit: int) -> str:
    """The paper's title (its id when it has none), clipped and linked."""
    title = clip_words(paper.link.title, limit) or paper.link.versioned_id
    return link(paper.link.url, escape_mrkdwn(title))
