"""Benchmark: which papers a question across the archive sends to the model, on real papers.

Run with `python -m benchmarks.qa_archive [--smoke]`. The corpus's announcement days (23,874
real papers, abstracts only: no PDF is read) are stored in a SQLite archive with their TF-IDF
vectors, as the daily run stores them. Each question is a half-remembered claim of one paper
(`benchmarks/search_queries.py` builds the words), asked as a person asks the archive ("What
have we seen on … ?"). Measured, through the same code `Digest.ask_archive` runs up to the
model: how often the paper is among the papers sent to the model within QA_INPUT_TOKEN_BUDGET
(target 90%), how often the archive is said to hold nothing, and the time to gather and build
the prompt (p50, p95).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.search import real_papers
from benchmarks.search_queries import recall_queries
from domain.models import Paper
from pipeline.archive.search import ArchiveSearch
from pipeline.archive.vectors import ArchiveVectors
from pipeline.qa.archive_prompt import build_archive_prompt
from pipeline.qa.archive_sources import PAPERS, ArchiveSources
from pipeline.qa.asking import DEFAULT_INPUT_TOKEN_BUDGET
from pipeline.qa.retrieval import Retriever
from pipeline.relevance.store import VectorStore
from storage.db import Database
from storage.repositories import PaperRepository

QUESTIONS = 200
TARGET = 0.9


@dataclass(frozen=True, slots=True)
class ArchiveAskResult:
    papers: int
    questions: int
    sent_share: float  # the paper is among the papers sent to the model
    found_share: float  # the paper is among those gathered, before the input budget
    nothing_share: float  # "the archive holds nothing on it"
    p50_ms: float
    p95_ms: float


async def _store(db: Database, papers: Sequence[Paper], chunk: int = 5_000) -> None:
    for i in range(0, len(papers), chunk):
        async with db.session() as session:
            await PaperRepository(session).upsert(papers[i : i + chunk])
            await session.commit()


async def measure(url: str, *, smoke: bool = False) -> ArchiveAskResult:
    papers = real_papers(2_000 if smoke else None)
    items = [{"id": p.arxiv_id, "title": p.title, "abstract": p.abstract} for p in papers]
    queries = recall_queries(items, 30 if smoke else QUESTIONS)
    db = await Database.open(url)
    try:
        await _store(db, papers)
        store = VectorStore(db)
        await store.ensure(papers)
        search = ArchiveSearch(db, ArchiveVectors(db, store))
        sources = ArchiveSources(db, search, Retriever(store.embedder, cached=2))
        sent = found = nothing = 0
        times = []
        for query in queries:
            question = f"What have we seen on {query.text}?"
            start = time.perf_counter()
            gathered = await sources.gather(question)
            prompt = build_archive_prompt(
                question,
                "en",
                passages=gathered.passages,
                ranking=gathered.ranking,
                budget=DEFAULT_INPUT_TOKEN_BUDGET,
            )
            times.append(1000 * (time.perf_counter() - start))
            gathered_ids = {p.paper.arxiv_id for p in gathered.passages}
            sent_ids = {gathered.passages[i].paper.arxiv_id for i in prompt.sent}
            found += query.arxiv_id in gathered_ids
            sent += query.arxiv_id in sent_ids
            nothing += not gathered.passages
    finally:
        await db.close()
    count = len(queries)
    return ArchiveAskResult(
        papers=len(papers),
        questions=count,
        sent_share=sent / count,
        found_share=found / count,
        nothing_share=nothing / count,
        p50_ms=statistics.median(times),
        p95_ms=float(np.percentile(times, 95)),
    )


async def run(*, smoke: bool = False) -> ArchiveAskResult:
    with tempfile.TemporaryDirectory() as folder:
        return await measure(f"sqlite+aiosqlite:///{Path(folder) / 'archive.sqlite3'}", smoke=smoke)


def report(result: ArchiveAskResult) -> str:
    return "\n".join(
        [
            f"Questions across an archive of {result.papers:,} real papers (abstracts only), "
            f"{result.questions} half-remembered claims asked as questions, up to {PAPERS} papers "
            f"a question, {DEFAULT_INPUT_TOKEN_BUDGET} input tokens:",
            "",
            f"- the paper among those sent to the model: {result.sent_share:.0%} "
            f"(target {TARGET:.0%}; among those gathered: {result.found_share:.0%})",
            f"- answered 'the archive holds nothing on it': {result.nothing_share:.0%}",
            f"- gathering and the prompt: p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 papers, 30 questions")
    args = parser.parse_args()
    print(report(asyncio.run(run(smoke=args.smoke))))


if __name__ == "__main__":
    main()
