"""The project's exception tree, rooted at `ArxivDigestError`.

An error carries a catalogue key and its values rather than words, so the chat can tell a user
in the chat's language (`exc.message("zh")`) while `str(exc)` stays English for logs and the
command line. `DigestError` is the branch a chat user can be told; the platforms' errors
(`bot.platform.PlatformError`) are the operator's.
"""

from __future__ import annotations

from typing import Any

from domain.messages import ENGLISH, text


class ArxivDigestError(Exception):
    """Root of every error the project raises on purpose; `key` names its catalogue text."""

    key: str = "errors.unexpected"

    def __init__(self, key: str | None = None, /, **values: object) -> None:
        self.key = key or type(self).key
        self.values = values
        super().__init__(self.message(ENGLISH))

    def message(self, language: str = ENGLISH) -> str:
        """The text for a reader of `language` (English where the catalogue lacks it)."""
        return text(self.key, language, **self.values)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from key and values: errors cross process pools (PDF reading) pickled.
        return _rebuild, (type(self), self.key, self.values, self.__dict__)


def _rebuild(
    cls: type[ArxivDigestError], key: str, values: dict[str, object], state: dict[str, Any]
) -> ArxivDigestError:
    error = cls.__new__(cls)
    ArxivDigestError.__init__(error, key, **values)
    error.__dict__.update(state)
    return error


class LocalModelMissing(ArxivDigestError):
    """The local embedding model was chosen but its optional packages are not installed."""

    key = "errors.local_model_missing"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(type(self).key, missing=", ".join(missing))
        self.missing = missing


class DigestError(ArxivDigestError):
    """What a user can be told: a mistake in what they asked, or a source that failed."""


class TechnicalError(DigestError):
    """An error whose `detail` is technical (an HTTP status, a damaged file) and stays English;
    the catalogue puts it after a lead in the reader's language."""

    def __init__(self, detail: str) -> None:
        super().__init__(type(self).key, detail=detail)
        self.detail = detail


class FeedUnavailable(TechnicalError):
    """The RSS feed or the API could not be read (network, HTTP error, unparsable body)."""

    key = "errors.feed_unavailable"


class PdfUnavailable(TechnicalError):
    """The PDF could not be downloaded: HTTP error, timeout, or larger than the cap."""

    key = "errors.pdf_unavailable"


class PdfUnreadable(TechnicalError):
    """The PDF was downloaded but holds no usable text: corrupt, encrypted, scanned, too long."""

    key = "errors.pdf_unreadable"


class AnalysisFailed(TechnicalError):
    """The LLM gave no valid, complete analysis after every retry."""

    key = "errors.analysis_failed"


class InvalidArxivId(DigestError):
    def __init__(self, typed: str) -> None:
        shown = typed if len(typed) <= 80 else typed[:77] + "..."
        super().__init__("errors.invalid_arxiv_id", text=shown)
        self.text = typed


class PaperNotFound(DigestError):
    def __init__(self, arxiv_id: str) -> None:
        super().__init__("errors.paper_not_found", arxiv_id=arxiv_id)
        self.arxiv_id = arxiv_id


class DayNotFetched(DigestError):
    """A day's report was asked for that was never fetched, and arXiv's feed has moved on."""

    def __init__(self, requested: object, carried: object | None) -> None:
        if carried is None:
            super().__init__("errors.day_not_fetched.no_announcements", requested=requested)
        else:
            super().__init__("errors.day_not_fetched", requested=requested, carried=carried)


class InvalidKeyword(DigestError):
    """A keyword that could never match (no letter or digit) or is too long to be one."""

    def __init__(self, keyword: str, *, max_length: int | None = None) -> None:
        if max_length is None:
            super().__init__("errors.keyword_without_letters", keyword=repr(keyword))
        else:
            super().__init__("errors.keyword_too_long", start=keyword[:40], max_length=max_length)
        self.keyword = keyword


class InvalidAuthor(DigestError):
    """An author keyword without a name, or with one too long to be a name."""

    def __init__(self, name: str, *, max_length: int | None = None) -> None:
        if max_length is None:
            super().__init__("errors.author_without_name")
        else:
            super().__init__("errors.author_too_long", start=name[:40], max_length=max_length)
        self.name = name


class EmptyNegative(DigestError):
    """A "-" with no keyword after it: there is nothing to leave out."""

    def __init__(self, keyword: str) -> None:
        super().__init__("errors.negative_without_keyword", keyword=repr(keyword[:40]))
        self.keyword = keyword


class KeywordCapReached(DigestError):
    """Adding these keywords would pass KEYWORDS_PER_USER; the message says how many fit."""

    def __init__(self, *, for_chat: bool, cap: int, held: int, room: int) -> None:
        key = "errors.keyword_cap.chat" if for_chat else "errors.keyword_cap.member"
        super().__init__(key, cap=cap, held=held, room=room)


class LlmNotAllowed(DigestError):
    """The caller did not allow an LLM request and the paper has no stored analysis."""

    def __init__(self, paper: str) -> None:
        super().__init__("errors.no_stored_analysis", paper=paper)


class CommandError(DigestError):
    """A command that cannot be run as typed; its key says why, in one line."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key, **values)
