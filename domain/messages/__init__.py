"""Every text a chat user or a report reader sees, in each language a chat can choose.

Texts are kept by key, one module per area, as `{key: {"en": …, "zh": …}}`; code names the key
and its values, never the words. `text("keywords.added", "zh", ...)` picks the chat's language
and falls back to English for a language the catalogue lacks.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.messages import (
    archive,
    asking,
    chat,
    errors,
    notes,
    questions,
    ranking,
    report,
    weekly,
)
from domain.messages.types import Texts

ENGLISH = "en"
LANGUAGES = ("en", "zh")


def _merge(*areas: Texts) -> dict[str, Mapping[str, str]]:
    merged: dict[str, Mapping[str, str]] = {}
    for area in areas:
        for key, by_language in area.items():
            if key in merged:
                raise ValueError(f"message key {key!r} is defined twice")
            merged[key] = by_language
    return merged


CATALOGUE = _merge(
    chat.TEXTS,
    errors.TEXTS,
    report.TEXTS,
    notes.TEXTS,
    ranking.TEXTS,
    questions.TEXTS,
    archive.TEXTS,
    asking.TEXTS,
    weekly.TEXTS,
)


def text(key: str, language: str = ENGLISH, /, **values: object) -> str:
    """The text of `key` in `language` (else English), with `values` filled in."""
    by_language = CATALOGUE[key]
    template = by_language.get(language) or by_language[ENGLISH]
    return template.format(**values) if values else template
