"""A chat's week in one message: the papers its members liked most, the ones they asked most
about, and the week's themes, each paper pointing at its reply in the day's thread.

The week is an ISO week (Monday to Sunday) of announcement days, the days whose threads the
chat received; questions count when they were asked during that week.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from domain.errors import CommandError
from domain.models import Paper
from pipeline.archive.themes import themes
from pipeline.relevance.store import VectorStore
from storage.db import Database
from storage.memory import MemoryRepository
from storage.repositories import PaperRepository
from storage.weeks import PostedPaper, WeekRepository

TOP = 5  # papers in each list
THEME_PAPERS = 3  # papers named under each theme
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class IsoWeek:
    year: int
    week: int

    @property
    def key(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def first(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def last(self) -> date:
        return self.first + timedelta(days=6)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """ "2026-W49" (or "2026W49"); CommandError for anything else or a week the year has
        not got (2026 has 53: 2026-W54 is refused)."""
        match = _WEEK.match(text.strip())
        if match is not None:
            try:
                return cls.of(date.fromisocalendar(int(match[1]), int(match[2]), 1))
            except ValueError:
                pass
        raise CommandError("archive.bad_week", value=text.strip()[:20])


@dataclass(frozen=True, slots=True)
class WeekPaper:
    paper: Paper
    posted: PostedPaper | None  # its reply in one of the chat's threads, if it had one
    likes: int
    questions: int


@dataclass(frozen=True, slots=True)
class WeekTheme:
    name: str
    papers: tuple[WeekPaper, ...]  # the closest to the theme's centre, at most THEME_PAPERS


@dataclass(frozen=True, slots=True)
class WeekDigest:
    week: IsoWeek
    posted: int  # papers the chat received that week
    liked: tuple[WeekPaper, ...]
    asked: tuple[WeekPaper, ...]
    themes: tuple[WeekTheme, ...]

    @property
    def empty(self) -> bool:
        return self.posted == 0 and not self.asked


async def week_digest(
    db: Database, store: VectorStore | None, platform: str, chat_id: str, week: IsoWeek
) -> WeekDigest:
    """What the chat's week held; nothing is posted or written."""
    start = datetime.combine(week.first, time(), UTC)
    async with db.session() as session:
        weeks = WeekRepository(session)
        posted = await weeks.posted(platform, chat_id, week.first, week.last)
        asked = await weeks.questions(platform, chat_id, start, start + timedelta(days=7))
        ids = list(dict.fromkeys([*(p.arxiv_id for p in posted), *asked]))
        likes = await MemoryRepository(session).likes(platform, chat_id, ids)
        papers = await PaperRepository(session).get_many(ids)
    where = {p.arxiv_id: p for p in posted}
    items = {
        i: WeekPaper(papers[i], where.get(i), likes.get(i, 0), asked.get(i, 0))
        for i in ids
        if i in papers
    }
    week_papers = [items[p.arxiv_id] for p in posted if p.arxiv_id in items]
    return WeekDigest(
        week=week,
        posted=len(week_papers),
        liked=_top(week_papers, lambda item: item.likes),
        asked=_top(list(items.values()), lambda item: item.questions),
        themes=await _themes(store, week_papers),
    )


def _top(items: list[WeekPaper], count_of: Callable[[WeekPaper], int]) -> tuple[WeekPaper, ...]:
    """The TOP items with the highest count, ties in the order given; none with a count of 0."""
    counted = sorted((item for item in items if count_of(item) > 0), key=lambda i: -count_of(i))
    return tuple(counted[:TOP])


async def _themes(store: VectorStore | None, items: list[WeekPaper]) -> tuple[WeekTheme, ...]:
    if store is None or not items:
        return ()
    vectors = await store.vectors([item.paper for item in items])
    by_id = {item.paper.arxiv_id: item for item in items}
    found = themes([item.paper for item in items], vectors)
    return tuple(
        WeekTheme(theme.name, tuple(by_id[i] for i in theme.arxiv_ids[:THEME_PAPERS]))
        for theme in found
    )
