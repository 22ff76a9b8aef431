"""The catalogue's shape, apart so that each area module can name it."""

from __future__ import annotations

from collections.abc import Mapping

Texts = Mapping[str, Mapping[str, str]]  # key -> language -> template
