"""Ranking quality on real arXiv abstracts (the shared corpus's announcement days).

A reader who likes cs.RO papers cross-listed into a cs.CV/cs.AI/cs.CL feed votes on earlier
days; the ranker sees only titles and abstracts, never categories, and must put the held-out
days' cs.RO papers above the rest. Skipped when the corpus is not next to the checkout.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from pipeline.relevance import TfidfEmbedder, learn_taste, paper_text, pick_negatives, rank_day
from pipeline.relevance.vectors import take

DAYS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "arxiv-days"
VOTING_DAYS = 8
HELD_OUT_DAYS = 2


def _days() -> list[list[dict]]:
    files = sorted(DAYS.glob("*.jsonl.gz")) if DAYS.is_dir() else []
    if len(files) < VOTING_DAYS + HELD_OUT_DAYS:
        pytest.skip(f"the real announcement days are not in {DAYS}")
    days = []
    for path in files[-(VOTING_DAYS + HELD_OUT_DAYS) :]:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            days.append([json.loads(line) for line in lines])
    return days


def _texts(papers: list[dict]) -> list[str]:
    return [paper_text(p["title"], p["abstract"]) for p in papers]


def test_a_robotics_reader_gets_held_out_robotics_papers_first_from_ten_votes_each_way() -> None:
    days = _days()
    history = [p for day in days[:VOTING_DAYS] for p in day]
    held_out = [p for day in days[VOTING_DAYS:] for p in day]
    likes = [("cs.RO" in p["categories"]) for p in history]
    rng = random.Random(14)
    ups = rng.sample([row for row, liked in enumerate(likes) if liked], 10)
    downs = rng.sample([row for row, liked in enumerate(likes) if not liked], 10)
    embedder = TfidfEmbedder(_texts(history))
    voted = embedder.embed_now(_texts(history))
    extra = take(voted, pick_negatives(len(history), ups + downs, seed=14))

    model = learn_taste(take(voted, ups), take(voted, downs), extra)
    ranked = rank_day(embedder.embed_now(_texts(held_out)), [0] * len(held_out), model)

    labels = [("cs.RO" in held_out[row]["categories"]) for row in ranked.order]
    assert 0 < sum(labels) < len(labels)
    auc = roc_auc_score(labels, [-position for position in range(len(labels))])
    assert auc >= 0.8, f"AUC {auc:.2f} for {sum(labels)} cs.RO papers among {len(labels)}"
