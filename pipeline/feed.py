"""arXiv's daily RSS feed (or its Atom twin): fetch one set of categories, read it into papers."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import httpx

from domain.errors import FeedUnavailable, InvalidArxivId
from domain.models import AnnounceType, FeedDay, Paper
from pipeline.downloads import RATE_LIMIT_RETRIES, TooLarge, read_capped, retry_after
from pipeline.ids import parse_arxiv_id

log = logging.getLogger(__name__)

# The description opens with "arXiv:2604.21935v1 Announce Type: new" before "Abstract: ...".
_DESCRIPTION_HEAD = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*", re.IGNORECASE
)
_ABSTRACT_LABEL = re.compile(r"^\s*Abstract:\s*", re.IGNORECASE)
_OAI_PREFIX = re.compile(r"^oai:arXiv\.org:", re.IGNORECASE)
# Only real inline HTML tags: a title like "$p<q$ and $r>s$" must survive untouched.
_HTML_TAG = re.compile(
    r"</?(?:a|b|big|br|code|div|em|font|i|p|s|small|span|strong|sub|sup|tt|u)\b[^<>]*>",
    re.IGNORECASE,
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
# A full day of every cs category is a few MB; far more is not a feed we can use.
MAX_FEED_BYTES = 64 * 2**20


def categories_key(categories: list[str]) -> str:
    """The key a feed is stored under: `["cs.LG", "cs.AI", "cs.LG"]` → `"cs.AI+cs.LG"`."""
    return "+".join(sorted({c.strip() for c in categories if c.strip()}))


def incomplete(papers: Iterable[Paper]) -> list[Paper]:
    """Papers the feed left gaps in (no title, authors, abstract or category): look them up."""
    return [p for p in papers if not (p.title and p.authors and p.abstract and p.categories)]


def parse_feed(body: bytes, categories: list[str]) -> FeedDay:
    """Read an RSS 2.0 or Atom feed from rss.arxiv.org; raises FeedUnavailable if it is neither.

    An empty feed (weekends, holidays) is not an error. A feed that is recognisably RSS or Atom
    but not well-formed is read as far as it goes, with a warning.
    """
    # feedparser's HTML clean-up would eat "$p<q$ and $r>s$" in an abstract: keep the text as is.
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        raise _NotAFeed(str(parsed.get("bozo_exception") or "no <rss> or <feed> element"))
    if parsed.get("bozo"):
        log.warning("arXiv feed is not well-formed, reading what parses: %s", parsed.bozo_exception)

    announced_on = _announcement_date(parsed)
    papers: dict[str, Paper] = {}
    for entry in parsed.entries:
        paper = _paper(entry, announced_on)
        if paper is None:
            continue
        if paper.arxiv_id in papers:
            log.info("arXiv feed lists %s twice; keeping the first", paper.arxiv_id)
            continue
        papers[paper.arxiv_id] = paper
    return FeedDay(list(categories), announced_on, list(papers.values()))


class FeedClient:
    """Fetches one day's feed over the injected httpx client (its headers, timeout, redirects)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        rss_url: str,
        *,
        deadline_seconds: float = 300.0,
        max_bytes: int = MAX_FEED_BYTES,
    ) -> None:
        self._client = client
        self._rss_url = rss_url
        self._max_bytes = max_bytes
        # httpx's read timeout restarts with every chunk: a feed that trickles in would hold
        # the day forever without a bound on the whole download.
        self._deadline = deadline_seconds

    async def fetch_day(self, categories: list[str]) -> FeedDay:
        if not categories:
            raise ValueError("fetch_day needs at least one category")
        url = f"{self._rss_url}{'+'.join(categories)}"
        response, body = await self._get(url)
        if not response.is_success:
            raise FeedUnavailable(
                f"arXiv's feed {url} answered HTTP {response.status_code} {response.reason_phrase}"
            )
        try:
            # A full feed (2,000 items, ~4 MB) takes feedparser about half a second: off the loop.
            return await asyncio.to_thread(parse_feed, body, categories)
        except _NotAFeed as exc:
            raise FeedUnavailable(
                f"arXiv's feed {url} answered with something that is not RSS or Atom "
                f"({response.headers.get('content-type', 'no content type')}; {exc.problem})"
            ) from exc

    async def _get(self, url: str) -> tuple[httpx.Response, bytes]:
        """The feed's response and body, a short 429/503 waited out; FeedUnavailable if none
        comes or the body outgrows the cap."""
        for attempt in range(1 + RATE_LIMIT_RETRIES):
            try:
                async with (
                    asyncio.timeout(self._deadline),
                    self._client.stream("GET", url) as response,
                ):
                    body = await read_capped(response, self._max_bytes)
            except httpx.TimeoutException as exc:
                raise FeedUnavailable(f"arXiv's feed {url} did not answer in time") from exc
            except httpx.HTTPError as exc:
                raise FeedUnavailable(f"arXiv's feed {url} could not be reached: {exc}") from exc
            except TimeoutError as exc:
                raise FeedUnavailable(
                    f"arXiv's feed {url} was still arriving after {self._deadline:g} s; gave up"
                ) from exc
            except TooLarge as exc:
                raise FeedUnavailable(
                    f"arXiv's feed {url} was larger than {self._max_bytes:,} bytes; gave up"
                ) from exc
            wait = retry_after(response)
            if wait is None or attempt == RATE_LIMIT_RETRIES:
                return response, body
            log.info(
                "arXiv's feed answered HTTP %d: trying again in %g s", response.status_code, wait
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")


class _NotAFeed(FeedUnavailable):
    def __init__(self, problem: str) -> None:
        super().__init__(f"the arXiv feed is not RSS or Atom: {problem}")
        self.problem = problem


def _paper(entry: Any, announced_on: date | None) -> Paper | None:
    description = entry.get("summary") or ""
    head = _DESCRIPTION_HEAD.match(description)
    found = _versioned_id(entry.get("id"), head["id"] if head else None)
    if found is None:
        log.warning("skipping an arXiv feed item without a usable id: %r", entry.get("id"))
        return None
    arxiv_id, version = found
    abstract = _ABSTRACT_LABEL.sub("", description[head.end() :] if head else description, 1)
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=_inline_text(entry.get("title") or ""),
        authors=_authors(entry),
        abstract=_collapse(abstract),
        categories=_unique(t.get("term") or "" for t in entry.get("tags", [])),
        announce_type=_announce_type(
            entry.get("arxiv_announce_type") or (head["type"] if head else ""), arxiv_id
        ),
        announced_on=announced_on,
        doi=_collapse(entry.get("arxiv_doi") or "") or None,
        journal_ref=_collapse(entry.get("arxiv_journal_reference") or "") or None,
    )


