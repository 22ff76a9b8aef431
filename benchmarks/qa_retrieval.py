"""Benchmark: does a question about a paper reach the passage that answers it?

Run with `python -m benchmarks.qa_retrieval [--smoke]` (or all benchmarks, `python -m
benchmarks`). On the corpus's real arXiv PDFs, each read as the service reads it, questions are
built from a sentence of a known passage and paraphrased, never copied (`paraphrase`):

1. the sentence's content words only (stop words, numbers, citations and symbols dropped);
2. about a third of them dropped, at random (a reader names a few things, not all);
3. inflections changed: plural ↔ singular, "-ed" ↔ "-ing", "-tion" → "-te" where that makes
   a word ("calibration" → "calibrate");
4. the rest shuffled within small windows, then wrapped in a question template ("What does the
   paper say about …?", "How do the authors handle …?").

For each question it reports recall@k for BM25 alone and fused with the TF-IDF embedder (fitted,
as the service fits it, on stored papers' titles and abstracts: here the corpus's arXiv days),
at k = 1, 3, 5 and at "sent": the passages that fit QA_INPUT_TOKEN_BUDGET with the paper's
abstract, as the prompt builder picks them (target: 90%). Also the retrieval time per question
over the 64-page paper (target: p95 under 20 ms, its index built once), and the tokens a
question sends against the whole paper's.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bm25s.stopwords import STOPWORDS_EN

from domain.models import Paper, Passage
from pipeline.fitting import estimate_tokens
from pipeline.pdf import FullText, extract
from pipeline.qa.asking import DEFAULT_INPUT_TOKEN_BUDGET
from pipeline.qa.prompt import build_prompt
from pipeline.qa.retrieval import Retriever
from pipeline.relevance.embedders import TfidfEmbedder
from pipeline.relevance.vectors import paper_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
LONG_PAPER = "pdf_arXiv_2502.21088v1_hep-ex_64p.pdf"
TARGET_RECALL = 0.90
TARGET_P95_MS = 20.0
PER_PAPER = 12  # questions per paper (the smoke run: 3)
FIT_PAPERS = 5000  # as pipeline.relevance.store.FIT_CORPUS
KS = (1, 3, 5)
_SEED = 20261204
_TEMPLATES = (
    "What does the paper say about {}?",
    "How do the authors handle {}?",
    "Is there anything on {}?",
    "Can you explain {}?",
    "Where is {} discussed?",
    "What about {}?",
)
_MORE_STOP_WORDS = (
    "this that which with from have been were their there these those into also such than "
    "then where when while each more most many other only over both very can could would "
    "should may might must will shall does did its our we they them using used use"
)
_STOP = set(STOPWORDS_EN) | set(_MORE_STOP_WORDS.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z-]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def paraphrase(sentence: str, rng: random.Random) -> str | None:
    """A question about `sentence` in other words (see the module's steps); None when the
    sentence has too few content words to ask about."""
    words = [w for w in _WORD.findall(sentence) if w.lower() not in _STOP and len(w) > 2]
    if len(words) < 6:
        return None
    kept = [w for w in words if rng.random() > 0.35] or words[:3]
    changed = [_inflect(w.lower(), rng) for w in kept]
    window = 3
    shuffled: list[str] = []
    for start in range(0, len(changed), window):
        chunk = changed[start : start + window]
        rng.shuffle(chunk)
        shuffled += chunk
    return rng.choice(_TEMPLATES).format(" ".join(shuffled[:12]))


def _inflect(word: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return word
    if word.endswith("tion") and len(word) > 6:
        return word[:-3] + "e"
    if word.endswith("ed") and len(word) > 5:
        return word[:-2] + "ing"
    if word.endswith("ing") and len(word) > 6:
        return word[:-3] + "ed"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    return word + "s"


@dataclass(slots=True)
class _Case:
    paper: int
    target: int
    question: str


def _questions(papers: list[list[Passage]], per_paper: int) -> list[_Case]:
    rng = random.Random(_SEED)
    cases: list[_Case] = []
    for number, passages in enumerate(papers):
        candidates = [i for i, p in enumerate(passages) if len(p.text.split()) >= 40]
        rng.shuffle(candidates)
        made = 0
        for index in candidates:
            sentences = [s for s in _SENTENCE.split(passages[index].text) if len(s.split()) >= 8]
            if not sentences:
                continue
            question = paraphrase(rng.choice(sentences), rng)
            if question is None:
                continue
            cases.append(_Case(number, index, question))
            made += 1
            if made == per_paper:
                break
    return cases


def _fit_corpus(limit: int) -> list[str]:
    """Titles and abstracts of the corpus's arXiv days, as a store would hold them."""
    texts: list[str] = []
    for path in sorted((CORPUS / "arxiv-days").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                row = json.loads(line)
                texts.append(paper_text(row["title"], row["abstract"]))
                if len(texts) >= limit:
                    return texts
    return texts


def _stand_in(path: Path, full: FullText) -> Paper:
    """The paper as arXiv's metadata would give it: an abstract is at most 1,920 characters."""
    abstract = next((s.text for s in full.sections if s.kind == "abstract"), "")
    return Paper(path.stem, 1, path.stem, [], abstract[:1920], [])


async def _measure(smoke: bool) -> dict:
    files = sorted(CORPUS.glob("pdf_arXiv_*.pdf")) if CORPUS.is_dir() else []
    if smoke:
        files = [f for f in files if f.name == LONG_PAPER or "_6p" in f.name][:3]
    if not files:
        return {"skipped": f"no corpus PDFs in {CORPUS}"}
    papers, texts = [], []
    for path in files:
        full = extract(path.read_bytes())
        papers.append(_stand_in(path, full))
        texts.append(full.passages)
    cases = _questions(texts, 3 if smoke else PER_PAPER)
    tfidf = TfidfEmbedder(_fit_corpus(300 if smoke else FIT_PAPERS))
    rankers = _rankers(tfidf)
    result: dict = {"questions": len(cases), "papers": len(files), "rankers": {}}
    for name, retriever in rankers.items():
        hits = dict.fromkeys([*map(str, KS), "sent"], 0)
        sent_counts, tokens = [], []
        for case in cases:
            passages = texts[case.paper]
            order = await retriever.rank(str(case.paper), passages, case.question)
            for k in KS:
                hits[str(k)] += case.target in order[:k]
            prompt = build_prompt(
                papers[case.paper],
                case.question,
                "en",
                passages=passages,
                ranking=order,
                analysis=None,
                budget=DEFAULT_INPUT_TOKEN_BUDGET,
            )
            hits["sent"] += case.target in prompt.sent
            sent_counts.append(len(prompt.sent))
            tokens.append((prompt.tokens, _paper_tokens(passages)))
        result["rankers"][name] = {
            "recall": {k: v / len(cases) for k, v in hits.items()},
            "sent_median": statistics.median(sent_counts),
            "question_tokens": statistics.median(t for t, _ in tokens),
            "paper_tokens": statistics.median(p for _, p in tokens),
            "tokens_vs_paper": sum(t for t, _ in tokens) / sum(p for _, p in tokens),
        }
    result["timing"] = await _timing(files, texts, tfidf, cases)
    return result


def _rankers(tfidf: TfidfEmbedder) -> dict[str, Retriever]:
    """BM25 alone, and fused with TF-IDF: each new, its indexes not yet built."""

    async def embedder() -> TfidfEmbedder:
        return tfidf

    return {"bm25": Retriever(), "bm25+tfidf": Retriever(embedder)}


def _paper_tokens(passages: list[Passage]) -> int:
    return estimate_tokens("\n\n".join(p.text for p in passages))


async def _timing(
    files: list[Path], texts: list[list[Passage]], tfidf: TfidfEmbedder, cases: list[_Case]
) -> dict:
    """Per-question retrieval time over the long paper's passages, its index already built."""
    names = [f.name for f in files]
    if LONG_PAPER not in names:
        return {}
    number = names.index(LONG_PAPER)
    passages = texts[number]
    questions = [c.question for c in cases] * 2
    timing: dict = {"passages": len(passages)}
    for name, fresh in _rankers(tfidf).items():
        started = time.perf_counter()
        await fresh.rank("long", passages, questions[0])
        cold = time.perf_counter() - started
        samples = []
        for question in questions:
            started = time.perf_counter()
            await fresh.rank("long", passages, question)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        timing[name] = {
            "cold_ms": cold * 1000,
            "p50_ms": samples[len(samples) // 2],
            "p95_ms": samples[int(len(samples) * 0.95) - 1],
        }
    return timing


def run(smoke: bool = False) -> dict:
    return asyncio.run(_measure(smoke))


def report(result: dict) -> str:
    if "skipped" in result:
        return f"skipped: {result['skipped']}"
    lines = [
        f"{result['questions']} paraphrased questions on {result['papers']} corpus papers; "
        f"input budget {DEFAULT_INPUT_TOKEN_BUDGET} tokens",
        f"{'ranker':<12} {'@1':>6} {'@3':>6} {'@5':>6} {'sent':>6} {'n sent':>7} "
        f"{'tokens/paper':>13}",
    ]
    for name, row in result["rankers"].items():
        recall = row["recall"]
        lines.append(
            f"{name:<12} {recall['1']:>6.1%} {recall['3']:>6.1%} {recall['5']:>6.1%} "
            f"{recall['sent']:>6.1%} {row['sent_median']:>7.0f} {row['tokens_vs_paper']:>13.1%}"
        )
    first = next(iter(result["rankers"].values()))
    lines.append(
        f"tokens a question sends (median) {first['question_tokens']:.0f}, a whole paper's "
        f"(median) {first['paper_tokens']:.0f}; tokens/paper is the ratio of their sums"
    )
    best = max(row["recall"]["sent"] for row in result["rankers"].values())
    lines.append(f"recall among the passages sent: {best:.1%} (target {TARGET_RECALL:.0%})")
    timing = result["timing"]
    if timing:
        lines.append(f"retrieval over {LONG_PAPER} ({timing['passages']} passages):")
        for name in result["rankers"]:
            t = timing[name]
            lines.append(
                f"  {name:<12} p50 {t['p50_ms']:.2f} ms, p95 {t['p95_ms']:.2f} ms "
                f"({t['p95_ms'] / TARGET_P95_MS:.2f} of the {TARGET_P95_MS:g} ms target); "
                f"first question (index built) {t['cold_ms']:.0f} ms"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    print(report(run(parser.parse_args().smoke)))


if __name__ == "__main__":
    main()
