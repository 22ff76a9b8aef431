"""The messages of the error tree (`domain.errors`), one key per error."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {}
