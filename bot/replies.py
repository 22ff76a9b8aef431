"""The chat core's text answers, built from the catalogue in the language of the chat."""

from __future__ import annotations

from bot.platform import TextReply
from domain.messages import text


def refusal(language: str, key: str, /, **values: object) -> TextReply:
    """A one-line answer that says what went wrong: shown as an error by the renderers."""
    return TextReply((text(key, language, **values),), is_error=True)


def said(*lines: str) -> TextReply:
    """Lines already in the chat's language, one per line."""
    return TextReply(tuple(lines))


def listed(items: list[str] | tuple[str, ...]) -> str:
    """Keywords or days as typed, in one line."""
    return ", ".join(items)
