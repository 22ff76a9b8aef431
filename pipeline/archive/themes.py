"""A week's themes: its papers clustered by their vectors, each cluster named by its most
distinctive words.

k-means (scikit-learn) groups the vectors; a cluster is named by class-based TF-IDF: its
papers' titles and abstracts are read as one document against the other clusters', and the
words and two-word phrases that weigh most there (and least elsewhere) name it. No LLM call is
needed, and the names are words the papers themselves use.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from domain.models import Paper
from pipeline.relevance.vectors import Vectors, paper_text

_TOKEN = r"(?u)\b[^\W\d_][\w-]+\b"  # words and hyphenated terms, not numbers
LSA_DIMENSIONS = 10  # tried 10, 20 and 50 on real weeks: 10 groups them best
MIN_PAPERS = 6  # fewer make no themes worth naming
# English stop words, and what every abstract adds to them: links, and the words of a claim.
_ABSTRACT_WORDS = (
    "https http github com www io org code available paper propose proposed present "
    "presents introduce novel existing approach approaches method methods framework results "
    "result show shows demonstrate achieve achieves achieving significantly substantially "
    "outperforms outperforming state-of-the-art art extensive experiments performance "
    "establish distinct settings based using use effective efficient better new"
)
_STOP_WORDS = sorted(ENGLISH_STOP_WORDS | set(_ABSTRACT_WORDS.split()))
MAX_THEMES = 6
NAME_TERMS = 3


@dataclass(frozen=True, slots=True)
class Theme:
    name: str  # "robot manipulation, grasping, tactile"
    arxiv_ids: tuple[str, ...]  # the cluster's papers, closest to its centre first


def themes(papers: Sequence[Paper], vectors: Vectors) -> list[Theme]:
    """The papers' themes, largest first; none for a week of fewer than MIN_PAPERS papers."""
    from sklearn.cluster import KMeans

    if len(papers) < MIN_PAPERS:
        return []
    count = min(MAX_THEMES, max(2, round(math.sqrt(len(papers) / 2))))
    points = _reduced(vectors, len(papers))
    model = KMeans(n_clusters=count, n_init=4, random_state=0).fit(points)
    distances = model.transform(points)
    members = [np.flatnonzero(model.labels_ == c).tolist() for c in range(count)]
    names = _names([[papers[i] for i in rows] for rows in members])
    found = [
        Theme(name, tuple(papers[i].arxiv_id for i in sorted(rows, key=lambda i: distances[i, c])))
        for c, (name, rows) in enumerate(zip(names, members, strict=True))
        if len(rows) and name
    ]
    return sorted(found, key=lambda theme: -len(theme.arxiv_ids))


def _reduced(vectors: Vectors, count: int) -> Vectors:
    """Sparse TF-IDF rows reduced to their main directions (latent semantic analysis), as
    scikit-learn's own text-clustering example does: k-means in 2**18 mostly empty dimensions
    groups papers by chance words."""
    from scipy import sparse
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    if not sparse.issparse(vectors):
        return vectors
    reduced = TruncatedSVD(n_components=min(LSA_DIMENSIONS, count - 1), random_state=0)
    return normalize(reduced.fit_transform(vectors))


def _names(clusters: list[list[Paper]]) -> list[str]:
    """Class-based TF-IDF: a term weighs the share of the cluster's papers that use it, times
    log(1 + average cluster size / papers using it anywhere), as BERTopic weighs its topics."""
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [paper_text(p.title, p.abstract) for papers in clusters for p in papers]
    counts = CountVectorizer(
        stop_words=_STOP_WORDS,
        ngram_range=(1, 2),
        binary=True,
        min_df=2,
        max_df=0.5,
        token_pattern=_TOKEN,
    )
    try:
        used = counts.fit_transform(texts).tocsr()
    except ValueError:  # no term is used twice: nothing to name the clusters by
        return ["" for _ in clusters]
    terms = counts.get_feature_names_out()
    anywhere = np.asarray(used.sum(axis=0)).ravel()
    rarity = np.log1p((len(texts) / len(clusters)) / anywhere)
    names, start = [], 0
    for papers in clusters:
        share = np.asarray(used[start : start + len(papers)].sum(axis=0)).ravel() / len(papers)
        names.append(_top_terms(share * rarity, terms))
        start += len(papers)
    return names


def _top_terms(row: np.ndarray, terms: np.ndarray) -> str:
    """The heaviest terms, skipping one already said by a chosen phrase or that says it."""
    chosen: list[str] = []
    for index in np.argsort(-row):
        if row[index] <= 0 or len(chosen) == NAME_TERMS:
            break
        term = str(terms[index])
        if any(term in other or other in term for other in chosen):
            continue
        chosen.append(term)
    return ", ".join(chosen)
