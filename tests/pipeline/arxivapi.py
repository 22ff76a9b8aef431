"""An `ArxivApi` client pointed at the fake, and what the fake was asked for."""

from __future__ import annotations

from domain.models import Paper
from pipeline.arxiv_api import ArxivApi
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Request

USER_AGENT = "arxiv-digest-tests/1.0 (mailto:team@example.org)"
DELAY = 0.05
ATOM = {"Content-Type": "application/atom+xml"}


def make_api(fake: FakeArxiv, **options: object) -> ArxivApi:
    settings: dict[str, object] = {"delay_seconds": DELAY, "user_agent": USER_AGENT}
    settings.update(options)
    return ArxivApi(fake.api_url, **settings)  # type: ignore[arg-type]


def api_paper(arxiv_id: str = "2602.00780", version: int = 1, **overrides: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "authors": ["Yuting Huang", "Leilei Ding"],
        "abstract": "While VLA models hold promise, their latency hinders control.",
        "categories": ["cs.RO", "cs.AI"],
    }
    fields.update(overrides)
    return Paper(**fields)  # type: ignore[arg-type]


def ids_asked(request: Request) -> list[str]:
    """The arXiv ids a request to the API asked for."""
    return request.query["id_list"][0].split(",")