def _versioned_id(guid: str | None, described: str | None) -> tuple[str, int] | None:
    """The id and version from the guid (`oai:arXiv.org:IDvN`), else from the description."""
    candidates = [_OAI_PREFIX.sub("", guid.strip())] if guid else []
    candidates += [described] if described else []
    unversioned: str | None = None
    for text in candidates:
        try:
            parsed = parse_arxiv_id(text)
        except InvalidArxivId:
            continue
        if parsed.version is not None:
            return parsed.base, parsed.version
        unversioned = unversioned or parsed.base
    if unversioned is None:
        return None
    log.warning("arXiv feed item %s carries no version; assuming v1", unversioned)
    return unversioned, 1


def _authors(entry: Any) -> list[str]:
    """`dc:creator` holds "A, B, C" (older feeds: "A, B and C"); Atom may list one per author."""
    names: list[str] = []
    for author in entry.get("authors", []):
        parts = [p.strip() for p in _inline_text(author.get("name") or "").split(",")]
        parts = [re.sub(r"^and\s+", "", p, flags=re.IGNORECASE) for p in parts if p]
        if parts:
            # Only the last name of a list is joined by "and": "A, B and C", "A and B".
            parts[-1:] = [p for p in _AND.split(parts[-1]) if p]
        names += parts
    return names  # two authors may share a name: no de-duplication


def _announce_type(value: str, arxiv_id: str) -> AnnounceType:
    try:
        return AnnounceType(value.strip().lower())
    except ValueError:
        log.warning("arXiv feed item %s has announce type %r; treating it as new", arxiv_id, value)
        return AnnounceType.NEW


def _announcement_date(parsed: Any) -> date | None:
    """The channel's pubDate (US Eastern, its calendar date as printed), else the first item's.

    Build times (`lastBuildDate`, Atom's `updated`) are not announcement dates and are ignored.
    """
    candidates = [parsed.feed.get("published")]
    candidates += [e.get("published") for e in parsed.entries[:1]]
    for raw in candidates:
        if raw and (day := _printed_date(raw)) is not None:
            return day
    return None


def _printed_date(raw: str) -> date | None:
    text = raw.strip()
    try:
        return parsedate_to_datetime(text).date()  # RFC 822: "Mon, 27 Apr 2026 00:00:00 -0400"
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()  # Atom: RFC 3339
    except ValueError:
        log.warning("arXiv feed date %r is not a date", raw)
        return None


def _inline_text(text: str) -> str:
    """A title or name as plain text: entities decoded, inline HTML tags dropped, one-line."""
    return _collapse(_HTML_TAG.sub("", html.unescape(text)))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
