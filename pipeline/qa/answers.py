"""What asking a paper takes and gives back: neutral values the chat core and adapters share."""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Citation, Paper

MAX_QUESTION_CHARS = 1000  # a longer one is refused with a clear line, never cut silently


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks, and where: limits are counted and answers stored per asker."""

    platform: str
    chat_id: str
    user_id: str


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    asker: Asker
    language: str  # the answer's
    follows: int | None = None  # the stored question this one continues (a follow-up)
    # The platform's id of this asking (a Slack view, a Telegram message): delivered twice,
    # it is answered once.
    request_key: str | None = None


@dataclass(frozen=True, slots=True)
class PaperAnswer:
    """An answer as stored and shown. `text` holds the citations' labels inline
    ("… 61.2% (§4.2, p. 6)"); `grounded` is False when no citation named a passage the model
    was given, and the renderer says so."""

    question_id: int
    paper: Paper
    question: str
    text: str
    citations: tuple[Citation, ...]
    grounded: bool
    full_text: bool  # False: no PDF could be read; answered from the abstract and analysis
    from_store: bool  # the same question was answered before: no tokens spent
    duplicate: bool = False  # this asking was answered already (`request_key`): post nothing
    error: str | None = None  # the model failed: a note in the question's language, no answer


@dataclass(frozen=True, slots=True)
class ArchiveCitation:
    """A paper an answer across the archive rests on: where it quoted one of the paper's
    passages, that passage's section and page; where it used the abstract or the stored
    analysis, the paper alone (`page` None)."""

    arxiv_id: str
    title: str  # short, for a chat line
    section: str = ""
    page: int | None = None

    def label(self) -> str:
        """ "2602.00780 §4.2, p. 6", or "2602.00780" for the paper as a whole."""
        if self.page is None:
            return self.arxiv_id
        return f"{self.arxiv_id} {Citation(0, self.section, self.page).label()}"


@dataclass(frozen=True, slots=True)
class ArchiveAnswer:
    """An answer across the archive, as stored and shown. `text` holds the citations' labels
    inline ("… 61.2% [2602.00780 §4.2, p. 6]"); `papers` are those the model was shown;
    `nothing_found`: no stored paper was on the question, and the text says so (no LLM asked)."""

    question_id: int
    question: str
    text: str
    citations: tuple[ArchiveCitation, ...]
    papers: tuple[Paper, ...]
    grounded: bool
    from_store: bool  # the same question was answered today: no tokens spent
    duplicate: bool = False  # this asking was answered already (`request_key`): post nothing
    error: str | None = None  # the model failed or was not asked: a note, no answer
    nothing_found: bool = False
