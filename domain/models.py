"""The plain data every layer hands around: a paper, a feed day, an analysis. No I/O, no ORM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class AnnounceType(StrEnum):
    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"

    @property
    def is_replacement(self) -> bool:
        return self in (AnnounceType.REPLACE, AnnounceType.REPLACE_CROSS)


@dataclass(slots=True)
class Paper:
    """One version of an arXiv paper as announced (feed) or looked up (API)."""

    arxiv_id: str  # without version: "2602.00780" or "cs/9901001"
    version: int
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]  # primary first when known
    announce_type: AnnounceType | None = None  # None when looked up outside a feed
    announced_on: date | None = None
    comments: str | None = None
    doi: str | None = None
    journal_ref: str | None = None

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


@dataclass(slots=True)
class FeedDay:
    """What the RSS feed announced for one set of categories on one day."""

    categories: list[str]
    announced_on: date | None  # None when the feed is empty and carries no date
    papers: list[Paper] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.papers


@dataclass(frozen=True, slots=True)
class TasteOwner:
    """Whose taste a ranking follows: a chat's (its members' votes there) or a person's
    (their votes in every chat of the platform: their DM digest, their own `/why`)."""

    platform: str
    chat_id: str | None = None  # a chat: its members' votes there
    user_id: str | None = None  # a person: their votes everywhere on the platform

    def __post_init__(self) -> None:
        if (self.chat_id is None) == (self.user_id is None):
            raise ValueError("a taste is a chat's or a person's: give one of chat_id, user_id")

    @classmethod
    def chat(cls, platform: str, chat_id: str) -> TasteOwner:
        return cls(platform, chat_id=chat_id)

    @classmethod
    def person(cls, platform: str, user_id: str) -> TasteOwner:
        return cls(platform, user_id=user_id)

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


class PaperAnalysis(BaseModel):
    """The five sections teams read, as the LLM must return them."""

    summary: str = Field(description="A concise overview of the paper in one paragraph.")
    motivation: str = Field(description="The problem and why existing work falls short.")
    contributions: list[str] = Field(description="The paper's main contributions, one per item.")
    method: str = Field(description="How the approach works, with its key components.")
    experiments: str = Field(description="Datasets, baselines, main results and their numbers.")


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of a paper's text (a paragraph or a few), small enough to rank and quote, with
    where a reader finds it: the section's heading as printed ("4.2 Results"; "" before the
    first heading) and the 1-based page it starts on."""

    section: str
    page: int
    text: str


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a claim of an answer comes from: one of the passages the model was given."""

    passage: int  # index into the paper's passages
    section: str
    page: int

    def label(self) -> str:
        """ "§4.2, p. 6": the section's number where it has one, else its heading."""
        number = self.section.split(" ", 1)[0].rstrip(".")
        where = number if number[:1].isdigit() or (number.isupper() and len(number) < 6) else ""
        where = where or self.section
        return f"§{where}, p. {self.page}" if where else f"p. {self.page}"
