"""A stored day's report rebuilt from the database alone: what `report <date>` shows in chat.

Nothing is fetched, written or analysed: each paper gets what the day's run stored for it
(its extraction's code links, its analysis in the wanted language) and the notes that go with
what is missing.
"""

from __future__ import annotations

from datetime import date

from domain.messages import text
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


def fallback_note(reason: str, language: str, *, analysed: bool) -> str:
    """Why a paper has no full text, and what its analysis was made from instead.

    `reason` is the PDF's fault as found (an empty one: it could not be read), not translated.
    """
    reason = reason.rstrip(".") or text("note.pdf_unreadable", language)
    key = "note.full_text_unavailable_analysed" if analysed else "note.full_text_unavailable"
    return text(key, language, reason=reason)


def empty_note(
    categories: list[str], announced: int, keywords: list[str], scope: str, language: str
) -> str:
    """What a report without papers says about its day."""
    if not announced:
        return text("note.none_announced", language, categories=", ".join(categories))
    if not keywords:
        if scope == DEFAULT_SCOPE:
            return text("note.no_keywords_configured", language)
        return text("note.no_keywords_here", language)
    return text("note.nothing_matched", language)


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
        entry = PaperEntry(paper=paper, matched_keywords=list(placed.matched_keywords))
        if placed.mention is Mention.UPDATED:
            report.updated.append(paper)
        elif placed.mention is Mention.CAPPED:
            report.capped.append(entry)  # listed by title and link: never analysed
        else:
            if placed.mention is Mention.SUGGESTED:
                entry.kind, entry.reason = Mention.SUGGESTED, placed.reason
            await _fill(db, entry, model, language, prompt_version)
            report.entries.append(entry)
    if not report.entries and not report.updated and not report.capped:
        report.note = empty_note(
            report.categories, len(of_the_day), report.keywords, scope, language
        )
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
        reason = extraction.reason or ""
        entry.notes.append(fallback_note(reason, language, analysed=model is not None))
    entry.code_links = find_code_links(paper.abstract, paper.comments or "", front)
    if model is None:
        entry.notes.append(text("note.no_llm", language))
    elif stored is not None and stored.analysis is not None:
        entry.analysis, entry.source = stored.analysis, stored.source
    elif stored is not None:
        entry.notes.append(stored.error or text("note.analysis_failed", language))
