"""Sample papers, analyses, entries and reports for the renderers' tests; override any field."""

from __future__ import annotations

from datetime import date

from domain.models import AnnounceType, Paper, PaperAnalysis
from domain.statuses import AnalysisSource, ReportStatus
from pipeline.report import DailyReport, PaperEntry


def sample_paper(**overrides: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": "2602.00780",
        "version": 2,
        "title": "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "authors": ["Yuting Huang", "Leilei Ding"],
        "abstract": "While VLA models hold promise,\n their latency hinders real-time control.",
        "categories": ["cs.AI", "cs.RO"],
        "announce_type": AnnounceType.NEW,
        "announced_on": date(2026, 2, 4),
    }
    fields.update(overrides)
    return Paper(**fields)  # type: ignore[arg-type]


def sample_analysis(**overrides: object) -> PaperAnalysis:
    fields: dict[str, object] = {
        "summary": "EcoVLA prunes channels adaptively.",
        "motivation": "Static pruning cannot follow a changing environment.",
        "contributions": ["A training-free pruning framework.", "An inference scheduler."],
        "method": "EAP predicts sparsity changes.",
        "experiments": "Up to 1.60x speed-up with a 0.4% drop in success rate.",
    }
    fields.update(overrides)
    return PaperAnalysis(**fields)  # type: ignore[arg-type]


def sample_entry(paper: Paper | None = None, **overrides: object) -> PaperEntry:
    fields: dict[str, object] = {
        "paper": paper or sample_paper(),
        "matched_keywords": ["VLA"],
        "code_links": ["https://github.com/OpenGVLab/EcoVLA"],
        "analysis": sample_analysis(),
        "source": AnalysisSource.FULL_TEXT,
    }
    fields.update(overrides)
    return PaperEntry(**fields)  # type: ignore[arg-type]


def sample_report(entries: list[PaperEntry] | None = None, **overrides: object) -> DailyReport:
    fields: dict[str, object] = {
        "report_date": date(2026, 2, 4),
        "categories": ["cs.AI", "cs.RO"],
        "keywords": ["VLA", "vision language action"],
        "status": ReportStatus.COMPLETE,
        "entries": [sample_entry()] if entries is None else entries,
        "announced_count": 812,
        "model": "gpt-test",
    }
    fields.update(overrides)
    return DailyReport(**fields)  # type: ignore[arg-type]


def thread_entry(paper: Paper, **overrides: object) -> PaperEntry:
    """A paper as a day's thread carries it; its summary names the paper, to find it again."""
    fields: dict[str, object] = {
        "paper": paper,
        "matched_keywords": ["VLA"],
        "analysis": sample_analysis(
            summary=f"A summary of {paper.title}.",
            motivation="Robots are slow.",
            contributions=["One thing.", "Another."],
            method="A method.",
            experiments="It works.",
        ),
        "source": AnalysisSource.FULL_TEXT,
    }
    fields.update(overrides)
    return PaperEntry(**fields)  # type: ignore[arg-type]


def thread_report(entries: list[PaperEntry], language: str = "en") -> DailyReport:
    """A complete day of `entries`, as the posters receive it."""
    return DailyReport(
        report_date=date(2026, 2, 4),
        categories=["cs.AI"],
        keywords=["VLA"],
        status=ReportStatus.COMPLETE,
        entries=entries,
        announced_count=10,
        model="m",
        language=language,
    )
