"""The catalogue: every key in every language, with the same blanks to fill."""

from __future__ import annotations

import string

import pytest

from domain.messages import CATALOGUE, LANGUAGES, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_language_has_the_key_with_the_same_fields(key: str) -> None:
    by_language = CATALOGUE[key]
    assert set(by_language) == set(LANGUAGES), key
    assert len({frozenset(_fields(t)) for t in by_language.values()}) == 1, key


def test_a_language_the_catalogue_lacks_falls_back_to_english() -> None:
    key = next(iter(CATALOGUE))
    assert text(key, "fr", **dict.fromkeys(_fields(CATALOGUE[key]["en"]), 1)) == text(
        key, "en", **dict.fromkeys(_fields(CATALOGUE[key]["en"]), 1)
    )
