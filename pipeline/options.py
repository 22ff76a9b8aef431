"""Whose report a run builds: its categories, keywords, language and where it is kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from domain.models import TasteOwner


@dataclass(slots=True)
class DigestOptions:
    categories: list[str]
    keywords: list[str]  # every owner's, for the report to show
    language: str = "en"
    include_replacements: bool = True
    input_token_budget: int = 12000
    reports_dir: Path = Path("reports")
    scope: str = "default"
    write_markdown: bool = True  # False: the report is kept in the database only (chat scopes)
    # Each owner's keywords, when several own them (a chat and its members): an owner's
    # negative keywords leave out only what that owner's other keywords selected.
    # Empty: `keywords` all belong to one owner.
    keyword_owners: list[list[str]] = field(default_factory=list)
    # Whose votes order the day (None: keyword order, then the feed's).
    taste_owner: TasteOwner | None = None
    max_papers: int = 25  # analysed in full per report; the rest are listed only (0: no cap)
    suggestions: int = 3  # papers no keyword matched, added when the taste ranks them high
