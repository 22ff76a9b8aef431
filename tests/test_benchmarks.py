"""The benchmarks' smoke sizes keep working: results have their keys and sane values.

Timings are never asserted here: they belong to `python -m benchmarks`, not to a test.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
from sqlalchemy import make_url

from benchmarks import (
    capping,
    chat_latency,
    day_run,
    extraction_peers,
    qa_archive,
    qa_retrieval,
    ranking,
    search,
    search_latency,
    startup,
    tokens,
)


def test_day_run_smoke_posts_every_matching_paper_once_on_both_platforms() -> None:
    result = day_run.run(smoke=True)

    assert result["exit_code"] == 0, result["stderr_tail"]
    matching = result["matching"]
    assert result["llm_calls"] == matching
    assert result["pdf_downloads"] == matching
    for platform in ("slack", "telegram"):
        assert result[platform] == {"once": matching, "twice_or_more": 0}
    # The parent, one reply a paper, and the parent's closing edit (it said "analysing").
    assert result["slack_messages"] == result["telegram_messages"] == matching + 2
    for key in ("ratio_vs_llm_ideal", "ratio_vs_max_floor", "analysis_ratio"):
        assert result[key] > 0 and math.isfinite(result[key])
    assert result["peak_rss_mb"] > 0
    assert not result["paced"]  # the smoke size says so in its report
    assert "pacing OFF" in day_run.report(result)


def test_tokens_smoke_keeps_every_paper_within_budget_and_a_rerun_costs_nothing() -> None:
    result = tokens.run(smoke=True)

    first, second = result["rerun"]["first"], result["rerun"]["second"]
    assert first["llm_requests"] > 0 and first["prompt_tokens_asked"] > 0
    assert second["llm_requests"] == 0 and second["prompt_tokens_asked"] == 0
    assert second["entries"] == first["entries"] > 0
    assert result["output_budget"] > 0
    if "skipped" not in result:  # the corpus sits next to the checkout, not in it
        read = [row for row in result["per_file"] if "skipped" not in row]
        assert read
        assert all(row["body_tokens"] <= result["input_budget"] for row in read)
        assert result["within_budget"]
        assert result["core_represented_all"]
    assert "our estimate" in tokens.report(result)


def test_chat_latency_smoke_answers_every_summarize_on_both_platforms() -> None:
    result = chat_latency.run(smoke=True)

    sizes = result["sizes"]
    cached, uncached = result["slack"]["cached"], result["slack"]["uncached"]
    assert cached["answered"] == cached["reply"]["n"] == sizes["requests"]
    assert cached["ack"]["n"] == sizes["requests"]
    assert result["telegram"]["answered"] == sizes["requests"]
    assert result["telegram_paced"]["answered"] == sizes["requests"]
    assert uncached["answered"] == uncached["requests"] == sizes["uncached"]
    assert 0 < uncached["llm_max_in_flight"] <= uncached["llm_concurrency"]
    assert uncached["bound_s"] > 0 and uncached["overtakes"] >= 0
    for stats in (cached["reply"], cached["ack"], result["telegram"]["reply"], uncached["ack"]):
        assert 0 < stats["p50"] <= stats["p95"] <= stats["max"]
    assert "p95" in chat_latency.report(result)


def test_startup_smoke_times_help_and_serve_against_the_interpreter() -> None:
    result = startup.run(smoke=True)

    assert result["rounds"] == startup.SMOKE_ROUNDS
    for key in ("baseline_s", "help_s", "serve_accepts_s", "first_serve_accepts_s"):
        assert result[key] > 0 and math.isfinite(result[key])
    assert result["serve_ready_line_s"] <= result["serve_accepts_s"]
    assert result["help_ratio"] > 0 and result["serve_ratio"] > 0
    assert "--help" in startup.report(result)


def test_extraction_peers_smoke_reads_the_same_pages_with_every_installed_reader() -> None:
    result = extraction_peers.run(smoke=True)

    if "skipped" in result:  # the corpus sits next to the checkout, not in it
        assert "skipped" in extraction_peers.report(result)
        return
    names = [row["name"] for row in result["readers"]]
    assert names[:2] == ["extract()", "PyMuPDF get_text"]
    assert len(names) + len(result["not_installed"]) == 4
    assert result["files"] <= extraction_peers.SMOKE_FILES and result["pages"] > 0
    for row in result["readers"]:
        assert row["seconds"] > 0 and row["pages_per_s"] > 0
    report = extraction_peers.report(result)
    assert all(name in report for name in names)


def test_ranking_smoke_reports_quality_and_speed_on_the_days_it_is_given(tmp_path: Path) -> None:
    result = ranking.run(smoke=True)

    timing = result["timing"] if "skipped" not in result else None
    if timing is not None:  # the corpus sits next to the checkout, not in it
        scored = [row for row in result["readers"] if "skipped" not in row]
        assert scored
        for row in scored:
            for method in ranking.METHODS:
                assert row[method] is None or 0 <= row[method][0] <= 1
        assert timing["scoring_s"] > 0 and timing["retrain_p95_s"] > 0
        assert "local" in result["skipped_methods"]  # minutes of encoding: full size only
        assert all(row["local"] is None for row in scored)
        (memory,) = result["memory"]
        assert memory["embedder"] == "tfidf" and memory["owners"] == 20
        assert 0 < memory["before_mb"] < memory["peak_mb"]
        text = ranking.report(result)
        assert "plumbing only" in text and "of the 400 MB target" in text
    assert "skipped" in ranking.run(smoke=True, days_dir=tmp_path)


def test_capping_smoke_sends_only_the_capped_number_and_announces_about_what_it_saved() -> None:
    result = capping.run(smoke=True)

    if "skipped" in result:
        return
    full, cut = result["uncapped"], result["capped"]
    assert full["llm_requests"] == full["matched"] == result["papers"]
    assert cut["llm_requests"] == cut["analysed_papers"] == cut["cap"]
    assert cut["capped"] == result["papers"] - cut["cap"]
    measured = full["prompt_tokens"] + full["completion_tokens"]
    measured -= cut["prompt_tokens"] + cut["completion_tokens"]
    assert 0.5 < cut["announced_saving"] / measured < 2


def test_qa_retrieval_smoke_asks_paraphrased_questions_of_both_rankers() -> None:
    result = qa_retrieval.run(smoke=True)

    if "skipped" in result:  # the corpus sits next to the checkout, not in it
        assert "skipped" in qa_retrieval.report(result)
        return
    assert result["questions"] > 0
    assert set(result["rankers"]) == {"bm25", "bm25+tfidf"}
    for row in result["rankers"].values():
        recall = row["recall"]
        assert 0 <= recall["1"] <= recall["3"] <= recall["5"] <= 1
        assert row["sent_median"] > 0 and 0 < row["tokens_vs_paper"] <= 1
    assert result["timing"]["passages"] > 0
    assert "recall among the passages sent" in qa_retrieval.report(result)


def test_questions_are_paraphrased_not_copied() -> None:
    import random

    sentence = (
        "The calibration set holds 512 sequences sampled from the training corpus, "
        "and the quantised model is evaluated on held-out perplexity."
    )
    question = qa_retrieval.paraphrase(sentence, random.Random(1))

    assert question is not None and question.endswith("?")
    assert sentence not in question and "512" not in question
    words = sentence.lower().split()
    assert not any(" ".join(words[i : i + 4]) in question.lower() for i in range(len(words) - 3))


async def test_search_smoke_finds_half_remembered_papers_on_the_test_databases() -> None:
    """SQLite always; PostgreSQL in a database of the benchmark's own where the suite has one."""
    if not search.real_papers(1):
        pytest.skip("the corpus's announcement days are not beside the checkout")
    server = os.environ.get("TEST_DATABASE_URL")
    postgres = str(make_url(server).set(database="arxiv_digest_bench")) if server else None
    results = await search.run(smoke=True, postgres=postgres)

    assert [r.engine for r in results][: 1 + bool(server)] == ["SQLite FTS5"] + (
        ["PostgreSQL tsvector"] if server else []
    )
    for result in results:
        assert result.papers == 5_000
        assert result.lexical_top >= 0.8 and result.fused_top >= 0.8
        assert 0 < result.p50_ms <= result.p95_ms
    assert "| SQLite FTS5 | 5,000 |" in search.report(results)


async def test_qa_archive_smoke_sends_the_half_remembered_paper_to_the_model() -> None:
    if not search.real_papers(1):
        pytest.skip("the corpus's announcement days are not beside the checkout")
    result = await qa_archive.run(smoke=True)

    assert result.questions == 30 and result.papers == 2_000
    assert 0.8 <= result.sent_share <= result.found_share <= 1
    assert result.nothing_share < 0.1 and 0 < result.p50_ms <= result.p95_ms
    assert "among those sent to the model" in qa_archive.report(result)


def test_search_latency_smoke_answers_every_search_and_exports_a_file_that_parses() -> None:
    if not search.real_papers(1):
        pytest.skip("the corpus's announcement days are not beside the checkout")
    result = search_latency.run(smoke=True)

    assert result["search"]["n"] == search_latency.SMOKE["queries"]
    assert 0 < result["search"]["p50"] <= result["search"]["p95"]
    assert result["export"]["entries"] == search_latency.SMOKE["export"]
    assert result["export"]["failed_blocks"] == 0
    assert "half-remembered queries" in search_latency.report(result)
