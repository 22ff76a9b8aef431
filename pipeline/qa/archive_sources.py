"""What a question across the archive is answered from: the stored papers the archive search
finds for it, and their passages ranked together for it.

Only what is stored is used, so a question never waits for a download: a paper's passages when
its PDF was read, else its abstract and stored analysis as two passages without a page. The
archive search always returns its nearest papers, related or not; a paper counts as found only
when it holds at least half of the question's content words (stemmed, in its title, abstract,
analysis or passages): a question none holds is one the archive has nothing on, and no model is
asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.models import Paper, Passage
from pipeline.archive.search import ArchiveSearch
from pipeline.qa.archive_prompt import ABSTRACT, ANALYSIS, ArchivePassage
from pipeline.qa.retrieval import Retriever, content_words, stem_words
from storage.db import Database
from storage.repositories import ExtractionRepository
from storage.search import analysis_texts

PAPERS = 5  # the papers a question's passages are drawn from
MIN_SHARED = 0.5  # of the question's content words, a found paper holds at least this part
# How one asks about an archive, not what about: never searched for.
_ASKING_WORDS_TEXT = """
seen see saw read anything something recent recently lately latest new newest today yesterday
week weeks month months year years team archive know find found show list give summarise
summarize overview papers paper
"""
_ASKING_WORDS = frozenset(_ASKING_WORDS_TEXT.split())


@dataclass(frozen=True, slots=True)
class Gathered:
    """The passages of the papers found, and their order for the question, best first."""

    passages: list[ArchivePassage] = field(default_factory=list)
    ranking: list[int] = field(default_factory=list)


def query_words(question: str) -> list[str]:
    """The question's content words, without the words of asking across an archive."""
    return [w for w in content_words(question) if w not in _ASKING_WORDS]


class ArchiveSources:
    def __init__(
        self, db: Database, search: ArchiveSearch, retriever: Retriever, *, papers: int = PAPERS
    ) -> None:
        self._db = db
        self._search = search
        self._retriever = retriever
        self._papers = papers

    async def gather(self, query: str) -> Gathered:
        """The passages for `query` (a question, with the one before it for a follow-up);
        none when no stored paper is on it."""
        words = query_words(query)
        if not words:
            return Gathered()
        found = await self._search.search(" ".join(words), limit=self._papers)
        papers = [f.paper for f in found]
        async with self._db.session() as session:
            analyses = await analysis_texts(session, [p.arxiv_id for p in papers])
            extractions = ExtractionRepository(session)
            stored = {p.arxiv_id: await extractions.passages(p.arxiv_id, p.version) for p in papers}
        wanted = set(stem_words(words))
        passages: list[ArchivePassage] = []
        for paper in papers:
            analysis = analyses.get(paper.arxiv_id, "")
            own = _passages_of(paper, stored[paper.arxiv_id], analysis)
            texts = [paper.title, paper.abstract, analysis, *(p.passage.text for p in own)]
            if _shared(wanted, texts) >= MIN_SHARED:
                passages += own
        if not passages:
            return Gathered()
        key = "archive:" + ",".join(dict.fromkeys(p.paper.versioned_id for p in passages))
        ranking = await self._retriever.rank(key, [p.passage for p in passages], query)
        return Gathered(passages, ranking)


def _shared(wanted: set[str], texts: Sequence[str]) -> float:
    """The part of `wanted` (stems) that `texts` hold."""
    held = set(stem_words(content_words(" ".join(texts))))
    return len(wanted & held) / len(wanted) if wanted else 0.0


def _passages_of(paper: Paper, stored: list[Passage] | None, analysis: str) -> list[ArchivePassage]:
    if stored:
        return [ArchivePassage(paper, i, passage) for i, passage in enumerate(stored)]
    found = [ArchivePassage(paper, ABSTRACT, Passage("Abstract", 0, paper.abstract))]
    if analysis:
        found.append(ArchivePassage(paper, ANALYSIS, Passage("Analysis", 0, analysis)))
    return found
