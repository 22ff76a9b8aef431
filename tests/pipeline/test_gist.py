"""A paper in one line: the first sentence of its summary (else its abstract), clipped at a word."""

from __future__ import annotations

import pytest

from pipeline.gist import GIST_LIMIT, clip_words, first_sentence, gist
from tests.samples import sample_analysis, sample_entry


def test_the_gist_is_the_summarys_first_sentence() -> None:
    entry = sample_entry(analysis=sample_analysis(summary="EcoVLA prunes. It is fast!"))
    assert gist(entry) == "EcoVLA prunes."


def test_without_a_summary_the_gist_is_the_abstracts_first_sentence() -> None:
    entry = sample_entry(analysis=None)
    assert gist(entry) == "While VLA models hold promise, their latency hinders real-time control."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We use e.g. the LIBERO suite. Then more.", "We use e.g. the LIBERO suite."),
        ("A 1.6x speed-up at 0.4% loss. Then more.", "A 1.6x speed-up at 0.4% loss."),
        ("Does it work? Yes.", "Does it work?"),
        ("我们提出一种剪枝方法。它很快。", "我们提出一种剪枝方法。"),
        ("基于强化学习的控制！更多内容", "基于强化学习的控制！"),
        ("  One line\n  across   lines. Next.", "One line across lines."),
        ("No sentence end at all", "No sentence end at all"),
    ],
)
def test_a_sentence_ends_where_the_next_one_starts(text: str, expected: str) -> None:
    assert first_sentence(text) == expected


def test_a_long_sentence_is_clipped_at_a_word_with_an_ellipsis() -> None:
    long = "Adaptive pruning " * 30 + "works."
    shown = first_sentence(long)
    assert len(shown) <= GIST_LIMIT and shown.endswith("pruning…")
    assert shown.removesuffix("…") in long


def test_a_run_without_spaces_is_cut_between_characters_with_an_ellipsis() -> None:
    chinese = "基于强化学习" * 40
    shown = first_sentence(chinese, 20)
    assert len(shown) == 20 and shown == chinese[:19] + "…"


@pytest.mark.parametrize("limit", [0, 1, 2, 5, 13])
def test_clipping_never_exceeds_its_limit(limit: int) -> None:
    assert len(clip_words("Vision language action models, pruned", limit)) <= limit
