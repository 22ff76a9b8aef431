"""The words around a paper and a day: report and card labels, statuses, notes to the reader."""

from __future__ import annotations

from domain.messages.types import Texts

TEXTS: Texts = {}
