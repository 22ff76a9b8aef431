"""Benchmark: the keyword matcher against one regex per keyword, on seeded synthetic papers.

Run with `python -m benchmarks.matching [--papers N] [--keywords N]`. The target is for a day's
worst case: 10,000 keywords against 2,000 papers in well under half a second.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

from pipeline.matching import KeywordMatcher

TARGET_SECONDS = 0.5
FULL_PAPERS = 2_000
FULL_KEYWORDS = 10_000
BASELINE_BUDGET_SECONDS = 30.0  # beyond this the baseline is timed on a subset and scaled
_SUBSET_SECONDS = 10.0
_SEED = 20260211

_TERMS = """
vision language action model policy robot manipulation grasping navigation planning reward
reinforcement learning imitation diffusion transformer attention token embedding encoder decoder
latent representation contrastive pretraining finetuning adapter prompt instruction alignment
preference optimization gradient descent stochastic convergence bound regret bandit graph neural
network convolutional recurrent memory retrieval augmented generation reasoning chain thought
benchmark dataset evaluation metric accuracy robustness adversarial attack defense privacy
federated distillation quantization pruning sparsity mixture expert scaling law compute inference
latency throughput kernel sampling variational autoencoder flow matching score energy based
segmentation detection tracking depth estimation point cloud lidar camera sensor fusion mapping
localization trajectory control dynamics simulation sim real transfer domain adaptation
generalization uncertainty calibration bayesian posterior prior causal counterfactual
explanation interpretability probing circuit feature steering hallucination factuality agent
tool multimodal speech audio video image caption question answering summarization translation
code program synthesis theorem proving mathematics physics chemistry protein molecule material
""".split()  # noqa: SIM905 (a block of words reads better than 150 quoted strings)
_FILLER = """
the of and to in a we is for that on with this by our an are as from be which can it these
show propose method approach results new both over than more while however also each into
using based across under two three first paper work study demonstrate achieve outperform
existing prior significantly further effectively simple novel framework task tasks setting
""".split()  # noqa: SIM905
_DASHES = ("-", "\u2013", "\u2014")


def _keywords(rng: random.Random, count: int) -> list[str]:
    """Distinct keywords of one to four words, a fifth of them acronyms."""
    keywords: dict[str, str] = {}
    while len(keywords) < count:
        if rng.random() < 0.2:
            size = rng.randint(2, 5)
            word = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(size))
            keyword = word + (str(rng.randint(1, 9)) if rng.random() < 0.2 else "")
        else:
            keyword = " ".join(rng.choices(_TERMS, k=rng.choice((1, 2, 2, 3, 3, 4))))
        keywords.setdefault(keyword.casefold(), keyword)
    return list(keywords.values())


def _variant(rng: random.Random, keyword: str) -> str:
    """The keyword as a paper might write it: dashed, capitalised, plural, in brackets."""
    words = keyword.split()
    choice = rng.randrange(6)
    if choice == 0 and len(words) > 1:
        return rng.choice(_DASHES).join(word.capitalize() for word in words)
    if choice == 1:
        plural = words[-1] + ("es" if words[-1].endswith("s") else "s")
        return " ".join([*words[:-1], plural])
    if choice == 2:
        return f"({keyword.upper()})"
    if choice == 3:
        return "Net" + words[0]  # a near miss: part of a longer word
    return keyword


def _sentence(rng: random.Random, keywords: list[str], words: int) -> str:
    picked = [
        rng.choice(_TERMS) if rng.random() < 0.35 else rng.choice(_FILLER) for _ in range(words)
    ]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        picked.insert(rng.randrange(len(picked) + 1), _variant(rng, rng.choice(keywords)))
    if rng.random() < 0.3:
        picked.insert(rng.randrange(1, len(picked)), ",")
    return " ".join(picked).replace(" ,", ",")


def _papers(rng: random.Random, count: int, keywords: list[str]) -> list[tuple[str, str]]:
    papers = []
    for _ in range(count):
        title = _sentence(rng, keywords, rng.randint(6, 12)).title()
        abstract = ""
        while len(abstract) < 1_500:
            abstract += _sentence(rng, keywords, rng.randint(10, 24)).capitalize() + ". "
        papers.append((title, abstract.strip()))
    return papers


def _baseline_pattern(key: str) -> re.Pattern[str]:
    """The same rules as far as one regex per keyword can say them (ASCII keywords only)."""
    words = [re.escape(word) + ("(?:e?s)?" if len(word) >= 2 else "") for word in key.split()]
    return re.compile(r"\b" + r"[\s\-\u2010-\u2015]+".join(words) + r"\b", re.IGNORECASE)


def _baseline_match(
    patterns: list[tuple[str, re.Pattern[str]]], title: str, abstract: str
) -> set[str]:
    return {key for key, pattern in patterns if pattern.search(title) or pattern.search(abstract)}


def run(papers: int, keywords: int) -> dict[str, float]:
    """Time both matchers on the same synthetic day; seconds, ratios and counts as floats."""
    rng = random.Random(_SEED)
    given = _keywords(rng, keywords)
    corpus = _papers(rng, papers, given)

    started = time.perf_counter()
    matcher = KeywordMatcher(given)
    build = time.perf_counter() - started
    timings, found = [], []
    for _ in range(3):
        started = time.perf_counter()
        found = [set(matcher.match_paper(title, abstract)) for title, abstract in corpus]
        timings.append(time.perf_counter() - started)
    match = statistics.median(timings)

    started = time.perf_counter()
    patterns = [(key, _baseline_pattern(key)) for key in matcher.keys if key.isascii()]
    baseline_build = time.perf_counter() - started
    expressible = {key for key, _ in patterns}
    baseline_found: list[set[str]] = []
    subset = papers
    started = time.perf_counter()
    for index, (title, abstract) in enumerate(corpus):
        if index == subset:
            break
        baseline_found.append(_baseline_match(patterns, title, abstract))
        if index == min(19, papers - 1) and subset == papers:
            projected = (time.perf_counter() - started) * papers / (index + 1)
            if projected > BASELINE_BUDGET_SECONDS:
                subset = max(index + 1, round(papers * _SUBSET_SECONDS / projected))
    baseline_match = (time.perf_counter() - started) * papers / max(subset, 1)

    agreeing = sum(
        (ours & expressible) == theirs for ours, theirs in zip(found, baseline_found, strict=False)
    )
    return {
        "papers": float(papers),
        "keywords": float(len(matcher.keys)),
        "matches": float(sum(map(len, found))),
        "matcher_build_s": build,
        "matcher_match_s": match,
        "baseline_build_s": baseline_build,
        "baseline_match_s": baseline_match,
        "baseline_papers_timed": float(subset),
        "speedup": baseline_match / match if match else float("inf"),
        "agreement": agreeing / subset if subset else 1.0,
        "target_met": float(build + match < TARGET_SECONDS),
    }


def report(result: dict[str, float]) -> str:
    papers, timed = int(result["papers"]), int(result["baseline_papers_timed"])
    scaled = "*" if timed < papers else ""
    full = papers >= FULL_PAPERS and result["keywords"] >= FULL_KEYWORDS
    verdict = "met" if result["target_met"] else "missed"
    lines = [
        f"keyword matching: {papers} papers x {int(result['keywords'])} keywords, "
        f"{int(result['matches'])} matches",
        f"{'':<28}{'build':>10}{'match':>12}",
        f"{'matcher (token trie)':<28}{result['matcher_build_s']:>9.3f}s"
        f"{result['matcher_match_s']:>11.3f}s",
        f"{'baseline (regex/keyword)':<28}{result['baseline_build_s']:>9.3f}s"
        f"{result['baseline_match_s']:>11.3f}s{scaled}",
        f"speed-up (match): {result['speedup']:,.0f}x",
        f"agreement: {result['agreement']:.1%} of {timed} papers find the same keywords",
        f"target < {TARGET_SECONDS} s (build + match): {verdict}"
        + ("" if full else f" (the target is set for {FULL_PAPERS} x {FULL_KEYWORDS})"),
        "matcher match time is the median of 3 runs",
    ]
    if scaled:
        lines.append(f"* baseline timed on {timed} of {papers} papers and scaled to all")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=FULL_PAPERS)
    parser.add_argument("--keywords", type=int, default=FULL_KEYWORDS)
    args = parser.parse_args(argv)
    print(report(run(args.papers, args.keywords)))


if __name__ == "__main__":
    main()
