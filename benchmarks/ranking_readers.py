"""Real announcement days, and simulated readers whose interests are labels the ranker never sees.

Three kinds of reader, each defined by a real label of the papers:
- a category cross-listed into the feed (cs.RO or cs.IR papers among cs.CV/cs.AI/cs.CL); the
  ranker reads only title and abstract, so the categories stay hidden from it;
- a group of authors: one prolific author and the co-authors they wrote with at least twice,
  liking the papers that two of them signed (one common name alone is many people); the ranker
  never reads author lists;
- a keyword's topic: a paper belongs to it when it names any of the topic's phrases; the reader's
  own keyword is the first phrase, and on the held-out day the reader is judged only on papers
  that do not contain that keyword, so keyword matching alone cannot find them.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
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
MAX_LAB = 30


@dataclass(frozen=True)
class Reader:
    kind: str  # "category", "authors" or "topic"
    name: str
    keywords: list[str]  # what they would have typed; the keyword order ranks by these
    likes: Callable[[Paper], bool]
    judged: Callable[[Paper], bool]  # the papers of the held-out day the reader is scored on


def load_days(folder: Path, *, last: int | None = None) -> list[tuple[str, list[Paper]]]:
    """Every `YYYY-MM-DD.jsonl.gz` of the folder (or its `last` ones), oldest first."""
    days = []
    for path in sorted(folder.glob("*.jsonl.gz"))[-last if last else None :]:
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
    """Labs: a prolific author and steady co-authors, the labs that signed most papers first."""
    by_author: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        for author in paper["authors"]:
            by_author[author].append(paper)
    labs: list[tuple[int, str, frozenset[str]]] = []
    for seed, _ in Counter({a: len(p) for a, p in by_author.items()}).most_common(300):
        partners = Counter(o for p in by_author[seed] for o in p["authors"] if o != seed)
        group = frozenset({seed, *(name for name, n in partners.items() if n >= 2)})
        signed = {id(p) for name in group for p in by_author[name] if _signed(group, p)}
        if 3 <= len(group) <= MAX_LAB:  # hundreds of co-authors: a name many people share
            labs.append((len(signed), seed, group))
    readers: list[Reader] = []
    taken: set[str] = set()
    for _, seed, group in sorted(labs, key=lambda lab: -lab[0]):
        if taken & group:
            continue
        taken |= group
        name = f"{seed} and {len(group) - 1} co-authors"
        readers.append(Reader("authors", name, [], partial(_signed, group), _always))
        if len(readers) == count:
            break
    return readers


def _signed(group: frozenset[str], paper: Paper) -> bool:
    """Two of the group signed it: one common name alone is many different people."""
    return len(group.intersection(paper["authors"])) >= 2


def readers_for(history: list[Paper], *, smoke: bool = False) -> list[Reader]:
    """Every simulated reader, the author groups found in the days they vote on."""
    categories = [_category_reader(c, k) for c, k in CATEGORY_READERS.items()]
    topics = [_topic_reader(k, phrases) for k, phrases in TOPIC_READERS.items()]
    authors = _author_readers(history, 1 if smoke else AUTHOR_GROUPS)
    if smoke:
        return [categories[0], authors[0], topics[0]] if authors else [categories[0], topics[0]]
    return [*categories, *authors, *topics]
