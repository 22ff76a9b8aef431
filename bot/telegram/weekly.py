"""A chat's weekly message on Telegram: one HTML message within its 4,096 characters.

Only what the reader sees counts towards the limit (link addresses do not): titles are clipped
shorter and shorter until the message fits.
"""

from __future__ import annotations

from bot.telegram.html_split import MAX_MESSAGE, visible_length
from bot.telegram.markup import clipped, escape, link
from bot.weekly_card import WeekCard, WeekLine, WeekSection

TITLE_LIMITS = (80, 50, 30, 15)  # short titles, shorter until the message fits
THEME_NAME_LIMIT = 200


def render_week(card: WeekCard) -> str:
    for limit in TITLE_LIMITS:
        rendered = _html(card, limit)
        if visible_length(rendered) <= MAX_MESSAGE:
            break
    return rendered


def render_week_note(note: str) -> str:
    """The week with nothing to show: its short note."""
    return clipped(note, MAX_MESSAGE)


def _html(card: WeekCard, limit: int) -> str:
    parts = [f"<b>{escape(card.heading)}</b>"]
    if card.note is not None:
        parts.append(f"ℹ️ {escape(card.note)}")
    parts += [_section(ranked, limit) for ranked in card.ranked]
    if card.themes:
        themes = [_section(theme, limit, italic=True) for theme in card.themes]
        parts.append("\n\n".join([f"<b>{escape(card.themes_label)}</b>", *themes]))
    return "\n\n".join(parts)


def _section(section: WeekSection, limit: int, *, italic: bool = False) -> str:
    label = clipped(section.label, THEME_NAME_LIMIT)
    lines = [f"<i>{label}</i>" if italic else f"<b>{label}</b>"]
    for number, line in enumerate(section.lines, start=1):
        mark = f"{number}." if section.numbered else "•"
        lines.append(f"{mark} {_paper(line, limit)}")
    return "\n".join(lines)


def _paper(line: WeekLine, limit: int) -> str:
    shown = link(line.url, clipped(line.title, limit))
    return f"{shown} · {escape(line.count)}" if line.count else shown
