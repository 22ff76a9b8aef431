"""arXiv identifiers: parse what people paste (ids, versions, abs/pdf URLs) into one form."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import InvalidArxivId

# New style since 2007-04: YYMM.NNNN (to 2014) or YYMM.NNNNN; old style: archive(.SUBJ)/YYMMNNN.
_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
_ID = re.compile(rf"^(?:{_NEW}|{_OLD})(?:v(?P<version>[1-9]\d{{0,3}}))?$")
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ArxivId:
    base: str  # "2602.00780" or "cs/9901001"
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Accept `2602.00780`, `2602.00780v2`, `arXiv:2602.00780`, `cs/9901001`, abs/pdf URLs."""
    candidate = text.strip()
    if len(candidate) > 200:
        raise InvalidArxivId(text)
    candidate = _URL_PREFIX.sub("", candidate)
    candidate = re.sub(r"^arxiv:", "", candidate, flags=re.IGNORECASE)
    candidate = candidate.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if candidate.endswith(".pdf"):
        candidate = candidate[: -len(".pdf")]
    match = _ID.match(candidate)
    if match is None:
        raise InvalidArxivId(text)
    base = match["new"] or match["old"]
    if match["new"] and not _plausible_new_style(base):
        raise InvalidArxivId(text)
    version = int(match["version"]) if match["version"] else None
    return ArxivId(base=base, version=version)


def _plausible_new_style(base: str) -> bool:
    """Month 01-12; four-digit numbers until 2014, five-digit ones from 2015 on."""
    yymm, number = base.split(".")
    if not 1 <= int(yymm[2:]) <= 12:
        return False
    return (len(number) == 5) == (yymm >= "1501")


def split_versioned(text: str) -> tuple[str, int]:
    """`2602.00780v3` → ("2602.00780", 3); a missing version counts as 1."""
    parsed = parse_arxiv_id(text)
    return parsed.base, parsed.version or 1
