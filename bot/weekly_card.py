"""What a chat's weekly message shows, before any platform's markup.

The content is decided here once for both platforms: the heading, the most liked and the most
asked-about papers with their counts, the themes with their papers, or the short note of a
week with nothing. Each paper is its title linking to its reply in the day's thread where the
platform gave a link (`links`), else to arXiv. Text is plain; renderers escape it and fit it
into their platform's limits by shortening the titles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.messages import text
from pipeline.archive.weekly import IsoWeek, WeekDigest, WeekPaper
from pipeline.markdown import inline
from storage.weeks import PostedPaper


@dataclass(frozen=True, slots=True)
class WeekLine:
    title: str  # the paper's title on one line (its id when it has none)
    url: str  # its reply in the day's thread, else its arXiv page
    count: str  # "👍 3", "❓ 2"; empty under a theme


@dataclass(frozen=True, slots=True)
class WeekSection:
    label: str  # "Most liked", or a theme's name
    lines: tuple[WeekLine, ...]
    numbered: bool  # a ranking (1., 2., …) rather than a theme's bullets


@dataclass(frozen=True, slots=True)
class WeekCard:
    heading: str
    ranked: tuple[WeekSection, ...]  # most liked, most asked about: those with any paper
    themes_label: str
    themes: tuple[WeekSection, ...]
    note: str | None  # a week without likes or questions says so


def week_key(week: IsoWeek) -> str:
    """The tag a chat's weekly message carries, so a restart can find it on the platform."""
    return f"week:{week.key}"


def posted_replies(digest: WeekDigest) -> dict[str, PostedPaper]:
    """The replies in the chat's daily threads of the papers the message names, by arXiv id:
    what each platform turns into links."""
    named = [*digest.liked, *digest.asked, *(p for theme in digest.themes for p in theme.papers)]
    return {p.paper.arxiv_id: p.posted for p in named if p.posted and p.posted.message_id}


def empty_note(week: IsoWeek, language: str) -> str:
    return text("weekly.empty", language, week=week.key, first=week.first, last=week.last)


def week_card(digest: WeekDigest, language: str, links: Mapping[str, str]) -> WeekCard:
    week = digest.week
    heading = text(
        "weekly.heading",
        language,
        week=week.key,
        first=week.first,
        last=week.last,
        papers=digest.posted,
    )
    ranked = []
    if digest.liked:
        likes = [text("weekly.likes", language, count=p.likes) for p in digest.liked]
        ranked.append(_ranked(text("weekly.liked", language), digest.liked, likes, links))
    if digest.asked:
        asked = [text("weekly.questions", language, count=p.questions) for p in digest.asked]
        ranked.append(_ranked(text("weekly.asked", language), digest.asked, asked, links))
    themes = tuple(
        WeekSection(inline(theme.name), tuple(_line(p, links, "") for p in theme.papers), False)
        for theme in digest.themes
    )
    quiet = not digest.liked and not digest.asked
    return WeekCard(
        heading=heading,
        ranked=tuple(ranked),
        themes_label=text("weekly.themes", language),
        themes=themes,
        note=text("weekly.quiet", language) if quiet else None,
    )


def _ranked(
    label: str, items: tuple[WeekPaper, ...], counts: list[str], links: Mapping[str, str]
) -> WeekSection:
    lines = tuple(_line(p, links, count) for p, count in zip(items, counts, strict=True))
    return WeekSection(label, lines, numbered=True)


def _line(item: WeekPaper, links: Mapping[str, str], count: str) -> WeekLine:
    paper = item.paper
    title = inline(paper.title) or paper.versioned_id
    return WeekLine(title, links.get(paper.arxiv_id) or paper.abs_url, count)
