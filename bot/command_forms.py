"""The parsed forms of the chat's commands: plain values, one per command, that
`bot.commands.parse_command` makes from what was typed and the chat core answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.export_query import ExportRequest
from pipeline.ids import ArxivId

if TYPE_CHECKING:
    from bot.search_query import SearchRequest


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Summarize:
    paper: ArxivId


@dataclass(frozen=True, slots=True)
class Ask:
    """A question about any paper, or across the archive (`paper` None); its length is checked
    where it is answered."""

    paper: ArxivId | None
    question: str


@dataclass(frozen=True, slots=True)
class Keyword:
    display: str  # as typed, stripped
    key: str  # parse_keyword(display).key: equal keys are the same keyword


@dataclass(frozen=True, slots=True)
class KeywordsAdd:
    keywords: tuple[Keyword, ...]
    for_chat: bool = False  # the chat's own keywords rather than the caller's


@dataclass(frozen=True, slots=True)
class KeywordsRemove:
    keywords: tuple[Keyword, ...]
    for_chat: bool = False


@dataclass(frozen=True, slots=True)
class KeywordsList:
    pass


@dataclass(frozen=True, slots=True)
class Report:
    day: date | None  # None: the latest


@dataclass(frozen=True, slots=True)
class DigestHere:
    pass


@dataclass(frozen=True, slots=True)
class DigestOff:
    pass


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """Nothing set and nothing reset: show the settings."""

    categories: tuple[str, ...] | None = None  # None: unchanged
    language: str | None = None  # None: unchanged
    reset: frozenset[str] = frozenset()  # "categories", "language": back to the configured

    @property
    def changes(self) -> bool:
        return self.categories is not None or self.language is not None or bool(self.reset)


@dataclass(frozen=True, slots=True)
class DigestDm:
    on: bool


@dataclass(frozen=True, slots=True)
class Why:
    paper: ArxivId


@dataclass(frozen=True, slots=True)
class Interests:
    pass


@dataclass(frozen=True, slots=True)
class InterestsReset:
    pass


@dataclass(frozen=True, slots=True)
class InterestsAdd:
    papers: tuple[str, ...]  # as typed, each checked as it is added: a bad one is named then


@dataclass(frozen=True, slots=True)
class Search:
    """`search KV-cache since:2026-01-01 liked`: words and filters, read by `parse_search`."""

    request: SearchRequest


@dataclass(frozen=True, slots=True)
class Saved:
    pass


@dataclass(frozen=True, slots=True)
class Export:
    request: ExportRequest


Command = (
    Help
    | Summarize
    | KeywordsAdd
    | KeywordsRemove
    | KeywordsList
    | Report
    | DigestHere
    | DigestOff
    | DigestSettings
    | DigestDm
    | Why
    | Interests
    | InterestsReset
    | InterestsAdd
    | Ask
    | Search
    | Saved
    | Export
)
