"""Ranking a paper's passages for a question: BM25 alone, and fused with an embedder."""

from __future__ import annotations

from collections.abc import Sequence

from domain.models import Passage
from pipeline.qa.retrieval import Retriever, stem_words
from pipeline.relevance.embedders import TfidfEmbedder
from pipeline.relevance.vectors import Vectors
from tests.pdfgen import PAPER_SECTIONS

PASSAGES = [Passage(heading, 1 + n, body) for n, (heading, body) in enumerate(PAPER_SECTIONS)]


class CountingEmbedder:
    """TF-IDF fitted on the passages, counting what it is asked to embed."""

    def __init__(self, corpus: Sequence[str]) -> None:
        self._tfidf = TfidfEmbedder(corpus)
        self.calls: list[int] = []

    @property
    def name(self) -> str:
        return "tfidf"

    async def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls.append(len(texts))
        return self._tfidf.embed_now(texts)


def test_inflections_of_a_word_meet_at_one_stem() -> None:
    words = ["calibrated", "calibrates", "calibrating", "calibration", "calibrate"]
    assert len(set(stem_words(words))) == 1
    assert stem_words(["models", "model"]) == ["model", "model"]
    assert stem_words(["routing", "router"]) != stem_words(["routing", "routing"])


async def test_bm25_ranks_the_passage_sharing_the_questions_rare_words_first() -> None:
    retriever = Retriever()

    order = await retriever.rank("p1", PASSAGES, "What does the training penalty keep?")
    routed = await retriever.rank("p1", PASSAGES, "Which models route tokens to experts?")

    assert sorted(order) == list(range(len(PASSAGES)))  # every passage, once
    assert PASSAGES[order[0]].section == "3 Method"
    assert PASSAGES[routed[0]].section == "2 Related Work"


async def test_a_question_of_stopwords_only_keeps_the_papers_order() -> None:
    assert await Retriever().rank("p1", PASSAGES, "what is it?") == list(range(len(PASSAGES)))
    assert await Retriever().rank("p1", [], "what is the router?") == []


async def test_with_an_embedder_rankings_are_fused_and_passage_vectors_kept() -> None:
    embedder = CountingEmbedder([p.text for p in PASSAGES])

    async def source() -> CountingEmbedder:
        return embedder

    retriever = Retriever(source)

    first = await retriever.rank(
        "p1", PASSAGES, "How many points of accuracy does routing at half compute lose?"
    )
    await retriever.rank("p1", PASSAGES, "What does the router learn?")
    await retriever.rank("p2", PASSAGES[:3], "What does the router learn?")

    assert PASSAGES[first[0]].section == "4 Experiments"
    # Passages embedded once per paper; each question once.
    assert embedder.calls == [len(PASSAGES), 1, 1, 3, 1]


async def test_the_cache_keeps_only_the_latest_papers() -> None:
    embedder = CountingEmbedder([p.text for p in PASSAGES])

    async def source() -> CountingEmbedder:
        return embedder

    retriever = Retriever(source, cached=2)
    for key in ["a", "b", "c", "a"]:
        await retriever.rank(key, PASSAGES, "router")

    passage_embeddings = [n for n in embedder.calls if n > 1]
    assert len(passage_embeddings) == 4  # "a" was dropped for "c" and embedded again
