"""Queries a person would type for a paper they half remember, built from the real abstracts.

A reader remembers what a paper claimed, not how its title was worded. So a query is built
from the abstract's key claim: the sentences that say what the authors did or found ("we
propose…", "…outperforms…", "results show…"), else the abstract's second sentence. From them come
three or four content words, drawn at random with a fixed seed among the first eight that
qualify, in the order the text has them. A word qualifies when it has four letters or more, is
not a stop word or a claim's boilerplate ("propose", "novel"), is not in the title, and is not
something every other abstract says: at most 1% of the archive's abstracts use it (what one
remembers of a paper is what was particular to it, "superpixel camera", not "model"). Nothing
checks that a query finds its paper: four such words may well be shared by dozens of papers.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")
_CLAIM = re.compile(
    r"\b(?:we (?:propose|present|introduce|show|find|demonstrate|develop|design|achieve)"
    r"|outperform\w*|achiev\w+|results? (?:show|demonstrate|indicate)|improv\w+|reduc\w+)\b",
    re.IGNORECASE,
)
# Words a claim sentence is full of that nobody would type to find one paper.
_VAGUE = frozenset(
    [
        "paper",
        "propose",
        "proposed",
        "present",
        "presents",
        "introduce",
        "show",
        "shows",
        "demonstrate",
        "results",
        "approach",
        "method",
        "methods",
        "novel",
        "existing",
        "based",
        "using",
        "various",
        "different",
        "significantly",
        "achieves",
        "achieve",
        "state-of-the-art",
        "furthermore",
        "moreover",
        "additionally",
        "specifically",
    ]
)


@dataclass(frozen=True, slots=True)
class RecallQuery:
    arxiv_id: str  # the paper the reader has in mind
    text: str


def key_claims(abstract: str) -> str:
    """The abstract's claim sentences, else its second sentence (the first sets the scene)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(abstract.split())) if s.strip()]
    claims = [s for s in sentences if _CLAIM.search(s)]
    if claims:
        return " ".join(claims)
    return sentences[1] if len(sentences) > 1 else (sentences[0] if sentences else "")


def recall_query(
    paper: dict, common: frozenset[str], rng: random.Random, *, pool: int = 8
) -> RecallQuery:
    """Three or four qualifying words of the key claims (see the module's note)."""
    in_title = {w.lower() for w in _WORD.findall(paper["title"])}
    words = [
        w
        for w in dict.fromkeys(_WORD.findall(key_claims(paper["abstract"])))
        if len(w) >= 4
        and w.lower() not in ENGLISH_STOP_WORDS
        and w.lower() not in _VAGUE
        and w.lower() not in in_title
        and w.lower() not in common
    ][:pool]
    count = min(len(words), rng.choice((3, 4)))
    chosen = sorted(rng.sample(range(len(words)), count))
    return RecallQuery(paper["id"], " ".join(words[i] for i in chosen))


def common_words(papers: list[dict], share: float = 0.01) -> frozenset[str]:
    """Words more than `share` of the abstracts use."""
    counts: Counter[str] = Counter()
    for paper in papers:
        counts.update({w.lower() for w in _WORD.findall(paper["abstract"])})
    return frozenset(w for w, n in counts.items() if n > share * len(papers))


def recall_queries(papers: list[dict], count: int, seed: int = 7) -> list[RecallQuery]:
    """`count` queries for papers drawn at random (with a fixed seed), each with at least
    three words to go on."""
    rng = random.Random(seed)
    common = common_words(papers)
    queries: list[RecallQuery] = []
    for paper in rng.sample(papers, len(papers)):
        query = recall_query(paper, common, rng)
        if len(query.text.split()) >= 3:
            queries.append(query)
        if len(queries) == count:
            break
    return queries
