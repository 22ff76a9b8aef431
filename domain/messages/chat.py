"""What the chat core answers: replies to commands, refusals, help, acknowledgements."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {}
