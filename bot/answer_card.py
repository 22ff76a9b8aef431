"""What a chat shows of an answer to a question about a paper, before any platform's markup.

Decided once for both platforms: the paper's short title and link, the question as asked, the
answer (its citations' labels are inline already), the sources it cites, and the notes a
reader needs to weigh it: not grounded, no PDF, answered before, or no answer at all (the
engine's notes, `domain/messages/questions.py`). Text is plain.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.platform import AnswerReply
from bot.why_answers import short
from domain.messages import text
from pipeline.markdown import inline

TITLE_CHARACTERS = 80


@dataclass(frozen=True, slots=True)
class AnswerCard:
    url: str  # the paper's arXiv page
    title: str  # short, on one line
    question: str
    body: str  # empty when the model gave no answer
    sources: str  # "Sources: §4.2, p. 6; §5, p. 8"; empty without citations
    notes: tuple[str, ...]
    warnings: tuple[str, ...]  # what went wrong: no answer
    continued: str  # opens a later message of a long answer: format with page and pages


def answer_card(reply: AnswerReply) -> AnswerCard:
    answer, language = reply.answer, reply.language
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
