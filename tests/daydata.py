"""The day most tests have the fakes serve: its papers, their PDFs, settings aimed at the fakes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from arxiv_digest.settings import Settings
from domain.models import AnnounceType, Paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.pdfgen import make_paper_pdf

DAY = date(2026, 2, 4)
NEXT_DAY = date(2026, 2, 5)
CATEGORIES = "cs.AI+cs.RO"


def paper(arxiv_id: str, title: str, abstract: str, **extra: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "version": 1,
        "title": title,
        "authors": ["Ada Lovelace", "Alan Turing"],
        "abstract": abstract,
        "categories": ["cs.AI"],
        "announce_type": AnnounceType.NEW,
    }
    fields.update(extra)
    return Paper(**fields)  # type: ignore[arg-type]


ECO = paper(
    "2602.00780",
    "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
    "Vision-language-action models are slow. We prune them adaptively.",
)
NETVLAD = paper(
    "2602.00781",
    "NetVLAD Descriptors Revisited",
    "We revisit NetVLAD and VLAD pooling for place recognition.",
)
CROSS = paper(
    "2602.00782",
    "Scaling VLAs with Web Data",
    "We scale robot policies with web data.",
    categories=["cs.RO", "cs.AI"],
    announce_type=AnnounceType.CROSS,
)
SURVEY = paper(
    "2601.11111",
    "A Survey of Vision Language Action Policies",
    "We survey policies for robots.",
    version=2,
    announce_type=AnnounceType.REPLACE,
)


def method_pdf(title: str, code_url: str | None = None) -> bytes:
    return make_paper_pdf(
        [
            ("Abstract", "We study pruning for robot policies."),
            ("1 Introduction", "Robots need fast policies. " * 20),
            ("3 Method", "Our method predicts sparsity from the environment. " * 30),
            ("4 Experiments", "On LIBERO we reach a 1.6x speed-up at 0.4% loss. " * 30),
            ("5 Conclusion", "Adaptive pruning works."),
            ("References", "[1] A. Author. A paper. 2020."),
        ],
        title=title,
        code_url=code_url,
    )


def make_settings(
    arxiv: FakeArxiv, llm: FakeOpenAI | None, database_url: str, tmp_path: Path, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "reports_dir": tmp_path / "reports",
        "arxiv_rss_url": arxiv.rss_url,
        "arxiv_api_url": arxiv.api_url,
        "arxiv_pdf_url": arxiv.pdf_url,
        "arxiv_api_delay_seconds": 0.01,
        "digest_categories": CATEGORIES.split("+"),
        "digest_keywords": ["VLA", "vision language action"],
        "llm_timeout_seconds": 5,
        "llm_max_retries": 1,
    }
    if llm is not None:
        values |= {"openai_base_url": llm.base_url, "openai_api_key": "sk-test", "llm_model": "m"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def serve_day(arxiv: FakeArxiv, day: date, papers: list[Paper]) -> None:
    arxiv.feeds[CATEGORIES] = (day, papers)


async def spend_some_tokens_today(settings: Settings) -> int:
    """One analysis through the real LLM client: its tokens are stored as spent today."""
    from arxiv_digest.wiring import digest_options, open_digest  # slow to import: when needed

    async with open_digest(settings, digest_options(settings)) as digest:
        entry = (await digest.summarize(NETVLAD.arxiv_id)).entry
        assert entry.analysis is not None
        return await digest.budget.used_today(digest.db)  # type: ignore[union-attr]
