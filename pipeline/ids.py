"""arXiv identifiers: parse what people paste (ids, versions, abs/pdf URLs) into one form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.errors import InvalidArxivId

# New style since 2007-04: YYMM.NNNN (to 2014) or YYMM.NNNNN; old style: archive(.SUBJ)/YYMMNNN.
_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})"
# ASCII digits only: `\d` alone would let Arabic-Indic or Devanagari digits through to a URL.
_ID = re.compile(rf"^(?:{_NEW}|{_OLD})(?:v(?P<version>[1-9]\d{{0,3}}))?$", re.ASCII)
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ArxivId:
    base: str  # "2602.00780" or "cs/9901001"
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


# Punctuation a pasted id often comes wrapped in: "(2602.00780).", "<https://arxiv.org/abs/…>"
_LEADING = "([{<'\"“‘«"
_TRAILING = ".,;:!?)]}>'\"”’»"


def clean_text(text: str) -> str:
    """`text` as typed, without what a reader cannot see: NFKC folds fullwidth forms
    ("２６０２．００７８０") into ASCII, and format characters (zero-width spaces, bidi overrides)
    are dropped, except the joiners some scripts and emoji need."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        c for c in folded if c in "\u200c\u200d" or unicodedata.category(c) != "Cf"
    ).strip()


def parse_arxiv_id(text: str) -> ArxivId:
    """Accept `2602.00780`, `2602.00780v2`, `arXiv:2602.00780`, `cs/9901001`, abs/pdf URLs."""
    candidate = clean_text(text)
    if len(candidate) > 200:
        raise InvalidArxivId(text)
    shown = " ".join(candidate.split())  # the error echoes no bidi override or line break
    if candidate.startswith("<") and candidate.endswith(">"):  # Slack's "<url>" or "<url|label>"
        candidate = candidate[1:-1].split("|", 1)[0]
    candidate = candidate.lstrip(_LEADING).rstrip(_TRAILING)
    candidate = _URL_PREFIX.sub("", candidate)
    candidate = re.sub(r"^arxiv:", "", candidate, flags=re.IGNORECASE)
    candidate = candidate.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if candidate.endswith(".pdf"):
        candidate = candidate[: -len(".pdf")]
    match = _ID.match(candidate)
    if match is None:
        raise InvalidArxivId(shown)
    base = match["new"] or match["old"]
    if match["new"] and not _plausible_new_style(base):
        raise InvalidArxivId(shown)
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
