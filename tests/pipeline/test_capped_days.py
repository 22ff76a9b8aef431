"""The cap and the embedder through a whole day's run: real clients against the fake arXiv and
the fake OpenAI endpoint (chat completions and embeddings)."""

from __future__ import annotations

from pathlib import Path

from arxiv_digest.wiring import digest_options, open_digest
from domain.statuses import Mention
from storage.db import Database
from storage.repositories import VectorRepository
from tests.daydata import DAY, make_settings, paper, serve_day
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

# Twelve papers the keywords match: every third names both keywords, so it ranks first.
PAPERS = [
    paper(
        f"2602.{n:05d}",
        f"Paper {n} on vision language action models",
        "We study VLA policies." + (" Our world model predicts frames." if n % 3 == 0 else ""),
    )
    for n in range(1, 13)
] + [paper("2602.00099", "Unrelated", "Nothing here matches.")]


async def test_only_the_best_ranked_are_analysed_and_the_rest_listed_with_the_tokens_saved(
    fakes: tuple[FakeArxiv, FakeOpenAI], database_url: str, tmp_path: Path
) -> None:
    arxiv, llm = fakes
    serve_day(arxiv, DAY, PAPERS)
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        digest_max_papers=4,
        digest_keywords=["VLA", "world model"],
    )

    async with open_digest(settings, digest_options(settings)) as digest:
        outcome = await digest.run()

    report, stats = outcome.report, outcome.stats
    both = [p.arxiv_id for p in PAPERS[:12] if "world model" in p.abstract]
    assert [e.paper.arxiv_id for e in report.entries] == both  # two keywords: first
    assert all(e.kind is Mention.FULL and e.analysis is not None for e in report.entries)
    assert [e.paper.arxiv_id for e in report.capped] == [
        p.arxiv_id for p in PAPERS[:12] if p.arxiv_id not in both
    ]
    assert all(e.analysis is None for e in report.capped)
    assert len(llm.completions) == 4  # the capped eight never reached the LLM
    assert (stats.matched, stats.capped) == (12, 8)
    per_paper = (stats.prompt_tokens + stats.completion_tokens) // 4
    assert stats.tokens_saved == report.tokens_saved
    assert abs(stats.tokens_saved - 8 * per_paper) <= 8
    # No votes: nothing was ranked, yet every paper of the day got its vector by the end,
    # for the models of the votes to come.
    db = await Database.open(database_url)
    try:
        async with db.session() as session:
            stored = await VectorRepository(session).get_many("tfidf", [p.arxiv_id for p in PAPERS])
    finally:
        await db.close()
    assert len(stored) == len(PAPERS)


async def test_an_endpoint_embeds_each_paper_once_across_runs(
    fakes: tuple[FakeArxiv, FakeOpenAI], database_url: str, tmp_path: Path
) -> None:
    arxiv, llm = fakes
    serve_day(arxiv, DAY, PAPERS)
    settings = make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        embeddings="endpoint",
        embedding_model="text-embedding-3-small",
        embedding_base_url=llm.base_url,
    )

    for _ in range(2):
        async with open_digest(settings, digest_options(settings)) as digest:
            await digest.run()

    sent = llm.embedding_requests
    assert len(sent) == 1 and sent[0]["model"] == "text-embedding-3-small"
    assert sorted(sent[0]["input"]) == sorted(f"{p.title}\n\n{p.abstract}" for p in PAPERS)
