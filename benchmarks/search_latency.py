"""Benchmark: `/search` from command to answer through Telegram over 100,000 stored papers, and
a BibTeX export of 1,000 papers.

Run with `python -m benchmarks.search_latency [--smoke]`. As `benchmarks.chat_latency`: the
service runs as deployed, `arxiv-digest serve` in its own process (Telegram by long polling),
against the fakes of `tests/fakes/` in this process. Its archive is built once, before it
starts, in a temporary SQLite file: the corpus's real papers (`benchmarks.search.real_papers`),
repeated under new ids to 100,000 (`repeats`), stored through the daily run's repository writes
(so the search index is kept as in service). Then half-remembered queries
(`benchmarks.search_queries`) are sent one after another as `/search` commands, each timed from
the queued update to the sendMessage answering it, as the fake records it. Target: p95 under
300 ms. The service runs with EMBEDDINGS=off: full text alone (no paper of this archive has a
vector, as none was ever ranked).

Export: the newest 1,000 of those papers written as BibTeX (`pipeline.archive.bibtex`), then
read back by bibtexparser; target under 1 s to build, with 0 failed blocks.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import bibtexparser

from benchmarks.chat_latency import (
    _TELEGRAM_READY,
    _percentiles,
    _Recorder,
    _service,
    _service_env,
    _TimedTelegram,
)
from benchmarks.search import real_papers, repeats
from benchmarks.search_queries import recall_queries
from domain.models import Paper
from pipeline.archive.bibtex import bibtex
from storage.db import Database
from storage.repositories import PaperRepository
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

TARGET_P95_SECONDS = 0.3
EXPORT_TARGET_SECONDS = 1.0
FULL = {"archive": 100_000, "queries": 200, "export": 1_000}
SMOKE = {"archive": 2_000, "queries": 5, "export": 100}
_CHAT = -100_900_900
_USER = 4242
_CHUNK = 5_000


async def _build(url: str, papers: list[Paper]) -> float:
    """The archive stored once; how long that took."""
    started = time.perf_counter()
    db = await Database.open(url)
    try:
        for i in range(0, len(papers), _CHUNK):
            async with db.session() as session:
                await PaperRepository(session).upsert(papers[i : i + _CHUNK])
    finally:
        await db.close()
    return time.perf_counter() - started


async def _searches(queries: list[str], workdir: Path) -> list[float]:
    recorder = _Recorder(asyncio.get_running_loop())
    with FakeArxiv() as arxiv, FakeOpenAI() as llm, _TimedTelegram() as telegram:
        telegram.recorder = recorder
        env = _service_env(
            arxiv,
            llm,
            workdir,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.base_url,
            telegram_messages_per_second="0",
            embeddings="off",
        )
        async with _service(env, workdir, _TELEGRAM_READY):
            times = []
            for query in ["warm-up", *queries]:  # the first search opens the connections
                started = time.monotonic()
                update = telegram.add_command(_CHAT, _USER, f"/search {query}")
                answered = await recorder.wait((_CHAT, update["message"]["message_id"]))
                times.append(answered - started)
    return times[1:]


def _export(papers: list[Paper]) -> dict:
    started = time.perf_counter()
    written = bibtex(papers)
    built = time.perf_counter() - started
    started = time.perf_counter()
    library = bibtexparser.parse_string(written)
    parsed = time.perf_counter() - started
    return {
        "papers": len(papers),
        "bytes": len(written.encode()),
        "build_s": built,
        "parse_s": parsed,
        "entries": len(library.entries),
        "failed_blocks": len(library.failed_blocks),
    }


def run(smoke: bool = False, sizes: dict | None = None) -> dict:
    sizes = dict(sizes or (SMOKE if smoke else FULL))
    real = real_papers()
    if not real:
        raise RuntimeError("the corpus's announcement days are not beside the checkout")
    real = real[: sizes["archive"]]
    papers = real + repeats(real, sizes["archive"])
    items = [{"id": p.arxiv_id, "title": p.title, "abstract": p.abstract} for p in real]
    queries = [q.text for q in recall_queries(items, sizes["queries"])]

    async def measure() -> dict:
        with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
            workdir = Path(folder)
            stored = await _build(f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}", papers)
            times = await _searches(queries, workdir)
        return {"store_s": stored, "search": _percentiles(times)}

    newest = sorted(real, key=lambda p: (p.announced_on, p.arxiv_id), reverse=True)
    return {"sizes": sizes, **asyncio.run(measure()), "export": _export(newest[: sizes["export"]])}


def report(result: dict) -> str:
    sizes, search, export = result["sizes"], result["search"], result["export"]
    met = "met" if search["p95"] < TARGET_P95_SECONDS else "missed"
    export_met = "met" if export["build_s"] < EXPORT_TARGET_SECONDS else "missed"
    return "\n".join(
        [
            f"/search over {sizes['archive']:,} stored papers through Telegram "
            "(`arxiv-digest serve` in its own process, SQLite FTS5, EMBEDDINGS=off, fakes on "
            f"127.0.0.1; archive stored in {result['store_s']:.0f} s), {search['n']} "
            "half-remembered queries one after another, queued update to answer:",
            f"  p50 {search['p50'] * 1000:.0f} ms, p95 {search['p95'] * 1000:.0f} ms, max "
            f"{search['max'] * 1000:.0f} ms (target p95 < {TARGET_P95_SECONDS * 1000:.0f} ms: "
            f"{met}; p95 / target {search['p95'] / TARGET_P95_SECONDS:.2f}x)",
            f"Export of {export['papers']:,} papers as BibTeX ({export['bytes'] / 1024:.0f} KiB): "
            f"built in {export['build_s'] * 1000:.0f} ms (target < "
            f"{EXPORT_TARGET_SECONDS * 1000:.0f} ms: {export_met}), read back by bibtexparser in "
            f"{export['parse_s'] * 1000:.0f} ms: {export['entries']:,} entries, "
            f"{export['failed_blocks']} failed blocks",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2,000 papers, 5 queries")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke)))


if __name__ == "__main__":
    main()
