"""The world of fakes each fault test starts from (see tests/faults/world.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daydata import DAY, method_pdf, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram
from tests.faults.world import FAST, GROUP, MATCHING, OFF, WIDE, World


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    with (
        FakeArxiv() as arxiv,
        FakeOpenAI() as llm,
        FakeSlack() as slack,
        FakeTelegram() as telegram,
    ):
        telegram.add_chat(GROUP, "supergroup")  # type: ignore[attr-defined]
        serve_day(arxiv, DAY, [FAST, WIDE, OFF])  # type: ignore[arg-type]
        for each in MATCHING:
            arxiv.pdfs[each.versioned_id] = method_pdf(each.title)  # type: ignore[attr-defined]
        yield World(arxiv, llm, slack, telegram, database_url, tmp_path)  # type: ignore[arg-type]
