"""The day's parent message on Telegram: the day's fields, then the day at a glance.

Every paper gets one line in rank order (its title linking to its reply where the chat has
message links, else to arXiv; its keywords or why it is suggested; its gist), then the papers
ranked below the cap. The parent is always one message, since it is edited in place at the end
of delivery: each part that grows with the input has a budget, and the list shortens its lines
(`bot.glance`) to what the fields leave of Telegram's 4,096 characters. Link addresses do not
count towards that limit; only what the reader sees does.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.card import ListedPaper, ParentCard, parent_card
from bot.glance import Cut, fit_lines
from bot.rendering import lines_within
from bot.telegram.html_split import MAX_MESSAGE, visible_length
from bot.telegram.markup import clipped, escape, field_line, link, name
from pipeline.report import DailyReport

ONE_LINE_SUMMARY_LIMIT = 300
LIST_TITLE_LIMIT = 400
LIST_KEYWORDS_LIMIT = 200
PARENT_BUDGETS = {"categories": 300, "keywords": 700, "model": 200}
NOTE_BUDGET = 600
UPDATED_TITLE_LIMIT = 300
UPDATED_BUDGET = 1200
PARENT_MARGIN = 150  # kept free: the "… and N more" lines and the blank lines between parts
CAPPED_SHARE = 6  # the capped papers take at most a sixth of the room the fields leave
CAPPED_CUT = Cut(title=80, keywords=40, gist=0)
REPORT_CAPPED_BUDGET = 3000  # a report command's answer may run to several messages


def render_parent(report: DailyReport, replies: Mapping[str, str] | None = None) -> str:
    """One message; `replies` maps arXiv ids to their replies' links (none: arXiv links)."""
    card = parent_card(report, replies)
    body = parent_html(card)
    room = MAX_MESSAGE - PARENT_MARGIN - visible_length(body)
    capped = _capped_html(card, room // CAPPED_SHARE)
    parts = [body]
    if card.listed:
        room -= visible_length(capped)
        lines = fit_lines(card.listed, room, _glance_line, visible_length, card.more_listed)
        parts.append("\n".join(lines))
    if capped:
        parts.append(capped)
    return "\n\n".join(parts)


def parent_html(card: ParentCard) -> str:
    """The heading, the day's fields, its note and its updated papers."""
    fields = (field_line(field, PARENT_BUDGETS) for field in card.fields)
    lines = [f"<b>{escape(card.heading)}</b>", *fields]
    parts = ["\n".join(lines)]
    if card.note is not None:
        parts.append(f"ℹ️ {clipped(card.note, NOTE_BUDGET)}")
    if card.updated:
        updated = [
            f"• {link(item.link.url, name(item.link, UPDATED_TITLE_LIMIT))} {escape(item.text)}"
            for item in card.updated
        ]
        listed = lines_within(updated, UPDATED_BUDGET, visible_length, card.more_updated)
        parts.append("\n".join([f"<b>{escape(card.updated_label)}</b>", *listed]))
    return "\n\n".join(parts)


def report_list(card: ParentCard) -> str:
    """A report command's list: one short paragraph a paper, then the capped papers."""
    items = []
    for listed in card.listed:
        title = link(listed.link.url, name(listed.link, LIST_TITLE_LIMIT))
        item = f"{listed.number}. <b>{title}</b>"
        if listed.keywords:
            item += " — " + clipped(listed.keywords, LIST_KEYWORDS_LIMIT)
        if listed.gist:
            item += "\n" + clipped(listed.gist, ONE_LINE_SUMMARY_LIMIT)
        items.append(item)
    capped = _capped_html(card, REPORT_CAPPED_BUDGET)
    return "\n\n".join([*items, capped] if capped else items)


def _glance_line(paper: ListedPaper, cut: Cut) -> str:
    line = f"{paper.number}. <b>{link(paper.link.url, name(paper.link, cut.title))}</b>"
    if paper.keywords:
        keywords = clipped(paper.keywords, cut.keywords)
        line += f" · <i>{keywords}</i>" if paper.suggested else f" · {keywords}"
    if paper.gist and cut.gist:
        line += " — " + clipped(paper.gist, cut.gist)
    return line


def _capped_html(card: ParentCard, budget: int) -> str:
    """The papers below the cap, one line each, under a label that says they were not
    analysed, and what that saved; empty without any."""
    if not card.capped:
        return ""
    lines = [_capped_line(paper) for paper in card.capped]
    size = lambda line: visible_length(line) + 1  # noqa: E731
    shown = lines_within(lines, budget, size, card.more_listed)
    label = f"<b>{escape(card.capped_label)}</b>"
    return "\n".join([label, *shown, f"<i>{escape(card.capped_note)}</i>"])


def _capped_line(paper: ListedPaper) -> str:
    line = f"• {link(paper.link.url, name(paper.link, CAPPED_CUT.title))}"
    if paper.keywords:
        line += " · " + clipped(paper.keywords, CAPPED_CUT.keywords)
    return line
