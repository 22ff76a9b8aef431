"""What a chat shows of an answer to a question, before any platform's markup.

Decided once for both platforms. About a paper: its short title and link, the question as
asked, the answer (its citations' labels are inline already), the sources it cites, and the
notes a reader needs to weigh it: not grounded, no PDF, answered before, or no answer at all
(the engine's notes, `domain/messages/questions.py`). Across the archive: a "From the archive"
heading instead of a paper, the question, the answer (or the line that the archive holds
nothing on it), and each paper it cites on a line of its own, its arXiv id linked to its page
with where it was quoted and its short title. Text is plain.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.platform import AnswerReply
from bot.why_answers import short
from domain.messages import text
from domain.models import Citation
from pipeline.markdown import inline
from pipeline.qa.answers import ArchiveAnswer, ArchiveCitation, PaperAnswer

TITLE_CHARACTERS = 80


@dataclass(frozen=True, slots=True)
class CitedPaper:
    """A paper an answer across the archive rests on, as one line of its sources."""

    arxiv_id: str  # shown as the link's text
    url: str  # its arXiv page
    where: str  # "§4.2, p. 6; §5, p. 8"; empty when only its abstract or analysis was used
    title: str  # short, on one line


@dataclass(frozen=True, slots=True)
class AnswerCard:
    url: str  # the paper's arXiv page; empty for an answer across the archive
    title: str  # short, on one line: the paper's, or the archive's heading
    question: str
    body: str  # empty when the model gave no answer
    sources: str  # "Sources: §4.2, p. 6; §5, p. 8", or the archive's "Sources:"; or empty
    notes: tuple[str, ...]
    warnings: tuple[str, ...]  # what went wrong: no answer
    continued: str  # opens a later message of a long answer: format with page and pages
    papers: tuple[CitedPaper, ...] = ()  # an archive answer's sources, listed under `sources`

    @property
    def archive(self) -> bool:
        return not self.url


def answer_card(reply: AnswerReply) -> AnswerCard:
    if isinstance(reply.answer, ArchiveAnswer):
        return _archive_card(reply.answer, reply.language)
    return _paper_card(reply.answer, reply.language)


def _paper_card(answer: PaperAnswer, language: str) -> AnswerCard:
    paper = answer.paper
    labels = list(dict.fromkeys(c.label() for c in answer.citations))
    notes: list[str] = []
    warnings: list[str] = []
    if answer.error is not None:
        warnings.append(answer.error)  # the engine's note, in the question's language
    elif not answer.grounded:
        warnings.append(text("questions.ungrounded", language))
    if answer.error is None and not answer.full_text:
        notes.append(text("questions.abstract_only", language))
    if answer.from_store and answer.error is None:
        notes.append(text("questions.from_store", language))
    return AnswerCard(
        url=paper.abs_url,
        title=short(inline(paper.title) or paper.versioned_id, TITLE_CHARACTERS),
        question=answer.question.strip(),
        body=answer.text.strip() if answer.error is None else "",
        sources=text("asking.sources", language, labels="; ".join(labels)) if labels else "",
        notes=tuple(notes),
        warnings=tuple(warnings),
        continued=text("card.continued", language),
    )


def _archive_card(answer: ArchiveAnswer, language: str) -> AnswerCard:
    answered = answer.error is None and not answer.nothing_found
    warnings: list[str] = []
    if answer.error is not None:
        warnings.append(answer.error)
    elif answered and not answer.grounded:
        warnings.append(text("questions.archive.ungrounded", language))
    notes = (
        [text("questions.archive.from_store", language)] if answered and answer.from_store else []
    )
    papers = _cited_papers(answer.citations) if answered else ()
    return AnswerCard(
        url="",
        title=text("asking.archive.title", language),
        question=answer.question.strip(),
        body=answer.text.strip() if answer.error is None else "",
        sources=text("asking.archive.sources", language) if papers else "",
        notes=tuple(notes),
        warnings=tuple(warnings),
        continued=text("card.continued", language),
        papers=papers,
    )


def _cited_papers(citations: tuple[ArchiveCitation, ...]) -> tuple[CitedPaper, ...]:
    """One line per paper, in the order first cited, each place it was quoted once."""
    places: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for cited in citations:
        where = places.setdefault(cited.arxiv_id, [])
        titles.setdefault(cited.arxiv_id, cited.title)
        if cited.page is not None:
            label = Citation(0, cited.section, cited.page).label()
            if label not in where:
                where.append(label)
    return tuple(
        CitedPaper(
            arxiv_id=arxiv_id,
            url=f"https://arxiv.org/abs/{arxiv_id}",
            where="; ".join(where),
            title=short(inline(titles[arxiv_id]), TITLE_CHARACTERS),
        )
        for arxiv_id, where in places.items()
    )
