"""Benchmark: the tokens we send the LLM per paper, and how much of the method and experiments
reaches it, on the corpus's real arXiv PDFs; and what a rerun of the same day costs.

Run with `python -m benchmarks.tokens [--files N]`. Tokens are our own estimate
(`pipeline.fitting.estimate_tokens`, about four characters a token), not a tokenizer's count.
What we send is the user message `pipeline.prompts.user_message` builds around
`fit_to_budget(extract(pdf), LLM_INPUT_TOKEN_BUDGET)`; two baselines are set against it: the
whole extracted text, and its first 4,000 tokens. Completion tokens are bounded by
`LLM_MAX_OUTPUT_TOKENS`; the fake LLM's completion counts say nothing of a real model's, so only
the configured bound is reported. Skips the corpus part cleanly when the corpus is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from pathlib import Path

from arxiv_digest.settings import Settings
from benchmarks.extraction import CORPUS, corpus_pdfs
from domain.errors import PdfUnreadable
from domain.models import Paper
from pipeline.fitting import estimate_tokens, fit_to_budget
from pipeline.pdf import FullText, extract
from pipeline.prompts import system_prompt, user_message

FIRST_TOKENS_BASELINE = 4000
CORE_KINDS = ("method", "experiments")
MIN_REPRESENTED_CHARS = 200  # less than this of a section says nothing about it
_NAME = re.compile(r"pdf_arXiv_(\d{4}\.\d{4,5})(?:v(\d+))?")


def _paper(path: Path, full: FullText) -> Paper:
    """The paper as the feed would describe it: its abstract is the PDF's abstract section."""
    found = _NAME.match(path.name)
    arxiv_id, version = (found.group(1), int(found.group(2) or 1)) if found else ("0000.00000", 1)
    abstract = next((s.text for s in full.sections if s.kind == "abstract"), "")
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=f"Corpus paper {path.stem}",
        authors=["Ada Lovelace", "Alan Turing"],
        abstract=abstract[:2000] or "(no abstract)",
        categories=["cs.AI"],
    )


def _whole(full: FullText) -> str:
    parts = [s for s in full.sections if s.text or s.heading]
    return "\n\n".join(f"{s.heading}\n{s.text}" if s.heading else s.text for s in parts)


def _reached(section_text: str, sent: str) -> int:
    """Characters of the section's beginning found in what was sent (fitting keeps beginnings)."""
    if section_text in sent:
        return len(section_text)
    low, high = 0, len(section_text)
    while low < high:
        middle = (low + high + 1) // 2
        if section_text[:middle] in sent:
            low = middle
        else:
            high = middle - 1
    return low


def _core_share(full: FullText, sent: str) -> dict[str, float | bool] | None:
    """Share of the method and experiments text in `sent`, and whether each kind is represented."""
    core = [s for s in full.sections if s.kind in CORE_KINDS and s.text.strip()]
    if not core:
        return None
    total = sum(len(s.text) for s in core)
    reached = {s_id: _reached(s.text, sent) for s_id, s in enumerate(core)}
    represented = all(
        any(
            reached[i] >= min(MIN_REPRESENTED_CHARS, len(s.text))
            for i, s in enumerate(core)
            if s.kind == kind
        )
        for kind in {s.kind for s in core}
    )
    return {"share": sum(reached.values()) / total, "represented": represented}


def measure_paper(path: Path, budget: int) -> dict:
    data = path.read_bytes()
    try:
        full = extract(data)
    except PdfUnreadable as exc:
        return {"file": path.name, "skipped": str(exc)}
    paper = _paper(path, full)
    whole = _whole(full)
    fitted = fit_to_budget(full, budget)
    first = whole[: FIRST_TOKENS_BASELINE * 4]
    ours, base_whole, base_first = (
        _core_share(full, fitted),
        _core_share(full, whole),
        _core_share(full, first),
    )
    return {
        "file": path.name,
        "body_tokens": estimate_tokens(fitted),
        "message_tokens": estimate_tokens(user_message(paper, fitted)),
        "whole_tokens": estimate_tokens(user_message(paper, whole)),
        "first_tokens": estimate_tokens(user_message(paper, first)),
        "has_core": ours is not None,
        "core_share": ours["share"] if ours else None,
        "core_represented": ours["represented"] if ours else None,
        "whole_core_share": base_whole["share"] if base_whole else None,
        "first_core_share": base_first["share"] if base_first else None,
        "first_core_represented": base_first["represented"] if base_first else None,
    }


async def rerun_tokens() -> dict:
    """A small day run twice against FakeOpenAI: tokens asked for on each run."""
    from arxiv_digest.wiring import digest_options, open_digest
    from tests.fakes.arxiv_server import FakeArxiv
    from tests.fakes.openai_server import FakeOpenAI
    from tests.pipeline.test_digest import DAY, make_settings, method_pdf, paper, serve_day

    papers = [
        paper(f"2602.0070{n}", f"Vision-Language-Action Models, Part {n}", "We study robots.")
        for n in range(1, 4)
    ]
    runs = []
    with FakeArxiv() as arxiv, FakeOpenAI() as llm, tempfile.TemporaryDirectory() as tmp:
        serve_day(arxiv, DAY, papers)  # type: ignore[arg-type]
        for p in papers:
            arxiv.pdfs[p.versioned_id] = method_pdf(p.title)  # type: ignore[attr-defined]
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'rerun.sqlite3'}"
        settings = make_settings(arxiv, llm, url, Path(tmp))  # type: ignore[arg-type]
        for _ in range(2):
            before = len(llm.completions)
            async with open_digest(settings, digest_options(settings)) as digest:
                outcome = await digest.run()
                digest.feeds.forget()
            asked = llm.completions[before:]
            prompt = sum(
                len("\n".join(str(m.get("content") or "") for m in c["messages"])) // 4
                for c in asked
            )
            runs.append(
                {
                    "llm_requests": len(asked),
                    "prompt_tokens_asked": prompt,
                    "stats_prompt_tokens": outcome.stats.prompt_tokens,
                    "stats_completion_tokens": outcome.stats.completion_tokens,
                    "entries": len(outcome.report.entries),
                }
            )
    return {"papers": len(papers), "first": runs[0], "second": runs[1]}


