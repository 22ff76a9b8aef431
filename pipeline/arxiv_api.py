"""arXiv's API (Atom over HTTP), paced to arXiv's terms for the whole process.

Read with httpx and parsed with feedparser: every setting the service needs (endpoint,
User-Agent, timeouts, a bound on the whole answer) is part of their public API.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import feedparser
import httpx

from domain.errors import FeedUnavailable, InvalidArxivId, PaperNotFound
from domain.models import Paper
from pipeline.downloads import retry_after
from pipeline.ids import ArxivId, parse_arxiv_id

log = logging.getLogger(__name__)

_BATCH = 100  # ids in one id_list request
MAX_ANSWER_BYTES = 16 * 2**20  # a hundred entries are well under 1 MB
T = TypeVar("T")


class ArxivApi:
    """arXiv's API: one request every `delay_seconds` (3 by arXiv's terms), one at a time,
    process-wide; a failed request is tried again `num_retries` times, as far apart."""

    def __init__(
        self,
        api_url: str = "https://export.arxiv.org/api/query",
        *,
        delay_seconds: float = 3.0,
        num_retries: int = 3,
        user_agent: str = "arxiv-digest",
        timeout_seconds: float = 30.0,
        deadline_seconds: float = 300.0,
    ) -> None:
        self._url = api_url
        self._delay = delay_seconds
        self._tries = 1 + num_retries
        self._timeout = timeout_seconds
        self._deadline = deadline_seconds
        self._headers = {"User-Agent": user_agent}
        self._queue = asyncio.Lock()  # callers of this instance wait here, not in threads

    async def get_paper(self, arxiv_id: ArxivId) -> Paper:
        """The paper (that version if `arxiv_id` names one, else the latest)."""
        wanted = str(arxiv_id)
        try:
            papers = await self._fetch([wanted])
        except _Rejected as exc:  # arXiv answers 400 to an id it cannot read
            raise InvalidArxivId(wanted) from exc
        for paper in papers:
            if paper.arxiv_id == arxiv_id.base and arxiv_id.version in (None, paper.version):
                return paper
        raise PaperNotFound(wanted)

    def seconds_to_next_turn(self) -> float:
        """How long a request made now would wait for arXiv's spacing (0: it would go at once)."""
        return _PACER.seconds_to_next_turn(self._delay)

    async def get_papers(self, ids: list[str]) -> list[Paper]:
        """Look up many papers, 100 to a request; ids arXiv does not know are simply absent."""
        wanted: list[str] = []
        for text in ids:
            try:
                wanted.append(str(parse_arxiv_id(text)))
            except InvalidArxivId:
                log.warning("not looking up %r: not an arXiv id", text)
        wanted = list(dict.fromkeys(wanted))
        found: dict[str, Paper] = {}
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            try:
                papers = await self._fetch(chunk)
            except _Rejected as exc:
                raise FeedUnavailable(
                    f"arXiv's API rejected the look-up of {_describe(chunk)} (HTTP 400)"
                ) from exc
            for paper in papers:
                found.setdefault(paper.versioned_id, paper)
        return list(found.values())

    async def _fetch(self, id_list: list[str]) -> list[Paper]:
        """One id_list query, tried again on a fault; `_Rejected` if arXiv answers 400."""
        params = {
            "id_list": ",".join(id_list),
            "start": "0",
            "max_results": str(len(id_list)),
            "sortBy": "relevance",
            "sortOrder": "descending",
        }
        async with self._queue:
            body = await asyncio.to_thread(
                _PACER.call, self._delay, lambda: self._get_with_retries(params, id_list)
            )
        return await asyncio.to_thread(_papers, body, _describe(id_list))

    def _get_with_retries(self, params: dict[str, str], id_list: list[str]) -> bytes:
        """The answer's body; runs inside the process-wide turn, so retries keep the spacing.

        A connection that fails, or an answer other than 200 or 400, is tried again; a
        timeout is not (the next try would most likely wait as long).
        """
        what = _describe(id_list)
        with httpx.Client(
            headers=self._headers, timeout=self._timeout, follow_redirects=True
        ) as client:
            for attempt in range(1, self._tries + 1):
                last = attempt == self._tries
                try:
                    status, wait, body = self._get(client, params)
                except httpx.TimeoutException as exc:
                    raise FeedUnavailable(
                        f"arXiv's API did not answer within {self._timeout:g} s for {what}"
                    ) from exc
                except _TooSlow as exc:
                    raise FeedUnavailable(f"arXiv's API answer for {what} was {exc}") from exc
                except httpx.TransportError as exc:
                    if last:
                        raise FeedUnavailable(
                            f"arXiv's API could not be reached for {what}: {exc}"
                        ) from exc
                    status, wait, body = 0, None, b""
                if status == 200:
                    return body
                if status == 400:
                    raise _Rejected(what)
                if last:
                    raise FeedUnavailable(
                        f"arXiv's API answered HTTP {status} for {what} after {attempt} tries"
                    )
                time.sleep(max(self._delay, wait or 0.0))
        raise AssertionError("unreachable")

    def _get(self, client: httpx.Client, params: dict[str, str]) -> tuple[int, float | None, bytes]:
        """Status, a short Retry-After, body: read within the deadline (httpx's timeout
        restarts with every chunk, so a trickling answer needs a bound of its own)."""
        ends = time.monotonic() + self._deadline
        chunks: list[bytes] = []
        received = 0
        with client.stream("GET", self._url, params=params) as response:
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                received += len(chunk)
                if time.monotonic() > ends:
                    raise _TooSlow(f"still arriving after {self._deadline:g} s")
                if received > MAX_ANSWER_BYTES:
                    raise _TooSlow(f"larger than {MAX_ANSWER_BYTES:,} bytes")
            return response.status_code, retry_after(response), b"".join(chunks)


