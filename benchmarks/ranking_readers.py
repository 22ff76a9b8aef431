"""Real announcement days, and simulated readers whose interests are labels the ranker never sees.

Three kinds of reader, each defined by a real label of the papers:
- a category cross-listed into the feed (cs.RO or cs.IR papers among cs.CV/cs.AI/cs.CL); the
  ranker reads only title and abstract, so the categories stay hidden from it;
- a group of authors: one prolific author and the co-authors they wrote with at least twice;
  the ranker never reads author lists;
- a keyword's topic: a paper belongs to it when it names any of the topic's phrases; the reader's
  own keyword is the first phrase, and on the held-out day the reader is judged only on papers
  that do not contain that keyword, so keyword matching alone cannot find them.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.matching import KeywordMatcher

DAYS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-days"

Paper = dict  # one line of a day's file: id, title, authors, categories, comment, abstract

# Each category reader has the one keyword such a reader would plausibly type.
CATEGORY_READERS = {
    "cs.RO": "robot",
    "cs.IR": "recommendation",
    "cs.GR": "rendering",
    "cs.CR": "privacy",
    "cs.HC": "user study",
}
TOPIC_READERS = {
    "reinforcement learning": ["rlhf", "reward model", "policy optimization", "grpo", "ppo"],
    "retrieval-augmented generation": ["rag", "retrieval augmented", "retriever"],
    "hallucination": ["factuality", "faithfulness", "factual consistency"],
    "knowledge distillation": ["distillation", "teacher model", "student model"],
    "diffusion model": ["denoising diffusion", "score-based", "diffusion models", "ddpm"],
}
AUTHOR_GROUPS = 5


@dataclass(frozen=True)
class Reader:
    kind: str  # "category", "authors" or "topic"
    name: str
    keywords: list[str]  # what they would have typed; the keyword order ranks by these
    likes: Callable[[Paper], bool]
    judged: Callable[[Paper], bool]  # the papers of the held-out day the reader is scored on


def load_days(folder: Path) -> list[tuple[str, list[Paper]]]:
    """Every `YYYY-MM-DD.jsonl.gz` of the folder, oldest first."""
    days = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            days.append((path.name.split(".")[0], [json.loads(line) for line in lines]))
    return days


def _always(paper: Paper) -> bool:
    return True


def _category_reader(category: str, keyword: str) -> Reader:
    return Reader("category", category, [keyword], lambda p: category in p["categories"], _always)


def _topic_reader(keyword: str, phrases: list[str]) -> Reader:
    topic = KeywordMatcher([keyword, *phrases])
    own = KeywordMatcher([keyword])

    def likes(paper: Paper) -> bool:
        return bool(topic.match_paper(paper["title"], paper["abstract"]))

    def judged(paper: Paper) -> bool:
        return not own.match_paper(paper["title"], paper["abstract"])

    return Reader("topic", keyword, [keyword], likes, judged)


def _author_readers(papers: list[Paper], count: int) -> list[Reader]:
    """Groups around the most prolific authors who have steady co-authors, one group a lab."""
    written = Counter(author for paper in papers for author in paper["authors"])
    readers: list[Reader] = []
    taken: set[str] = set()
    for seed, _ in written.most_common(200):
        if seed in taken:
            continue
        partners = Counter(
            other for p in papers if seed in p["authors"] for other in p["authors"] if other != seed
        )
        group = frozenset({seed, *(name for name, n in partners.items() if n >= 2)})
        if len(group) < 3:
            continue
        taken |= group
        readers.append(
            Reader(
                "authors",
                f"{seed} and {len(group) - 1} co-authors",
                [],
                lambda p, g=group: bool(g.intersection(p["authors"])),  # type: ignore[misc]
                _always,
            )
        )
        if len(readers) == count:
            break
    return readers


def readers_for(history: list[Paper], *, smoke: bool = False) -> list[Reader]:
    """Every simulated reader, the author groups found in the days they vote on."""
    categories = [_category_reader(c, k) for c, k in CATEGORY_READERS.items()]
    topics = [_topic_reader(k, phrases) for k, phrases in TOPIC_READERS.items()]
    authors = _author_readers(history, 1 if smoke else AUTHOR_GROUPS)
    if smoke:
        return [categories[0], authors[0], topics[0]] if authors else [categories[0], topics[0]]
    return [*categories, *authors, *topics]
