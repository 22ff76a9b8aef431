"""Benchmark: `search` over an archive of 100,000 stored papers, on SQLite and PostgreSQL.

Run with `python -m benchmarks.search [--smoke] [--postgres URL]`. The 23,874 real papers of the
corpus's announcement days are stored, then repeated under new ids until the archive holds
100,000, through the same repository writes the daily run uses (so the triggers index them as
they would in service). Measured:
- quality, on the real papers alone (repeats would tie with their originals): for 300
  half-remembered queries (`benchmarks/search_queries.py` says how they are built), how often
  the paper is in the top 3 (target 90%), by the database's full-text search, by TF-IDF vectors
  (the relevance embedder), and by the two fused (reciprocal rank fusion);
- speed, on the 100,000: each query's time at the storage layer, p50 and p95 (target 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import URL, make_url, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from benchmarks.search_queries import RecallQuery, recall_queries
from domain.models import Paper
from pipeline.archive.search import ArchiveSearch
from pipeline.archive.vectors import ArchiveVectors
from pipeline.fusion import fuse
from pipeline.relevance.embedders import TfidfEmbedder
from pipeline.relevance.store import VectorStore
from pipeline.relevance.vectors import paper_text
from storage.db import Database
from storage.repositories import PaperRepository
from storage.search import SearchRepository, search_terms

ARCHIVE = 100_000
QUERIES = 300
TOP = 3
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/arxiv_digest_bench"


@dataclass(frozen=True, slots=True)
class EngineResult:
    engine: str
    papers: int
    store_seconds: float
    lexical_top: float  # share of queries whose paper is in the top 3
    vector_top: float
    fused_top: float
    p50_ms: float
    p95_ms: float
    # `ArchiveSearch` as the chat runs it by default: full text fused with TF-IDF vectors.
    fused_first_ms: float  # the first search, which reads every stored vector
    fused_p50_ms: float
    fused_p95_ms: float
    vectors_mb: float  # what holding the archive's vectors added to the process


def real_papers(limit: int | None = None) -> list[Paper]:
    """Every paper of the corpus's days once (its first announcement), as stored."""
    from tests.realdays import DAYS, read_day

    papers: dict[str, Paper] = {}
    for path in sorted(DAYS.glob("*.jsonl.gz")) if DAYS.is_dir() else []:
        for paper in read_day(path):
            papers.setdefault(paper.arxiv_id, paper)
            if limit and len(papers) == limit:
                return list(papers.values())
    return list(papers.values())


def repeats(papers: Sequence[Paper], total: int) -> list[Paper]:
    """Copies under new ids ("2603.12852r1") until there are `total` papers in all."""
    copies, round_ = [], 1
    while len(papers) + len(copies) < total:
        for paper in papers[: total - len(papers) - len(copies)]:
            copies.append(replace(paper, arxiv_id=f"{paper.arxiv_id}r{round_}"))
        round_ += 1
    return copies


async def _store(db: Database, papers: Sequence[Paper], chunk: int = 5_000) -> float:
    start = time.perf_counter()
    for i in range(0, len(papers), chunk):
        async with db.session() as session:
            await PaperRepository(session).upsert(papers[i : i + chunk])
            await session.commit()
    return time.perf_counter() - start


async def _lexical(db: Database, queries: Sequence[RecallQuery], k: int) -> list[list[str]]:
    found = []
    async with db.session() as session:
        repository = SearchRepository(session)
        for query in queries:
            hits = await repository.find(search_terms(query.text), limit=k)
            found.append([hit.arxiv_id for hit in hits])
    return found


def _vector(papers: Sequence[Paper], queries: Sequence[RecallQuery], k: int) -> list[list[str]]:
    texts = [paper_text(p.title, p.abstract) for p in papers]
    embedder = TfidfEmbedder(texts)
    matrix = embedder.embed_now(texts)
    asked = embedder.embed_now([q.text for q in queries])
    scores = (asked @ matrix.T).toarray()  # both sparse, rows unit-length: cosines
    best = np.argsort(-scores, axis=1)[:, :k]
    return [[papers[i].arxiv_id for i in row] for row in best]


def _top_share(queries: Sequence[RecallQuery], found: Sequence[Sequence[str]]) -> float:
    hits = sum(q.arxiv_id in f[:TOP] for q, f in zip(queries, found, strict=True))
    return hits / len(queries)


async def _timings(db: Database, queries: Sequence[RecallQuery]) -> list[float]:
    times = []
    async with db.session() as session:
        repository = SearchRepository(session)
        for query in queries:
            start = time.perf_counter()
            await repository.find(search_terms(query.text))
            times.append(1000 * (time.perf_counter() - start))
    return times