class _Pacer:
    """The process-wide turn: one request at a time, each starting `delay` after the last ended.

    A thread lock rather than an asyncio one, so that it holds across event loops and instances,
    and so that a caller cancelled mid-request keeps the turn until its thread's request is over.
    """

    def __init__(self) -> None:
        self._turn = threading.Lock()
        self._last_done: float | None = None

    def seconds_to_next_turn(self, delay: float) -> float:
        if self._turn.locked():
            return delay  # a request is under way: at least the spacing after it
        if self._last_done is None:
            return 0.0
        return max(0.0, self._last_done + delay - time.monotonic())

    def call(self, delay: float, request: Callable[[], T]) -> T:
        with self._turn:
            if self._last_done is not None:
                wait = self._last_done + delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                return request()
            finally:
                self._last_done = time.monotonic()


_PACER = _Pacer()


class _TooSlow(Exception):
    """The answer kept coming, a little at a time, past the deadline or the size cap."""


class _Rejected(Exception):
    """arXiv answered 400: it cannot read an id of the request."""


def _papers(body: bytes, what: str) -> list[Paper]:
    """The papers of an Atom answer; FeedUnavailable if the body is not Atom at all."""
    # feedparser's HTML clean-up would eat "$p<q$" in an abstract: keep the text as is.
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not str(parsed.get("version", "")).startswith("atom"):
        start = body[:60].decode("utf-8", "replace")
        raise FeedUnavailable(
            f"arXiv's API answered {what} with something that is not Atom: {start!r}"
        )
    return [paper for entry in parsed.entries if (paper := _paper(entry)) is not None]


def _paper(entry: Any) -> Paper | None:
    short_id = str(entry.get("id", "")).rsplit("/abs/", 1)[-1]
    try:
        parsed = parse_arxiv_id(short_id)
    except InvalidArxivId:
        log.warning("arXiv's API returned an entry that is not a paper: %s", entry.get("id"))
        return None
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    tags = [tag.get("term") for tag in entry.get("tags", [])]
    return Paper(
        arxiv_id=parsed.base,
        version=parsed.version or 1,
        title=_collapse(entry.get("title", "")),
        authors=[
            _collapse(a.get("name", ""))
            for a in entry.get("authors", [])
            if a.get("name", "").strip()
        ],
        abstract=_collapse(entry.get("summary", "")),
        categories=list(dict.fromkeys(c for c in [primary, *tags] if c)),
        comments=_collapse(entry.get("arxiv_comment") or "") or None,
        doi=_collapse(entry.get("arxiv_doi") or "") or None,
        journal_ref=_collapse(entry.get("arxiv_journal_ref") or "") or None,
    )


def _describe(ids: list[str]) -> str:
    if len(ids) == 1:
        return ids[0]
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    return f"{len(ids)} ids ({shown})"


def _collapse(text: str) -> str:
    return " ".join(text.split())
