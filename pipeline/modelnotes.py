"""Why the model gave no analysis: the note a reader sees instead, in the analysis's language.

Only our sentence is translated; what the endpoint said and its HTTP status are values, kept as
they came (the endpoint's words masked of secrets and cut short). An endpoint's fault is kept as
a `Problem` so that the pause after it can say it again in another call's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import openai

from domain.messages import text
from storage.redaction import Redactor

Problem = tuple[str, Mapping[str, object]]  # a catalogue key and its values
NoteWriter = Callable[[str], str]  # a note, in the language asked for

_ONE_TRY_ENDS_IT = {
    "refused": "note.model.refused",
    "filtered": "note.model.filtered",
    "unreadable": "note.model.not_a_completion",
}
DETAIL_LIMIT = 160


def note(problem: Problem, language: str) -> str:
    """`problem` in `language`, saying that the reader is shown the abstract instead."""
    key, values = problem
    return text("note.model.fallback", language, problem=text(key, language, **values))


def failure_note(failures: Sequence[str], language: str) -> str:
    """Why every attempt at an analysis failed ("length", "invalid", "context", ...)."""
    last = failures[-1]
    if last in _ONE_TRY_ENDS_IT:
        return note((_ONE_TRY_ENDS_IT[last], {}), language)
    counts = {kind: failures.count(kind) for kind in dict.fromkeys(failures)}
    if len(counts) == 1:
        return note((f"note.model.{last}", {"times": _times(len(failures), language)}), language)
    details = text("note.model.each.separator", language).join(
        text(f"note.model.each.{kind}", language, times=_times(n, language))
        for kind, n in counts.items()
    )
    return note(("note.model.attempts", {"count": len(failures), "details": details}), language)


def fault_problem(exc: openai.OpenAIError, timeout: object, redact: Redactor) -> Problem:
    """Why the endpoint gave no analysis; what it said is masked before it is cut short."""
    if isinstance(exc, openai.APITimeoutError):
        seconds = getattr(timeout, "read", timeout)
        if isinstance(seconds, int | float):
            return "note.model.timeout_after", {"seconds": f"{seconds:g}"}
        return "note.model.timeout", {}
    if isinstance(exc, openai.APIConnectionError):
        return "note.model.unreachable", {}
    if isinstance(exc, openai.RateLimitError):
        return "note.model.rate_limited", {}
    if isinstance(exc, openai.InternalServerError):
        return "note.model.server_error", {"status": exc.status_code}
    if isinstance(exc, openai.APIStatusError):
        detail = exc.body.get("message") if isinstance(exc.body, dict) else None
        detail = redact(str(detail or exc.message))
        if len(detail) > DETAIL_LIMIT:
            detail = detail[: DETAIL_LIMIT - 3] + "..."
        return "note.model.request_refused", {"status": exc.status_code, "detail": detail}
    return "note.model.unreadable", {}


def deadline_problem(seconds: float) -> Problem:
    """The answer was still arriving when the whole request's deadline passed."""
    return "note.model.still_arriving", {"seconds": f"{seconds:g}"}


def _times(n: int, language: str) -> str:
    if n in (1, 2, 3):
        return text(f"note.times.{n}", language)
    return text("note.times.n", language, count=n)
