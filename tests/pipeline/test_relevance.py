"""The ranker's plumbing on generated text: embedders, taste models, orders and explanations."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.relevance import (
    TfidfEmbedder,
    explain,
    learn_taste,
    paper_text,
    pick_negatives,
    rank_day,
    score_owners,
)
from pipeline.relevance.vectors import take

ROBOTS = [
    "robot grasping with tactile sensors and a learned manipulation policy",
    "legged robot locomotion over rough terrain with model predictive control",
    "mobile robot navigation and mapping in crowded indoor spaces",
    "robot arm manipulation of deformable cloth with visual feedback",
]
LANGUAGE = [
    "machine translation of low resource languages with multilingual pretraining",
    "question answering over long documents with a retrieval step",
    "summarization of news articles with a sequence to sequence transformer",
    "sentiment classification of product reviews in many languages",
]
DAY = [
    "language model translation quality for rare language pairs",  # 0
    "robot manipulation of cloth and rope with tactile grasping",  # 1
    "document question answering with long context language models",  # 2
    "quadruped robot locomotion learned in simulation",  # 3
]


@pytest.fixture(scope="module")
def embedder() -> TfidfEmbedder:
    return TfidfEmbedder(ROBOTS + LANGUAGE + DAY)


def test_a_text_gets_the_same_tfidf_vector_alone_or_among_others(embedder: TfidfEmbedder) -> None:
    together = embedder.embed_now(DAY)
    alone = embedder.embed_now(DAY[2:3])

    assert together.shape == (4, alone.shape[1])
    assert np.allclose(together[2].toarray(), alone.toarray())
    assert np.isclose((together[2] @ together[2].T).toarray()[0, 0], 1.0)


async def test_tfidf_embeds_off_the_event_loop_with_the_same_vectors(
    embedder: TfidfEmbedder,
) -> None:
    vectors = await embedder.embed(DAY)

    assert embedder.name == "tfidf"
    assert np.allclose(vectors.toarray(), embedder.embed_now(DAY).toarray())


def test_a_word_the_idf_never_saw_still_counts(embedder: TfidfEmbedder) -> None:
    vectors = embedder.embed_now(["zyxwv robot"])

    assert vectors.nnz >= 2  # the unseen word, "robot", and no bigram dropped for it


def test_paper_text_is_title_and_abstract_only() -> None:
    assert paper_text(" A title ", "An abstract.\n") == "A title\n\nAn abstract."


def test_with_no_votes_the_order_is_keyword_matches_then_the_feed() -> None:
    ranked = rank_day(np.zeros((4, 2)), [0, 2, 0, 1], None)

    assert ranked.order == [1, 3, 0, 2]
    assert not ranked.learnt


def test_there_is_no_model_without_an_up_vote_or_anything_to_set_against_it(
    embedder: TfidfEmbedder,
) -> None:
    robots = embedder.embed_now(ROBOTS)
    nothing = robots[:0]

    assert learn_taste(nothing, robots, robots) is None
    assert learn_taste(robots, nothing, None) is None
    assert learn_taste(robots, nothing, embedder.embed_now(LANGUAGE)) is not None


def test_a_robot_reader_gets_the_robot_papers_first(embedder: TfidfEmbedder) -> None:
    model = learn_taste(embedder.embed_now(ROBOTS[:2]), embedder.embed_now(LANGUAGE[:2]))
    assert model is not None and model.votes == 4

    ranked = rank_day(embedder.embed_now(DAY), [0, 0, 0, 0], model)

    assert set(ranked.order[:2]) == {1, 3}
    assert ranked.learnt


def test_a_keyword_lifts_a_paper_the_model_alone_would_put_last(embedder: TfidfEmbedder) -> None:
    model = learn_taste(embedder.embed_now(ROBOTS), embedder.embed_now(LANGUAGE))
    assert model is not None
    vectors = embedder.embed_now(DAY)

    plain = rank_day(vectors, [0, 0, 0, 0], model)
    lifted = rank_day(vectors, [0, 0, 2, 0], model)

    assert plain.order.index(2) >= 2
    assert lifted.order[0] == 2


def test_every_owner_is_scored_at_once_as_each_would_be_alone(embedder: TfidfEmbedder) -> None:
    robots = learn_taste(embedder.embed_now(ROBOTS), embedder.embed_now(LANGUAGE))
    words = learn_taste(embedder.embed_now(LANGUAGE), embedder.embed_now(ROBOTS))
    vectors = embedder.embed_now(DAY)
    counts = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 0, 2]])

    scores = score_owners(vectors, counts, [robots, words, None])

    for column, model in enumerate([robots, words, None]):
        alone = rank_day(vectors, counts[:, column], model)
        assert np.allclose(scores[:, column], alone.scores)
    assert rank_day(vectors, counts[:, 2], None).order == [3, 1, 0, 2]
    with pytest.raises(ValueError, match="keyword_counts"):
        score_owners(vectors, counts[:, :2], [robots, words, None])


def test_extra_negatives_skip_voted_papers_and_repeat_with_the_seed() -> None:
    picked = pick_negatives(50, [1, 2, 3], 10, seed=7)

    assert len(set(picked)) == 10 and not {1, 2, 3} & set(picked)
    assert picked == pick_negatives(50, [1, 2, 3], 10, seed=7)
    assert sorted(pick_negatives(5, [0], 10)) == [1, 2, 3, 4]


def test_why_names_the_liked_papers_a_paper_is_closest_to(embedder: TfidfEmbedder) -> None:
    liked = embedder.embed_now(ROBOTS)
    model = learn_taste(liked, embedder.embed_now(LANGUAGE))
    vectors = embedder.embed_now(DAY)
    ranked = rank_day(vectors, [0, 0, 0, 1], model)
    ids = ["d0", "d1", "d2", "d3"]

    why = explain(1, ids, vectors, ranked, [0, 0, 0, 1], ["r0", "r1", "r2", "r3"], liked)

    assert why.paper_id == "d1" and why.of == 4 and why.learnt
    assert why.rank == ranked.order.index(1) + 1
    assert why.score == pytest.approx(ranked.scores[1])
    # The tactile grasping paper and the cloth one; never the locomotion or navigation ones.
    assert {n.paper_id for n in why.nearest[:2]} == {"r0", "r3"}
    assert [n.similarity for n in why.nearest] == sorted(
        (n.similarity for n in why.nearest), reverse=True
    )
    assert len(why.nearest) == 3 and why.keyword_matches == 0


def test_why_without_votes_gives_the_keyword_rank_and_no_neighbours(
    embedder: TfidfEmbedder,
) -> None:
    vectors = embedder.embed_now(DAY)
    ranked = rank_day(vectors, [0, 0, 0, 1], None)

    why = explain(3, ["a", "b", "c", "d"], vectors, ranked, [0, 0, 0, 1], [], take(vectors, []))

    assert (why.rank, why.keyword_matches, why.learnt, why.nearest) == (1, 1, False, [])
