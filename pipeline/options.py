"""Whose report a run builds: its categories, keywords, language and where it is kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class DigestOptions:
    categories: list[str]
    keywords: list[str]
    language: str = "en"
    include_replacements: bool = True
    input_token_budget: int = 12000
    reports_dir: Path = Path("reports")
    scope: str = "default"
    write_markdown: bool = True  # False: the report is kept in the database only (chat scopes)
