"""A finished day's report, kept: its Markdown file (for the default report) and its rows.

The rows say which papers the report placed where, so `report <date>` in chat and a rerun's
"reported before" both read the day as it was built.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from domain.statuses import Mention, ReportStatus
from pipeline.markdown import render_report
from pipeline.options import DigestOptions
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.repositories import ReportPaper, ReportRepository

# A report is stored once settled: a stale day is never stored, nor one still analysing.
_STORED_STATUSES = frozenset({ReportStatus.COMPLETE, ReportStatus.PARTIAL, ReportStatus.EMPTY})


async def publish_report(db: Database, report: DailyReport, options: DigestOptions) -> Path | None:
    """Store the report in its scope; returns where the Markdown went (None: database only)."""
    if report.status not in _STORED_STATUSES:
        raise ValueError(f"only a settled report is stored, not a {report.status} one")
    markdown = db.redact(render_report(report))  # a file leaves the process: no secret in it
    path = None
    if options.write_markdown:
        path = options.reports_dir / f"{report.report_date.isoformat()}.md"
        await asyncio.to_thread(_write_text, path, markdown)
    async with db.session() as session:
        await ReportRepository(session).save(
            report.report_date,
            options.scope,
            categories=report.categories,
            keywords=report.keywords,
            status=report.status,
            markdown=markdown,
            papers=report_rows(report),
        )
        await session.commit()
    return path


def report_rows(report: DailyReport) -> list[ReportPaper]:
    """The report's papers in order: each ranked entry in full (matched or suggested), then
    the capped ones (listed only), then the updated ones."""
    rows = [
        ReportPaper(e.paper.arxiv_id, e.paper.version, i, e.matched_keywords, _mention(e), e.reason)
        for i, e in enumerate(report.entries)
    ]
    rows += [
        ReportPaper(
            e.paper.arxiv_id, e.paper.version, len(rows) + i, e.matched_keywords, Mention.CAPPED
        )
        for i, e in enumerate(report.capped)
    ]
    rows += [
        ReportPaper(p.arxiv_id, p.version, len(rows) + i, [], Mention.UPDATED)
        for i, p in enumerate(report.updated)
    ]
    return rows


def _mention(entry: PaperEntry) -> Mention:
    return Mention.SUGGESTED if entry.kind is Mention.SUGGESTED else Mention.FULL


def _write_text(path: Path, text: str) -> None:
    """Written whole or not at all; a temporary file of its own, so two processes writing the
    same day's report at once each replace it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)  # as any report: the temporary file is created private
    Path(tmp.name).replace(path)
