"""The process asks glibc for few heaps, unless MALLOC_ARENA_MAX already says how many."""

from __future__ import annotations

import sys

import pytest

from arxiv_digest.heaps import limit_heaps


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_heaps_are_limited_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_heaps() is True
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    assert limit_heaps() is False
