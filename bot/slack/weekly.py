"""A chat's weekly message on Slack: one message of blocks, within Slack's limits.

Titles are clipped shorter and shorter until the blocks fit `MESSAGE_TEXT_BUDGET` (links count
towards it on Slack) and the block limit; the lists themselves are short (`pipeline.archive.
weekly.TOP`, six themes of three papers at most).
"""

from __future__ import annotations

from bot.slack.mrkdwn import (
    FALLBACK_TEXT_LIMIT,
    MESSAGE_BLOCKS_LIMIT,
    MESSAGE_TEXT_BUDGET,
    SlackMessage,
    clip_mrkdwn,
    escape_mrkdwn,
    header,
    link,
    sections,
    text_length,
)
from bot.weekly_card import WeekCard, WeekLine, WeekSection
from pipeline.gist import clip_words

TITLE_LIMITS = (80, 50, 30, 15)  # short titles, shorter until the message fits
THEME_NAME_LIMIT = 200


def render_week(card: WeekCard) -> SlackMessage:
    fallback = clip_mrkdwn(escape_mrkdwn(card.heading), FALLBACK_TEXT_LIMIT)
    for limit in TITLE_LIMITS:
        blocks = _blocks(card, limit)
        fits = text_length(blocks) <= MESSAGE_TEXT_BUDGET
        if fits and len(blocks) <= MESSAGE_BLOCKS_LIMIT:
            break
    return SlackMessage(fallback, blocks[:MESSAGE_BLOCKS_LIMIT])


def render_week_note(note: str) -> SlackMessage:
    """The week with nothing to show: its short note."""
    shown = clip_mrkdwn(escape_mrkdwn(note), FALLBACK_TEXT_LIMIT)
    return SlackMessage(shown, sections(shown))


def _blocks(card: WeekCard, limit: int) -> list[dict]:
    blocks = [header(escape_mrkdwn(card.heading))]
    if card.note is not None:
        blocks += sections(f":information_source: {escape_mrkdwn(card.note)}")
    for ranked in card.ranked:
        blocks += sections(_section(ranked, limit))
    if card.themes:
        themes = [_section(theme, limit, italic=True) for theme in card.themes]
        blocks += sections("\n\n".join([f"*{escape_mrkdwn(card.themes_label)}*", *themes]))
    return blocks


def _section(section: WeekSection, limit: int, *, italic: bool = False) -> str:
    label = escape_mrkdwn(clip_words(section.label, THEME_NAME_LIMIT))
    lines = [f"_{label}_" if italic else f"*{label}*"]
    for number, line in enumerate(section.lines, start=1):
        mark = f"{number}." if section.numbered else "•"
        lines.append(f"{mark} {_paper(line, limit)}")
    return "\n".join(lines)


def _paper(line: WeekLine, limit: int) -> str:
    shown = link(line.url, escape_mrkdwn(clip_words(line.title, limit)))
    return f"{shown} · {escape_mrkdwn(line.count)}" if line.count else shown
