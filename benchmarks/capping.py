"""Benchmark: what DIGEST_MAX_PAPERS saves on a 100-match day, and how good our estimate is.

Run with `python -m benchmarks.capping [--smoke]`. One real announcement day of the corpus gives
100 papers a keyword matches (their real titles and abstracts); each is served with one of the
corpus's real PDFs, so the prompts are the size real papers make. The day runs twice against the
fake arXiv and the fake OpenAI endpoint, each on a fresh database: without a cap and with the
default cap of 25. Measured: LLM requests and prompt tokens of each run (the fake counts a prompt
as OpenAI roughly does, four characters a token; its completion counts say nothing of a real
model's, so the saving is reported for prompts and, separately, with the configured output
bound), and the saving the report announces against the saving measured.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from benchmarks.extraction import corpus_pdfs
from benchmarks.ranking_readers import DAYS
from domain.models import AnnounceType, Paper
from pipeline.selection import PaperSelector

KEYWORD = "model"
MATCHES = 100
CAP = 25


def _matching_papers(count: int) -> list[Paper]:
    """`count` papers of the corpus's largest day that KEYWORD matches, as the feed gives them."""
    from tests.realdays import largest_day

    day = largest_day()
    selector = PaperSelector([[KEYWORD]])
    found = [p for p in day if selector.select(p)][:count]
    for paper in found:
        paper.categories, paper.announce_type = ["cs.AI"], AnnounceType.NEW
    return found


async def _run_day(papers: list[Paper], pdfs: list[bytes], cap: int, folder: Path) -> dict:
    from arxiv_digest.wiring import digest_options, open_digest
    from tests.daydata import DAY, make_settings, serve_day
    from tests.fakes.arxiv_server import FakeArxiv
    from tests.fakes.openai_server import FakeOpenAI

    with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        serve_day(arxiv, DAY, papers)
        for n, paper in enumerate(papers):
            arxiv.pdfs[paper.versioned_id] = pdfs[n % len(pdfs)]
        url = f"sqlite+aiosqlite:///{folder / f'cap{cap}.sqlite3'}"
        settings = make_settings(
            arxiv,
            llm,
            url,
            folder,
            digest_keywords=[KEYWORD],
            digest_max_papers=cap,
            llm_concurrency=8,
            pdf_concurrency=8,
        )
        async with open_digest(settings, digest_options(settings)) as digest:
            outcome = await digest.run()
        stats = outcome.stats
        return {
            "cap": cap,
            "matched": stats.matched,
            "analysed_papers": len(outcome.report.entries),
            "capped": stats.capped,
            "llm_requests": len(llm.completions),
            "prompt_tokens": stats.prompt_tokens,
            "completion_tokens": stats.completion_tokens,
            "announced_saving": stats.tokens_saved,
            "output_bound": settings.llm_max_output_tokens,
        }


def run(smoke: bool = False) -> dict:
    files = corpus_pdfs(3 if smoke else None)
    if not files or not DAYS.is_dir():
        return {"skipped": "the corpus (PDFs and arxiv-days) is not beside the checkout"}
    papers = _matching_papers(10 if smoke else MATCHES)
    pdfs = [path.read_bytes() for path in files]
    cap = 3 if smoke else CAP
    with tempfile.TemporaryDirectory() as tmp:
        uncapped = asyncio.run(_run_day(papers, pdfs, 0, Path(tmp)))
        capped = asyncio.run(_run_day(papers, pdfs, cap, Path(tmp)))
    return {"papers": len(papers), "pdfs": len(pdfs), "uncapped": uncapped, "capped": capped}


def report(result: dict) -> str:
    if "skipped" in result:
        return f"skipped: {result['skipped']}"
    full, cut = result["uncapped"], result["capped"]
    measured = (full["prompt_tokens"] + full["completion_tokens"]) - (
        cut["prompt_tokens"] + cut["completion_tokens"]
    )
    prompt_ratio = cut["prompt_tokens"] / full["prompt_tokens"] if full["prompt_tokens"] else 0
    bound = cut["output_bound"] * (full["llm_requests"] - cut["llm_requests"])
    lines = [
        f"a {result['papers']}-match day of real abstracts, each with one of "
        f"{result['pdfs']} real PDFs; the same day without a cap and with DIGEST_MAX_PAPERS="
        f"{cut['cap']}",
        f"LLM requests: {full['llm_requests']} → {cut['llm_requests']} "
        f"({cut['capped']} papers listed without analysis)",
        f"prompt tokens: {full['prompt_tokens']:,} → {cut['prompt_tokens']:,} "
        f"(ratio {prompt_ratio:.2f}; saved {full['prompt_tokens'] - cut['prompt_tokens']:,})",
        f"completion tokens saved: at most {bound:,} (LLM_MAX_OUTPUT_TOKENS × requests saved; "
        "the fake's completion counts are not a real model's)",
        f"saving announced in the report: {cut['announced_saving']:,} tokens; measured "
        f"(prompt + the fake's completions): {measured:,} "
        f"(announced / measured = {cut['announced_saving'] / measured if measured else 0:.2f})",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    print(report(run(smoke=args.smoke)))


if __name__ == "__main__":
    main()
