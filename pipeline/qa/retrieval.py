"""Which of a paper's passages answer a question best: BM25 over their words, fused with an
embedder's cosine ranking where one is configured.

A question names things the way a reader would ("how big is the calibration set?"), which is
seldom the sentence the paper wrote: a lexical ranker finds the rare words they share (BM25,
with Snowball's stemmer so "calibrated" meets "calibration"), an embedder the passages about the
same thing. Their ranks are fused by reciprocal rank fusion, which needs no score calibration
between the two. Each paper's index and passage vectors are built once and kept, for a few
papers, in this process: follow-ups and a chat's questions about the day's paper reuse them.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from domain.models import Passage
from pipeline.fusion import fuse
from pipeline.relevance.embedders import Embedder
from pipeline.relevance.vectors import Vectors, cosine

EmbedderSource = Callable[[], Awaitable[Embedder]]  # e.g. `VectorStore.embedder`

CACHED_PAPERS = 8
# bm25s's English stop words are few (33): a question's own function words ("how many", "does",
# "which") and the words of how it is asked ("what does the paper say about") are added.
_QUESTION_WORDS_TEXT = """
what which who whom whose when where why how does do did doing done many much can could would
should may might must will shall has have had having its their they them we our us you your
i me my he she his her been being were was am are is about than so too very also any some all
each other those these there here from into onto over under between within without whether
paper papers authors author say says said describe described explain explained tell mention
mentioned discuss discussed report reported work please
"""
_STOPWORDS = sorted({*STOPWORDS_EN, *_QUESTION_WORDS_TEXT.split()})
_STEMMERS = threading.local()  # a Stemmer is not safe to share between threads


def stem_words(words: list[str]) -> list[str]:
    """Snowball's English stems: "calibrated", "calibrating" and "calibration" meet."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = Stemmer.Stemmer("english")
    return list(stemmer.stemWords(words))


def content_words(text: str) -> list[str]:
    """The words of `text` a ranker weighs, as written (lower-cased): stop words and the words
    of how a question is asked left out."""
    return _tokens([text], stemmed=False)[0]


def _tokens(texts: Sequence[str], *, stemmed: bool = True) -> list[list[str]]:
    tokenized: list[list[str]] = bm25s.tokenize(
        list(texts),
        stopwords=_STOPWORDS,
        stemmer=stem_words if stemmed else None,
        return_ids=False,
        show_progress=False,
    )
    return tokenized


def passage_text(passage: Passage) -> str:
    """What a passage is ranked by: its section's heading ("4.2 Results") and its text."""
    return f"{passage.section}\n{passage.text}" if passage.section else passage.text


@dataclass(slots=True)
class _Index:
    bm25: bm25s.BM25
    vectors: Vectors | None  # the embedder's passage vectors; None without an embedder
    size: int


class Retriever:
    """Ranks a paper's passages for a question. `embedder` (None: BM25 alone) is asked for the
    embedder when one is first needed, as `VectorStore.embedder` loads TF-IDF's weights."""

    def __init__(self, embedder: EmbedderSource | None = None, *, cached: int = CACHED_PAPERS):
        self._embedder_source = embedder
        self._embedder: Embedder | None = None
        self._cached = cached
        self._indexes: OrderedDict[str, _Index] = OrderedDict()

    @property
    def fused(self) -> bool:
        return self._embedder_source is not None

    async def rank(self, key: str, passages: Sequence[Passage], question: str) -> list[int]:
        """Every passage's index, best first for `question`. `key` names this paper's passages
        (its versioned id): the index built for them is kept under it."""
        if not passages:
            return []
        embedder = await self._get_embedder()
        index = await self._index(key, passages, embedder)
        lexical = self._lexical(index, question)
        if embedder is None or index.vectors is None:
            return _complete(lexical, index.size)
        query = await embedder.embed([question])
        similarity = cosine(query, index.vectors)[0]
        semantic = [int(i) for i in np.argsort(-similarity, kind="stable") if similarity[i] > 0]
        return _complete(fuse([lexical, semantic]), index.size)

    async def _get_embedder(self) -> Embedder | None:
        if self._embedder is None and self._embedder_source is not None:
            self._embedder = await self._embedder_source()
        return self._embedder

    async def _index(
        self, key: str, passages: Sequence[Passage], embedder: Embedder | None
    ) -> _Index:
        index = self._indexes.get(key)
        if index is not None and index.size == len(passages):
            self._indexes.move_to_end(key)
            return index
        texts = [passage_text(p) for p in passages]
        bm25 = await asyncio.to_thread(_bm25, texts)
        vectors = await embedder.embed(texts) if embedder is not None else None
        index = _Index(bm25, vectors, len(passages))
        self._indexes[key] = index
        while len(self._indexes) > self._cached:
            self._indexes.popitem(last=False)
        return index

    @staticmethod
    def _lexical(index: _Index, question: str) -> list[int]:
        words = _tokens([question])[0]
        if not words:
            return []
        scores = index.bm25.get_scores(words)
        order = np.argsort(-scores, kind="stable")
        return [int(i) for i in order if scores[i] > 0]


def _bm25(texts: list[str]) -> bm25s.BM25:
    bm25 = bm25s.BM25()
    bm25.index(_tokens(texts), show_progress=False)
    return bm25


def _complete(ranking: list[int], size: int) -> list[int]:
    """`ranking`, then the passages no ranker scored, in the paper's order."""
    seen = set(ranking)
    return ranking + [i for i in range(size) if i not in seen]
