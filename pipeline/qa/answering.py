"""One question, one structured request: the model's paragraphs and the passages they cite, made
into the text a reader sees, with each citation's section and page written in by us.

The model only names passage numbers; a number it was not given is dropped (it cannot point a
reader anywhere), and an answer left without any citation is marked as not grounded. Model and
endpoint faults never escape: the result carries a note in the question's language instead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import openai
import pydantic

from domain.messages import ENGLISH, text
from domain.models import Citation, Passage
from pipeline.admission import PrioritySlots
from pipeline.analyse import strip_chatter
from pipeline.modelnotes import NoteWriter, Problem, deadline_problem, fault_problem
from pipeline.qa.prompt import PassageAnswer, Prompt
from pipeline.structured import StructuredEndpoint, json_candidates
from storage.redaction import NO_SECRETS, Redactor

MAX_OUTPUT_TOKENS = 1200

# "[3]", "[2, 5]", "[Passage 4]": the model's own references, replaced by our labels.
_INLINE_CITES = re.compile(r"\s*\[(?:passages?\s*)?(\d+(?:\s*[,;]\s*\d+)*)\]", re.IGNORECASE)
_FAILURES: dict[str, Problem] = {
    "length": ("questions.model.length", {}),
    "invalid": ("questions.model.invalid", {}),
    "refused": ("questions.model.refused", {}),
    "context": ("questions.model.context", {}),
    "filtered": ("note.model.filtered", {}),
    "unreadable": ("note.model.not_a_completion", {}),
}

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Labels:
    """How an answer names what it cites: one passage's label (from its index into the
    passages and the passage), a paragraph's labels put together, and the catalogue key of the
    line an answer the passages do not hold opens with."""

    label: Callable[[int, Passage], str]
    group: Callable[[list[str]], str]
    not_said: str


def _in_parentheses(labels: list[str]) -> str:
    return f"({'; '.join(labels)})"


# One paper's: "… 61.2% (§4.2, p. 6)."
PAPER_LABELS = Labels(
    label=lambda index, passage: Citation(index, passage.section, passage.page).label(),
    group=_in_parentheses,
    not_said="questions.not_said",
)


@dataclass(slots=True)
class Drafted:
    """The outcome of asking the model: an answer's text and citations, or an `error` note."""

    text: str = ""
    citations: tuple[Citation, ...] = ()
    found: bool = True
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    dropped: list[int] = field(default_factory=list)  # cited numbers that named no passage

    @property
    def grounded(self) -> bool:
        return bool(self.citations)


class Answerer:
    """Asks the analyses' endpoint, in the analyses' slots (one bound on requests in flight)."""

    def __init__(
        self,
        endpoint: StructuredEndpoint,
        slots: PrioritySlots,
        *,
        max_output_tokens: int = MAX_OUTPUT_TOKENS,
        redact: Redactor = NO_SECRETS,
    ) -> None:
        self._endpoint = endpoint
        self._slots = slots
        self._max_output_tokens = max_output_tokens
        self._redact = redact

    @property
    def model(self) -> str:
        return self._endpoint.model

    async def answer(
        self,
        prompt: Prompt,
        passages: Sequence[Passage],
        language: str,
        labels: Labels = PAPER_LABELS,
    ) -> Drafted:
        drafted = Drafted()
        writer: NoteWriter | None = None
        async with self._slots:
            try:
                reply = await self._endpoint.ask(
                    prompt.messages, PassageAnswer, self._max_output_tokens
                )
            except openai.OpenAIError as exc:
                problem = fault_problem(exc, self._endpoint.client.timeout, self._redact)
                writer = partial(_failed, problem)
                log.warning("a question could not be answered: %s", exc)
            except TimeoutError:
                writer = partial(_failed, deadline_problem(self._endpoint.request_deadline or 0))
                log.warning("a question could not be answered: %s", writer(ENGLISH))
        if writer is not None:
            drafted.error = writer(language)
            return drafted
        drafted.prompt_tokens, drafted.completion_tokens = reply.tokens
        parsed = parse_answer(reply.content) if reply.failure is None else None
        failure = reply.failure or ("invalid" if parsed is None else None)
        if parsed is not None:
            failure = (
                None
                if render(parsed, prompt.sent, passages, language, drafted, labels)
                else "invalid"
            )
        if failure is not None:
            log.warning("a question could not be answered: the model's reply was %s", failure)
            drafted.error = _failed(_FAILURES[failure], language)
            drafted.text, drafted.citations = "", ()
        return drafted


def _failed(problem: Problem, language: str) -> str:
    key, values = problem
    return text("questions.failed", language, problem=text(key, language, **values))


def parse_answer(content: str | None) -> PassageAnswer | None:
    """The answer in `content`, also when wrapped in a code fence or a sentence; else None."""
    if not content:
        return None
    for candidate in json_candidates(content):
        try:
            return PassageAnswer.model_validate_json(candidate)
        except pydantic.ValidationError:
            continue
    return None


def render(
    answer: PassageAnswer,
    sent: Sequence[int],
    passages: Sequence[Passage],
    language: str,
    into: Drafted,
    labels: Labels = PAPER_LABELS,
) -> bool:
    """Fill `into` with the answer's text, each paragraph ending in its citations' labels;
    False when no paragraph has any text left. A citation's `passage` is its index into
    `passages`."""
    paragraphs: list[str] = []
    citations: dict[int, Citation] = {}
    for part in answer.paragraphs:
        inline = [
            int(n) for m in _INLINE_CITES.finditer(part.text) for n in re.findall(r"\d+", m[1])
        ]
        body = strip_chatter(_INLINE_CITES.sub("", part.text)).strip()
        if not body:
            continue
        cited: list[str] = []
        for number in dict.fromkeys([*part.cites, *inline]):
            if not 1 <= number <= len(sent):
                into.dropped.append(number)
                continue
            index = sent[number - 1]
            passage = passages[index]
            citations.setdefault(index, Citation(index, passage.section, passage.page))
            label = labels.label(index, passage)
            if label not in cited:
                cited.append(label)
        paragraphs.append(_with_labels(body, labels.group(cited) if cited else ""))
    if not paragraphs:
        return False
    not_said = text(labels.not_said, language)
    if not answer.found and not paragraphs[0].startswith(not_said.rstrip(".。")):
        paragraphs.insert(0, not_said)
    into.text = "\n\n".join(paragraphs)
    into.citations = tuple(citations.values())
    into.found = answer.found
    return True


def _with_labels(body: str, where: str) -> str:
    """ "… 61.2% (§4.2, p. 6)." : the labels before the paragraph's last full stop."""
    if not where:
        return body
    if body[-1] in ".。!！?？" and not body.endswith("..."):
        return f"{body[:-1]} {where}{body[-1]}"
    return f"{body} {where}"
