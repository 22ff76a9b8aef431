"""The configured secrets, masked in any text before it leaves the process or is stored.

Servers quote secrets back in their errors ("Incorrect API key provided: sk-…", a proxy echoing
the `Authorization` header, a URL with the bot token in its path), and SDKs change what their
exceptions carry. So masking works from what we know, the secrets we were configured with, in
every form a server may write them, never from what an exception says it sent.

It lives on the ground floor because every layer masks with it: storage its rows, the pipeline
its reports and analysis notes, the chat adapters their messages, the command line its output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar
from urllib.parse import quote, quote_plus

MASK = "***"

# Shorter values are not masked: masking a two-letter password would garble every text. The
# command line warns about them at start-up.
MIN_SECRET_LENGTH = 6

T = TypeVar("T")


class Redactor:
    """Masks every configured secret, and each form a server may quote it in, as `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        given = {s for s in secrets if s}
        self.too_short = sorted(s for s in given if len(s) < MIN_SECRET_LENGTH)
        forms = {form for s in given - set(self.too_short) for form in _forms(s)}
        forms = {f for f in forms if len(f) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(forms, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def deep(self, value: T) -> T:
        """`value` with every string in it masked: dicts, lists and tuples are walked."""
        if self._pattern is None:
            return value
        return _walk(value, self)  # type: ignore[return-value]  # same shape, strings masked


def _forms(secret: str) -> set[str]:
    """The secret as written, URL-encoded, JSON-escaped; a Telegram token's secret half too
    (`123456:ABC…`: a server may quote only the part after the bot's id)."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms.add(json.dumps(secret)[1:-1])
    bot_id, colon, half = secret.partition(":")
    if colon and bot_id.isdigit():
        forms.add(half)
    return forms


def _walk(value: object, redact: Redactor) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {key: _walk(item, redact) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, redact) for item in value]
    if isinstance(value, tuple):
        return tuple(_walk(item, redact) for item in value)
    return value


NO_SECRETS = Redactor()