def run(smoke: bool = False, max_files: int | None = None) -> dict:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    budget = settings.llm_input_token_budget
    result: dict = {
        "input_budget": budget,
        "output_budget": settings.llm_max_output_tokens,
        "system_tokens": estimate_tokens(system_prompt("en")),
        "rerun": asyncio.run(rerun_tokens()),
    }
    files = corpus_pdfs(2 if smoke else max_files)
    if not files:
        result["skipped"] = f"no corpus PDFs in {CORPUS}"
        return result
    rows = [measure_paper(path, budget) for path in files]
    read = [r for r in rows if "skipped" not in r]
    with_core = [r for r in read if r["has_core"]]
    result |= {
        "files": len(files),
        "per_file": rows,
        "within_budget": all(r["body_tokens"] <= budget for r in read),
        "max_body_tokens": max((r["body_tokens"] for r in read), default=0),
        "mean_message_tokens": _mean([r["message_tokens"] for r in read]),
        "mean_whole_tokens": _mean([r["whole_tokens"] for r in read]),
        "mean_first_tokens": _mean([r["first_tokens"] for r in read]),
        "papers_with_core": len(with_core),
        "core_represented_all": all(r["core_represented"] for r in with_core),
        "first_core_represented": sum(bool(r["first_core_represented"]) for r in with_core),
        "mean_core_share": _mean([r["core_share"] for r in with_core]),
        "mean_whole_core_share": _mean([r["whole_core_share"] for r in with_core]),
        "mean_first_core_share": _mean([r["first_core_share"] for r in with_core]),
    }
    return result


def _mean(values: list) -> float:
    return sum(values) / len(values) if values else 0.0


def report(result: dict) -> str:
    r = result
    first, second = r["rerun"]["first"], r["rerun"]["second"]
    lines = [
        "tokens are our estimate (estimate_tokens: ~4 characters a token), not a tokenizer's",
        f"input budget (LLM_INPUT_TOKEN_BUDGET) {r['input_budget']:,} tokens for the full text; "
        f"the system prompt adds {r['system_tokens']:,} tokens to every call",
        f"completion: at most LLM_MAX_OUTPUT_TOKENS = {r['output_budget']:,} tokens a call "
        "(the fake LLM's completion counts are not meaningful)",
        f"rerun of the same day ({r['rerun']['papers']} papers, FakeOpenAI): first run "
        f"{first['llm_requests']} calls, {first['prompt_tokens_asked']:,} prompt tokens asked; "
        f"second run {second['llm_requests']} calls, {second['prompt_tokens_asked']:,} prompt "
        f"tokens asked (target 0: {'met' if second['llm_requests'] == 0 else 'missed'})",
    ]
    if "skipped" in r:
        return "\n".join([*lines, f"corpus part skipped: {r['skipped']}"])
    lines += [
        f"{r['files']} corpus PDFs; user-message tokens per paper, and share of the method + "
        "experiments text that reaches the model",
        f"{'file':<48}{'ours':>7}{'whole':>8}{'first4k':>8}{'M+E ours':>10}{'whole':>7}"
        f"{'first4k':>8}",
    ]
    for row in r["per_file"]:
        if "skipped" in row:
            lines.append(f"{row['file'][:47]:<48}  unreadable: {row['skipped']}")
            continue
        share = (
            f"{row['core_share']:>10.0%}{row['whole_core_share']:>7.0%}"
            f"{row['first_core_share']:>8.0%}"
            if row["has_core"]
            else "  (no method/experiments sections)"
        )
        lines.append(
            f"{row['file'][:47]:<48}{row['message_tokens']:>7,}{row['whole_tokens']:>8,}"
            f"{row['first_tokens']:>8,}{share}"
        )
    within = "met" if r["within_budget"] else "missed"
    core = "met" if r["core_represented_all"] else "missed"
    lines += [
        f"mean user-message tokens: ours {r['mean_message_tokens']:,.0f}, whole text "
        f"{r['mean_whole_tokens']:,.0f}, first 4,000 tokens {r['mean_first_tokens']:,.0f}",
        f"mean share of method + experiments sent ({r['papers_with_core']} papers have them): "
        f"ours {r['mean_core_share']:.0%}, whole {r['mean_whole_core_share']:.0%}, "
        f"first 4,000 tokens {r['mean_first_core_share']:.0%}",
        f"fitted full text within the budget in every paper (max {r['max_body_tokens']:,}): "
        f"{within}; method and experiments represented in every paper that has them: {core} "
        f"(first 4,000 tokens: {r['first_core_represented']}/{r['papers_with_core']})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2 corpus PDFs")
    parser.add_argument("--files", type=int, default=None, help="only the first N corpus PDFs")
    args = parser.parse_args(argv)
    print(report(run(args.smoke, args.files)))


if __name__ == "__main__":
    main()
