"""arXiv's API through the `arxiv` package, paced to arXiv's terms for the whole process."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import arxiv
import requests

from pipeline.errors import FeedUnavailable, InvalidArxivId, PaperNotFound
from pipeline.ids import ArxivId, parse_arxiv_id
from pipeline.models import Paper

log = logging.getLogger(__name__)

_BATCH = 100  # ids in one id_list request
T = TypeVar("T")


class ArxivApi:
    """arXiv's API through the `arxiv` package: one request every `delay_seconds` (3 by arXiv's
    terms), one at a time, process-wide.

    The package is synchronous and only spaces the pages of one search; the spacing between
    calls, and between instances, is kept here.
    """

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
        self._delay = delay_seconds
        self._timeout = timeout_seconds
        self._deadline = deadline_seconds
        self._client = arxiv.Client(
            page_size=_BATCH, delay_seconds=delay_seconds, num_retries=num_retries
        )
        # The package builds every URL as `query_url_format.format(urlencoded query)`.
        escaped = api_url.replace("{", "{{").replace("}", "}}")
        self._client.query_url_format = escaped + ("&" if "?" in api_url else "?") + "{}"
        # It has no setting for the User-Agent or a timeout: give it a session that adds both.
        self._client._session = _Session(user_agent, timeout_seconds, deadline_seconds)
        self._queue = asyncio.Lock()  # callers of this instance wait here, not in threads

    async def get_paper(self, arxiv_id: ArxivId) -> Paper:
        """The paper (that version if `arxiv_id` names one, else the latest)."""
        wanted = str(arxiv_id)
        try:
            results = await self._fetch([wanted])
        except arxiv.HTTPError as exc:  # only 400 gets here: arXiv rejects the id
            raise InvalidArxivId(wanted) from exc
        for paper in _papers(results):
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
                results = await self._fetch(chunk)
            except arxiv.HTTPError as exc:
                raise FeedUnavailable(
                    f"arXiv's API rejected the look-up of {_describe(chunk)} (HTTP 400)"
                ) from exc
            for paper in _papers(results):
                found.setdefault(paper.versioned_id, paper)
        return list(found.values())

    async def _fetch(self, id_list: list[str]) -> list[arxiv.Result]:
        """One id_list search, retried by the package; an HTTP 400 is left to the caller."""
        search = arxiv.Search(id_list=id_list, max_results=len(id_list))
        what = _describe(id_list)
        try:
            async with self._queue:
                return await asyncio.to_thread(
                    _PACER.call, self._delay, lambda: list(self._client.results(search))
                )
        except arxiv.HTTPError as exc:
            if exc.status == 400:
                raise
            raise FeedUnavailable(
                f"arXiv's API answered HTTP {exc.status} for {what} after {exc.retry + 1} tries"
            ) from exc
        except arxiv.ArxivError as exc:
            raise FeedUnavailable(f"arXiv's API failed for {what}: {exc.message}") from exc
        except _TooSlow as exc:
            raise FeedUnavailable(
                f"arXiv's API answer for {what} was still arriving after {self._deadline:g} s"
            ) from exc
        except _NotAtom as exc:
            raise FeedUnavailable(
                f"arXiv's API answered {what} with something that is not Atom ({exc})"
            ) from exc
        except requests.Timeout as exc:
            raise FeedUnavailable(
                f"arXiv's API did not answer within {self._timeout:g} s for {what}"
            ) from exc
        except requests.RequestException as exc:
            raise FeedUnavailable(f"arXiv's API could not be reached for {what}: {exc}") from exc


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


class _TooSlow(requests.Timeout):
    """The answer kept coming, a little at a time, past the deadline."""


class _NotAtom(requests.RequestException):
    """A 200 whose body is not an Atom feed (the package would read it as "no results")."""


class _Session(requests.Session):
    """The package passes its own User-Agent on every call and no timeout: replace the one, add
    the other, and bound the whole answer (requests' timeout restarts with every read)."""

    def __init__(self, user_agent: str, timeout: float, deadline: float = 300.0) -> None:
        super().__init__()
        self.headers["User-Agent"] = user_agent
        self._timeout = timeout
        self._deadline = deadline

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        given = kwargs.pop("headers", None) or {}
        kwargs["headers"] = {k: v for k, v in given.items() if k.lower() != "user-agent"}
        kwargs.setdefault("timeout", self._timeout)
        kwargs["stream"] = True
        ends = time.monotonic() + self._deadline
        response = super().request(method, url, *args, **kwargs)
        chunks: list[bytes] = []
        with response:
            while chunk := response.raw.read1(65_536, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() > ends:
                    raise _TooSlow(f"still arriving after {self._deadline:g} s")
        response._content = b"".join(chunks)
        response._content_consumed = True
        if response.status_code == 200 and b"<feed" not in response._content[:2048]:
            start = response._content[:60].decode("utf-8", "replace")
            raise _NotAtom(f"{response.headers.get('Content-Type', 'no content type')}: {start!r}")
        return response


def _papers(results: Iterable[arxiv.Result]) -> list[Paper]:
    papers = []
    for result in results:
        try:
            parsed = parse_arxiv_id(result.get_short_id())
        except InvalidArxivId:
            log.warning("arXiv's API returned an entry that is not a paper: %s", result.entry_id)
            continue
        papers.append(
            Paper(
                arxiv_id=parsed.base,
                version=parsed.version or 1,
                title=_collapse(result.title),
                authors=[_collapse(a.name) for a in result.authors if a.name.strip()],
                abstract=_collapse(result.summary),
                categories=list(
                    dict.fromkeys(c for c in [result.primary_category, *result.categories] if c)
                ),
                comments=_collapse(result.comment or "") or None,
                doi=_collapse(result.doi or "") or None,
                journal_ref=_collapse(result.journal_ref or "") or None,
            )
        )
    return papers


def _describe(ids: list[str]) -> str:
    if len(ids) == 1:
        return ids[0]
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    return f"{len(ids)} ids ({shown})"


def _collapse(text: str) -> str:
    return " ".join(text.split())