async def measure(url: str, engine: str, *, smoke: bool = False) -> EngineResult:
    papers = real_papers(2_000 if smoke else None)
    queries = recall_queries([_item(p) for p in papers], 30 if smoke else QUERIES)
    db = await Database.open(url)
    try:
        stored = await _store(db, papers)
        lexical = await _lexical(db, queries, 50)
        vector = _vector(papers, queries, 50)
        fused = [fuse([a, b]) for a, b in zip(lexical, vector, strict=True)]
        total = 5_000 if smoke else ARCHIVE
        stored += await _store(db, repeats(papers, total))
        times = await _timings(db, queries)
        fused_times, held_mb = await _fused_timings(db, [*papers, *repeats(papers, total)], queries)
    finally:
        await db.close()
    return EngineResult(
        engine=engine,
        papers=total,
        store_seconds=stored,
        lexical_top=_top_share(queries, lexical),
        vector_top=_top_share(queries, vector),
        fused_top=_top_share(queries, fused),
        p50_ms=statistics.median(times),
        p95_ms=float(np.percentile(times, 95)),
        fused_first_ms=fused_times[0],
        fused_p50_ms=statistics.median(fused_times[1:]),
        fused_p95_ms=float(np.percentile(fused_times[1:], 95)),
        vectors_mb=held_mb,
    )


async def _fused_timings(
    db: Database, papers: Sequence[Paper], queries: Sequence[RecallQuery]
) -> tuple[list[float], float]:
    """Every paper's TF-IDF vector stored, as the daily runs store them; then each query
    through `ArchiveSearch` with the vectors held in memory, the first read included."""
    store = VectorStore(db)
    for i in range(0, len(papers), 5_000):
        await store.ensure(papers[i : i + 5_000])
    archive = ArchiveSearch(db, ArchiveVectors(db, store))
    before = _resident_mb()
    times = []
    for query in [queries[0], *queries]:
        start = time.perf_counter()
        await archive.search(query.text)
        times.append(1000 * (time.perf_counter() - start))
    return times, _resident_mb() - before


def _resident_mb() -> float:
    """The process's resident memory now (Linux), 0 where /proc is not there."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def _item(paper: Paper) -> dict:
    return {"id": paper.arxiv_id, "title": paper.title, "abstract": paper.abstract}


async def _fresh_postgres(url: str) -> None:
    """An empty database of its own, made if missing: the benchmark touches no one's data."""
    target = make_url(url)
    server = create_async_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    try:
        async with server.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
            await connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await server.dispose()


async def run(
    *, smoke: bool = False, postgres: str | None = DEFAULT_POSTGRES
) -> list[EngineResult]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        sqlite = f"sqlite+aiosqlite:///{Path(folder) / 'archive.sqlite3'}"
        results.append(await measure(sqlite, "SQLite FTS5", smoke=smoke))
    if postgres and _answers(make_url(postgres)):
        await _fresh_postgres(postgres)
        results.append(await measure(postgres, "PostgreSQL tsvector", smoke=smoke))
    return results


def _answers(url: URL) -> bool:
    """Whether a PostgreSQL server listens there (the report then leaves its row out)."""
    try:
        socket.create_connection((url.host or "127.0.0.1", url.port or 5432), 2).close()
    except OSError:
        return False
    return True


def report(results: Sequence[EngineResult]) -> str:
    lines = [
        f"Half-remembered queries ({QUERIES}), paper in the top {TOP}, and time per search "
        "at the storage layer:",
        "",
        "| engine | papers | full-text | TF-IDF vectors | fused | p50 | p95 (target 100 ms) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.engine} | {r.papers:,} | {r.lexical_top:.0%} | {r.vector_top:.0%} | "
            f"{r.fused_top:.0%} | {r.p50_ms:.1f} ms | {r.p95_ms:.1f} ms "
            f"({r.p95_ms / 100:.2f}× the target) |"
        )
    lines += [
        "",
        "`search` as the chat runs it (full text fused with TF-IDF vectors held in memory):",
        "",
        "| engine | first search (reads the vectors) | p50 | p95 (target 100 ms) | vectors held |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r.engine} | {r.fused_first_ms:.0f} ms | {r.fused_p50_ms:.1f} ms | "
            f"{r.fused_p95_ms:.1f} ms ({r.fused_p95_ms / 100:.2f}× the target) | "
            f"{r.vectors_mb:.0f} MB |"
        )
    lines.append("")
    lines.append(
        "Storing the archive (triggers indexing every paper): "
        + ", ".join(f"{r.engine} {r.store_seconds:.0f} s" for r in results)
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 papers, 30 queries")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="'' to skip PostgreSQL")
    args = parser.parse_args()
    print(report(asyncio.run(run(smoke=args.smoke, postgres=args.postgres or None))))


if __name__ == "__main__":
    main()
