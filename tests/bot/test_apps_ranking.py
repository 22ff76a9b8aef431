"""`/why` and `/interests` on Slack and on Telegram alike, each through its real app and fake."""

from __future__ import annotations

import re
from datetime import date

from storage.db import Database
from storage.repositories import PaperRepository, VoteRepository
from storage.votes import DOWN, UP
from tests.bot import slackapp, telegramapp
from tests.bot.test_apps import App, app  # noqa: F401  (the fixture: both platforms)
from tests.processes import GROUP
from tests.samples import sample_paper

DAY = date(2026, 2, 4)
PAPERS = [
    sample_paper(arxiv_id="2602.00101", title="Tactile grasping for robot hands"),
    sample_paper(arxiv_id="2602.00102", title="Grasp planning with tactile robot skin"),
    sample_paper(arxiv_id="2602.00103", title="Low resource machine translation", abstract="MT."),
]


def _where(asked: App) -> tuple[str, str]:
    """The chat and the asker `App.ask` uses (not as an admin)."""
    if asked.platform == "slack":
        return slackapp.CHANNEL, slackapp.ALICE
    return str(GROUP), str(telegramapp.ALICE)


async def _a_day_with_votes(asked: App, database: Database) -> None:
    chat, user = _where(asked)
    async with database.session() as session:
        await PaperRepository(session).record_announcements(DAY, PAPERS)
        votes = VoteRepository(session)
        await votes.record(asked.platform, chat, user, PAPERS[0].arxiv_id, UP)
        await votes.record(asked.platform, chat, user, PAPERS[2].arxiv_id, DOWN)


async def test_why_explains_a_stored_papers_rank_and_refuses_in_one_line(
    app: App,  # noqa: F811
    database: Database,
) -> None:
    await _a_day_with_votes(app, database)

    answer = await app.ask("why 2602.00102", False)
    never = await app.ask("why 2609.99999", False)
    garbage = await app.ask("why ../../etc/passwd", False)

    assert "Why 2602.00102 “Grasp planning with tactile robot skin”, announced on 2026-02-04" in (
        answer
    )
    assert re.search(
        r"For you: #[12] of the day's 3, score \d\.\d\d \(your model, from 2 votes", answer
    )
    assert re.search(r"In this chat: #[12] of 3, score \d\.\d\d \(from 2 votes here", answer)
    assert "Closest to papers you liked: “Tactile grasping for robot hands”" in answer
    assert "2609.99999 was not announced on any day this bot fetched" in never
    assert "is not an arXiv id" in garbage
    for line in (never, garbage):
        assert "\n" not in line.strip()
    assert app.llm.requests == []


async def test_interests_show_add_and_reset(
    app: App,  # noqa: F811
    database: Database,
) -> None:
    empty = await app.ask("interests", False)
    await _a_day_with_votes(app, database)

    shown = await app.ask("interests", False)
    added = await app.ask("interests add 2602.00102 not-a-paper", False)
    after = await app.ask("interests", False)
    reset = await app.ask("interests reset", False)

    assert "You have no votes yet" in empty and "interests add" in empty
    assert "Your votes: 1 👍 and 1 👎" in shown
    assert "Tactile grasping for robot hands (2602.00101)" in shown
    assert "👍 for you here: 2602.00102" in added and "this chat's" in added
    assert "Not added: 'not-a-paper' is not an arXiv id" in added
    assert "Your votes: 2 👍 and 1 👎" in after
    assert "Forgot your 3 votes" in reset
    assert "You have no votes yet" in await app.ask("interests", False)
