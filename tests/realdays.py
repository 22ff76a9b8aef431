"""Real arXiv announcement days from the shared corpus, as `Paper`s, for tests that assert
ranking quality. A test asking for them is skipped when the corpus is not beside the checkout."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from domain.models import AnnounceType, Paper

DAYS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-days"


def real_days(count: int) -> list[list[Paper]]:
    """The corpus's last `count` days, oldest first."""
    files = sorted(DAYS.glob("*.jsonl.gz")) if DAYS.is_dir() else []
    if len(files) < count:
        pytest.skip(f"the real announcement days are not in {DAYS}")
    return [read_day(path) for path in files[-count:]]


def largest_day() -> list[Paper]:
    """The corpus's busiest day (the largest file), read alone."""
    files = list(DAYS.glob("*.jsonl.gz")) if DAYS.is_dir() else []
    if not files:
        pytest.skip(f"the real announcement days are not in {DAYS}")
    return read_day(max(files, key=lambda path: path.stat().st_size))


def read_day(path: Path) -> list[Paper]:
    announced = date.fromisoformat(path.name.split(".")[0])
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [_paper(json.loads(line), announced) for line in lines]


def _paper(item: dict, announced: date) -> Paper:
    return Paper(
        arxiv_id=item["id"],
        version=1,
        title=item["title"],
        authors=item["authors"],
        abstract=item["abstract"],
        categories=item["categories"],
        announce_type=AnnounceType.NEW,
        announced_on=announced,
    )
