"""Peak memory of a day's ranking work, measured in a process of its own.

Run by `benchmarks.ranking`; by hand `python -m benchmarks.ranking_memory [--papers N]
[--owners N] [--embedder tfidf|local] [--days DIR]` prints one line of JSON. The child reads the
real days, then does what a day run does for ranking: the embedder (for TF-IDF, its IDF fitted on
the days before), the day's vectors, a taste model per owner, every owner's scores and orders.
Its own peak resident set is read twice: once the interpreter, its imports and the papers' texts
are in, and at the end. A process of its own, since a peak never goes down and the benchmark's
parent holds every method's vectors. The child reads its peak itself (`VmHWM`): `ru_maxrss`,
its own or the parent's `RUSAGE_CHILDREN`, counts the parent's size at the spawn too, and the
latter is the largest of all children waited for, whichever ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.ranking_readers import DAYS, load_days
from pipeline.relevance import (
    Embedder,
    TfidfEmbedder,
    best_first,
    learn_taste,
    paper_text,
    pick_negatives,
    score_owners,
)
from pipeline.relevance.vectors import take

TARGET_MB = 400  # the day run's target for the whole digest process
HISTORY_DAYS = 20
VOTES = 10
_SEED = 20261204


def _peak_mb() -> float:
    """This process's own peak: `VmHWM`, since `ru_maxrss` starts at the parent's size.

    A child made by fork (or vfork) and exec inherits in its `ru_maxrss` the high-water mark of
    the parent's memory it replaced, so a 300 MB parent makes every child at least 300 MB.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _embedder(kind: str, history: list[str]) -> Embedder:
    if kind == "local":
        from pipeline.relevance.local import LocalEmbedder

        return LocalEmbedder()
    return TfidfEmbedder(history)


def _day_and_history(papers: int, days_dir: Path) -> tuple[list[str], list[str]]:
    """The last `papers` papers of the folder as the day, the 20 days before them as history."""
    days = [
        [paper_text(p["title"], p["abstract"]) for p in day]
        for _, day in load_days(days_dir, last=HISTORY_DAYS + 10)
    ]
    day: list[str] = []
    while days and len(day) < papers:
        day = days.pop() + day
    history = [text for texts in days[-HISTORY_DAYS:] for text in texts] or day
    return (day * (papers // max(1, len(day)) + 1))[-papers:], history


def rank_a_day(papers: int, owners: int, kind: str, days_dir: Path) -> dict:
    """The day's ranking work in this process; its peak memory before and after it."""
    day, history = _day_and_history(papers, days_dir)
    before = _peak_mb()
    embedder = _embedder(kind, history)
    vectors = asyncio.run(embedder.embed(day))
    rng = random.Random(_SEED)
    models = []
    for owner in range(owners):
        voted = random.Random(owner).sample(range(papers), 2 * VOTES)
        extra = pick_negatives(papers, voted, seed=owner)
        ups, downs = take(vectors, voted[:VOTES]), take(vectors, voted[VOTES:])
        models.append(learn_taste(ups, downs, take(vectors, extra)))
    counts = np.array([[rng.choice((0, 0, 0, 1, 2)) for _ in models] for _ in range(papers)])
    orders = best_first(score_owners(vectors, counts, models))
    return {
        "embedder": embedder.name,
        "papers": papers,
        "owners": int(orders.shape[1]),
        "before_mb": before,
        "peak_mb": _peak_mb(),
        "target_mb": TARGET_MB,
    }


def measure(papers: int, owners: int, kind: str = "tfidf", days_dir: Path = DAYS) -> dict:
    """`rank_a_day` in a fresh interpreter; what it printed, or why it failed."""
    command = [sys.executable, "-m", "benchmarks.ranking_memory", "--papers", str(papers)]
    command += ["--owners", str(owners), "--embedder", kind, "--days", str(days_dir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"embedder": kind, "failed": done.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report_line(result: dict) -> str:
    if "failed" in result:
        return f"peak memory with {result['embedder']}: failed ({result['failed']})"
    peak, target = result["peak_mb"], result["target_mb"]
    return (
        f"peak RSS of a process ranking {result['papers']} papers for {result['owners']} owners "
        f"with {result['embedder']} (vectors, models, scores): {peak:.0f} MB, of which "
        f"{result['before_mb']:.0f} MB interpreter, imports and texts; "
        f"{peak / target:.2f} of the {target} MB target ({'met' if peak < target else 'missed'})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=2_000)
    parser.add_argument("--owners", type=int, default=220)
    parser.add_argument("--embedder", choices=("tfidf", "local"), default="tfidf")
    parser.add_argument("--days", type=Path, default=DAYS)
    args = parser.parse_args(argv)
    print(json.dumps(rank_a_day(args.papers, args.owners, args.embedder, args.days)))


if __name__ == "__main__":
    main()
