"""The pipeline's exception tree; each message is written for the person who will read it."""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error the pipeline reports to a user."""


class InvalidArxivId(DigestError):
    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        super().__init__(
            f"'{shown}' is not an arXiv id or URL (expected e.g. 2602.00780, 2602.00780v2, "
            "cs/9901001 or https://arxiv.org/abs/2602.00780)"
        )
        self.text = text


class PaperNotFound(DigestError):
    def __init__(self, arxiv_id: str) -> None:
        super().__init__(f"arXiv has no paper {arxiv_id}")
        self.arxiv_id = arxiv_id


class FeedUnavailable(DigestError):
    """The RSS feed or the API could not be read (network, HTTP error, unparsable body)."""


class PdfUnavailable(DigestError):
    """The PDF could not be downloaded: HTTP error, timeout, or larger than the cap."""


class PdfUnreadable(DigestError):
    """The PDF was downloaded but holds no usable text: corrupt, encrypted, scanned, too long."""


class AnalysisFailed(DigestError):
    """The LLM gave no valid, complete analysis after every retry."""


class InvalidKeyword(DigestError):
    """A keyword that could never match (no letter or digit) or is too long to be one."""

    def __init__(self, keyword: str, *, max_length: int | None = None) -> None:
        if max_length is None:
            message = f"{keyword!r} is not a keyword: a keyword needs at least one letter or digit"
        else:
            message = (
                f"'{keyword[:40]}...' is too long: a keyword can be at most {max_length} characters"
            )
        super().__init__(message)
        self.keyword = keyword
