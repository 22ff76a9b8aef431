"""Where a paper's vector comes from: TF-IDF on this machine, or an embeddings endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from openai import AsyncOpenAI

from pipeline.relevance.vectors import Vectors, normalise

if TYPE_CHECKING:
    # scikit-learn is imported where an embedder is made (about 75 MB of memory): a day
    # without votes to rank by never loads it.
    from sklearn.feature_extraction.text import HashingVectorizer

HASHED_FEATURES = 2**18
ENDPOINT_BATCH = 256  # inputs per request; OpenAI accepts up to 2,048


class Embedder(Protocol):
    """Turns texts into vectors; `name` tells which vectors may be compared with which."""

    @property
    def name(self) -> str: ...

    async def embed(self, texts: Sequence[str]) -> Vectors: ...


class TfidfEmbedder:
    """TF-IDF over title and abstract (scikit-learn), with no download and no network.

    Why hashing and a fitted IDF, rather than a `TfidfVectorizer`: a fitted vocabulary changes
    with every refit, so yesterday's stored vectors would live in another space than today's.
    Words are hashed into a fixed 2**18-wide space instead (unigrams and bigrams, English stop
    words out), so a vector means the same thing whichever papers the IDF weights were fitted
    on. The IDF is fitted once, on the corpus given (the recent stored papers), and then only
    read: a word it never saw gets the highest weight, as a rare word should. Refitting moves
    the weights a little but never the axes, so a taste model learnt before a refit still scores
    sensibly after it; refit at most when the stored corpus has grown a lot.
    """

    def __init__(self, corpus: Iterable[str]) -> None:
        from sklearn.feature_extraction.text import TfidfTransformer

        self._hasher = _hasher()
        self._idf = TfidfTransformer(sublinear_tf=True)
        self._idf.fit(self._hasher.transform(list(corpus) or [""]))

    @classmethod
    def from_state(cls, state: bytes) -> TfidfEmbedder:
        """The embedder whose `state()` this is: the same IDF weights, so the same vectors."""
        embedder = cls([])
        embedder._idf.idf_ = np.frombuffer(state, dtype=np.float64).copy()
        return embedder

    def state(self) -> bytes:
        """The fitted IDF weights, to store: every process then embeds into the same space."""
        return np.asarray(self._idf.idf_, dtype=np.float64).tobytes()

    def feature_of(self, terms: Sequence[str]) -> list[int]:
        """The column each term (a word, or two words with one space) is hashed to, so a
        model's heaviest columns can be named after the words of the papers it saw."""
        found = _term_hasher().transform([[term] for term in terms])
        return [int(found.indices[found.indptr[i]]) for i in range(len(terms))]

    def terms_of(self, text: str) -> list[str]:
        """The words and word pairs this embedder reads in a text, as it reads them."""
        return list(dict.fromkeys(self._hasher.build_analyzer()(text)))

    @property
    def name(self) -> str:
        return "tfidf"

    def embed_now(self, texts: Sequence[str]) -> Vectors:
        """The vectors, computed on this thread (a 2,000-paper day takes about a second)."""
        return self._idf.transform(self._hasher.transform(list(texts))).tocsr()

    async def embed(self, texts: Sequence[str]) -> Vectors:
        return await asyncio.to_thread(self.embed_now, texts)


def _hasher() -> HashingVectorizer:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=HASHED_FEATURES,
        ngram_range=(1, 2),
        stop_words="english",
        alternate_sign=False,
        norm=None,
        dtype=np.float64,
    )


def _term_hasher() -> HashingVectorizer:
    """Hashes each given term as one token, into the same columns as `_hasher`."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        n_features=HASHED_FEATURES,
        analyzer=lambda terms: terms,
        alternate_sign=False,
        norm=None,
    )


class EndpointEmbedder:
    """Any OpenAI-compatible `/v1/embeddings` endpoint, through the `openai` client given."""

    def __init__(self, client: AsyncOpenAI, model: str, *, batch: int = ENDPOINT_BATCH) -> None:
        self._client = client
        self._model = model
        self._batch = batch

    @property
    def name(self) -> str:
        return f"endpoint:{self._model}"

    async def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch):
            chunk = [text or " " for text in texts[start : start + self._batch]]
            answer = await self._client.embeddings.create(model=self._model, input=chunk)
            rows.extend(item.embedding for item in sorted(answer.data, key=lambda d: d.index))
        if not rows:
            return np.zeros((0, 0))
        return normalise(np.asarray(rows, dtype=np.float64))
