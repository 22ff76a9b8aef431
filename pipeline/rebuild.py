"""A stored day's report rebuilt from the database alone: what `report <date>` shows in chat.

Nothing is fetched, written or analysed: each paper gets what the day's run stored for it
(its extraction's code links, its analysis in the wanted language) and the notes that go with
what is missing.
"""

from __future__ import annotations

from datetime import date

from domain.models import Paper
from domain.statuses import ExtractionStatus, Mention
from pipeline.codelinks import find_code_links
from pipeline.pdf import FullText
from pipeline.report import DailyReport, PaperEntry
from storage.db import Database
from storage.repositories import (
    DEFAULT_SCOPE,
    AnalysisRepository,
    ExtractionRepository,
    PaperRepository,
    ReportRepository,
)

NO_LLM_NOTE = (
    "No analysis: no LLM is configured (set LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY)."
)


def fallback_note(reason: str, *, analysed: bool) -> str:
    """Why a paper has no full text, and what its analysis was made from instead."""
    note = f"Full text unavailable: {reason.rstrip('.')}."
    return note[:-1] + "; analysed from the abstract only." if analysed else note


def empty_note(categories: list[str], announced: int, keywords: list[str], scope: str) -> str:
    """What a report without papers says about its day."""
    if not announced:
        return f"arXiv announced no papers in {', '.join(categories)} on this day."
    if not keywords:
        if scope == DEFAULT_SCOPE:
            return "No keywords are configured (DIGEST_KEYWORDS or --keywords): no paper can match."
        return "No keywords are set here: no paper can match."
    return "No paper of the day matched the keywords."


async def rebuild_report(
    db: Database,
    day: date | None,
    scope: str,
    *,
    model: str | None,
    language: str,
    prompt_version: str,
) -> DailyReport | None:
    """The report of `day` (the latest when None) in `scope`, or None if none was stored.

    `model` is the analysing model whose stored analyses to show (None: no LLM configured).
    """
    async with db.session() as session:
        reports = ReportRepository(session)
        stored = await (reports.latest(scope) if day is None else reports.get(day, scope))
        if stored is None:
            return None
        announced = await PaperRepository(session).announced_on(stored.report_date)
    wanted = set(stored.categories)
    of_the_day = {p.arxiv_id: p for p in announced if wanted.intersection(p.categories)}
    report = DailyReport(
        report_date=stored.report_date,
        categories=list(stored.categories),
        keywords=list(stored.keywords),
        status=stored.status,
        announced_count=len(of_the_day),
        model=model,
        language=language,
    )
    for placed in stored.papers:
        paper = await _paper(db, placed.arxiv_id, placed.version, of_the_day)
        if paper is None:
            continue
        if placed.mention is Mention.UPDATED:
            report.updated.append(paper)
        else:
            entry = PaperEntry(paper=paper, matched_keywords=list(placed.matched_keywords))
            await _fill(db, entry, model, language, prompt_version)
            report.entries.append(entry)
    if not report.entries and not report.updated:
        report.note = empty_note(report.categories, len(of_the_day), report.keywords, scope)
    return report


async def _paper(
    db: Database, arxiv_id: str, version: int, of_the_day: dict[str, Paper]
) -> Paper | None:
    """The paper as the day announced it, else as last stored, at the version reported."""
    paper = of_the_day.get(arxiv_id)
    if paper is None:
        async with db.session() as session:
            paper = await PaperRepository(session).get(arxiv_id)
    if paper is None:
        return None
    paper.version = version
    return paper


async def _fill(
    db: Database, entry: PaperEntry, model: str | None, language: str, prompt_version: str
) -> None:
    paper = entry.paper
    async with db.session() as session:
        extraction = await ExtractionRepository(session).get(paper.arxiv_id, paper.version)
        stored = (
            None
            if model is None
            else await AnalysisRepository(session).get(
                paper.arxiv_id, paper.version, model, language, prompt_version
            )
        )
    front = ""
    if (
        extraction is not None
        and extraction.status is ExtractionStatus.OK
        and extraction.content is not None
    ):
        front = FullText.from_json(extraction.content).front_text
    elif extraction is not None:
        reason = extraction.reason or "the PDF could not be read"
        entry.notes.append(fallback_note(reason, analysed=model is not None))
    entry.code_links = find_code_links(paper.abstract, paper.comments or "", front)
    if model is None:
        entry.notes.append(NO_LLM_NOTE)
    elif stored is not None and stored.analysis is not None:
        entry.analysis, entry.source = stored.analysis, stored.source
    elif stored is not None:
        entry.notes.append(stored.error or "The analysis failed; showing the abstract only.")
