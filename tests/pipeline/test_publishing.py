"""A finished report is kept: its rows in the database, its Markdown file for the default report."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from domain.statuses import Mention, ReportStatus
from pipeline.options import DigestOptions
from pipeline.publishing import publish_report
from pipeline.rebuild import rebuild_report
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.papers import PaperRepository
from storage.redaction import Redactor
from storage.reports import ReportRepository
from tests.daydata import CROSS, DAY, ECO, NETVLAD, SURVEY, paper

LOW = paper("2602.00790", "A Low-Ranked VLA Benchmark", "We benchmark VLA models.")


def a_report() -> DailyReport:
    return DailyReport(
        report_date=DAY,
        categories=["cs.AI", "cs.RO"],
        keywords=["VLA"],
        status=ReportStatus.COMPLETE,
        entries=[PaperEntry(ECO, ["VLA"]), PaperEntry(CROSS, ["VLA"])],
        updated=[SURVEY],
        announced_count=3,
    )


async def test_a_chats_report_is_kept_in_the_database_only_with_its_papers_in_order(
    database: Database, tmp_path: Path
) -> None:
    options = DigestOptions(
        ["cs.AI"],
        ["VLA"],
        reports_dir=tmp_path / "reports",
        scope="slack:C1",
        write_markdown=False,
    )

    path = await publish_report(database, a_report(), options)

    assert path is None and not options.reports_dir.exists()
    async with database.session() as session:
        stored = await ReportRepository(session).get(DAY, "slack:C1")
    assert stored is not None and stored.status == ReportStatus.COMPLETE
    assert [(p.arxiv_id, p.position, p.mention) for p in stored.papers] == [
        (ECO.arxiv_id, 0, "full"),
        (CROSS.arxiv_id, 1, "full"),
        (SURVEY.arxiv_id, 2, "updated"),
    ]
    assert stored.papers[0].matched_keywords == ("VLA",) and ECO.title in stored.markdown


async def test_the_default_report_is_written_whole_and_readable_by_anyone(
    database: Database, tmp_path: Path
) -> None:
    options = DigestOptions(["cs.AI"], ["VLA"], reports_dir=tmp_path / "reports")
    report = a_report()
    await publish_report(database, report, options)
    report.entries = report.entries[:1]

    path = await publish_report(database, report, options)

    assert path == tmp_path / "reports" / "2026-02-04.md"
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    text = path.read_text()
    assert ECO.title in text and CROSS.title not in text  # replaced, not appended to


async def test_a_configured_secret_in_the_report_never_reaches_its_file_or_rows(
    database_url: str, tmp_path: Path
) -> None:
    key = "sk-publish-test-5e7a1c"
    db = await Database.open(database_url, Redactor([key]))
    report = a_report()
    report.entries[0].notes.append(f"The model endpoint refused the key {key}")
    options = DigestOptions(["cs.AI"], ["VLA"], reports_dir=tmp_path / "reports")
    try:
        path = await publish_report(db, report, options)
        async with db.session() as session:
            stored = await ReportRepository(session).get(DAY, options.scope)
    finally:
        await db.close()

    assert path is not None and "refused the key ***" in path.read_text()
    assert stored is not None and key not in stored.markdown and key not in path.read_text()


@pytest.mark.parametrize("status", [ReportStatus.STALE, ReportStatus.ANALYSING])
async def test_a_report_not_yet_settled_is_neither_stored_nor_written(
    database: Database, tmp_path: Path, status: ReportStatus
) -> None:
    options = DigestOptions(["cs.AI"], ["VLA"], reports_dir=tmp_path / "reports")
    report = a_report()
    report.status = status

    with pytest.raises(ValueError, match="settled"):
        await publish_report(database, report, options)

    assert not options.reports_dir.exists()
    async with database.session() as session:
        assert await ReportRepository(session).get(DAY, options.scope) is None


async def test_suggested_and_capped_papers_are_stored_in_place_and_rebuilt_as_they_were(
    database: Database, tmp_path: Path
) -> None:
    report = a_report()
    suggested = PaperEntry(NETVLAD, [], kind=Mention.SUGGESTED, reason="Close to “EcoVLA”")
    report.entries.append(suggested)
    report.capped = [PaperEntry(LOW, ["VLA"])]
    report.tokens_saved = 4200
    async with database.session() as session:
        papers = PaperRepository(session)
        await papers.upsert([ECO, CROSS, NETVLAD, LOW, SURVEY])
        await papers.record_announcements(DAY, [ECO, CROSS, NETVLAD, LOW])
        await session.commit()
    options = DigestOptions(["cs.AI"], ["VLA"], reports_dir=tmp_path, write_markdown=False)

    await publish_report(database, report, options)
    rebuilt = await rebuild_report(
        database, DAY, options.scope, model=None, language="en", prompt_version="v1"
    )

    async with database.session() as session:
        stored = await ReportRepository(session).get(DAY, options.scope)
    assert stored is not None
    assert [(p.arxiv_id, p.position, p.mention) for p in stored.papers] == [
        (ECO.arxiv_id, 0, Mention.FULL),
        (CROSS.arxiv_id, 1, Mention.FULL),
        (NETVLAD.arxiv_id, 2, Mention.SUGGESTED),
        (LOW.arxiv_id, 3, Mention.CAPPED),
        (SURVEY.arxiv_id, 4, Mention.UPDATED),
    ]
    assert rebuilt is not None
    assert [(e.paper.arxiv_id, e.kind, e.reason) for e in rebuilt.entries] == [
        (ECO.arxiv_id, Mention.FULL, None),
        (CROSS.arxiv_id, Mention.FULL, None),
        (NETVLAD.arxiv_id, Mention.SUGGESTED, "Close to “EcoVLA”"),
    ]
    (capped,) = rebuilt.capped
    assert (capped.paper.arxiv_id, capped.matched_keywords, capped.analysis) == (
        LOW.arxiv_id,
        ["VLA"],
        None,
    )
    assert [p.arxiv_id for p in rebuilt.updated] == [SURVEY.arxiv_id]
