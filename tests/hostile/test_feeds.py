"""Feeds with gaps, markup, repeats, or no feed at all, served by the fake arXiv."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from arxiv_digest.wiring import digest_options, open_digest
from bot.platform import PaperReply
from domain.errors import FeedUnavailable
from pipeline.feed import FeedClient
from storage.repositories import PaperRepository
from tests.daydata import CATEGORIES, DAY, make_settings, paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response
from tests.hostile._helpers import slack_text, telegram_text

RSS = "application/rss+xml; charset=utf-8"


def rss(*items: str) -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     version="2.0"><channel><title>cs.AI updates on arXiv.org</title>
<pubDate>Wed, 04 Feb 2026 00:00:00 -0500</pubDate>
{"".join(items)}
</channel></rss>""".encode()


def item(
    arxiv_id: str | None,
    *,
    title: str | None = "A Paper About VLA Models",
    abstract: str | None = "We study VLA models.",
    creator: str | None = "Ada Lovelace, Alan Turing",
    categories: tuple[str, ...] = ("cs.AI",),
    announce_type: str = "new",
) -> str:
    """An rss.arxiv.org item; None leaves that element out altogether."""
    head = f"arXiv:{arxiv_id}v1 Announce Type: {announce_type} \n" if arxiv_id else ""
    parts = [
        f"<title>{title}</title>" if title is not None else "",
        f"<link>https://arxiv.org/abs/{arxiv_id}</link>" if arxiv_id else "",
        f"<description>{head}Abstract: {abstract}</description>" if abstract is not None else "",
        f'<guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v1</guid>' if arxiv_id else "",
        "".join(f"<category>{c}</category>" for c in categories),
        f"<arxiv:announce_type>{announce_type}</arxiv:announce_type>",
        f"<dc:creator>{creator}</dc:creator>" if creator is not None else "",
    ]
    return f"<item>{''.join(parts)}</item>"


NO_TITLE = paper("2602.00001", "VLA Without A Title In The Feed", "We study VLA models.")
NO_ABSTRACT = paper("2602.00002", "VLA Without An Abstract", "The abstract the API knows.")
NO_AUTHORS = paper("2602.00003", "VLA Without Authors", "We study VLA models.")
NO_CATEGORIES = paper("2602.00004", "VLA Without Categories", "We study VLA models.")
MARKED_UP = (
    "&lt;i&gt;Attention&lt;/i&gt; Is &amp;lt;All&amp;gt; VLA Needs &amp;amp; "
    "&amp;#x3B1;-Tuning &lt;script&gt;x&lt;/script&gt;"
)
MARKED_UP_TEXT = "Attention Is <All> VLA Needs & α-Tuning <script>x</script>"


@pytest.fixture
async def stored(
    arxiv: FakeArxiv,
    database_url: str,
    tmp_path: Path,
) -> AsyncIterator[dict[str, object]]:
    """The day's run over a feed with every kind of gap; the stored papers by id."""
    for known in (NO_TITLE, NO_ABSTRACT, NO_AUTHORS, NO_CATEGORIES):
        arxiv.add_paper(known)
    body = rss(
        item("2602.00001", title=None),
        item("2602.00002", abstract=None),
        item("2602.00003", creator=None),
        item("2602.00004", categories=()),
        item(None, title="An item with no id, link or guid"),
        item("2602.00005", title=MARKED_UP),
        item("2602.00006", title="First listing of a VLA paper"),
        item("2602.00006", title="Second listing of the same paper"),
        item("2602.00007", title="VLA in cs.AI", categories=("cs.AI",)),
        item("2602.00007", title="VLA in cs.RO", categories=("cs.RO",), announce_type="cross"),
    )
    arxiv.fail_next(Response(200, body, {"Content-Type": RSS}), path="/rss/")
    settings = make_settings(arxiv, None, database_url, tmp_path)
    async with open_digest(settings, digest_options(settings)) as digest:
        outcome = await digest.run()
        async with digest.db.session() as session:
            papers = await PaperRepository(session).announced_on(DAY)
        yield {"report": outcome.report, **{p.arxiv_id: p for p in papers}}


async def test_gaps_are_filled_from_the_api_and_an_item_without_id_is_skipped(
    stored: dict[str, object],
) -> None:
    assert sorted(k for k in stored if k != "report") == [f"2602.0000{i}" for i in range(1, 8)]
    assert stored["2602.00001"].title == NO_TITLE.title  # type: ignore[attr-defined]
    assert stored["2602.00002"].abstract == NO_ABSTRACT.abstract  # type: ignore[attr-defined]
    assert stored["2602.00003"].authors == NO_AUTHORS.authors  # type: ignore[attr-defined]
    assert stored["2602.00004"].categories == NO_CATEGORIES.categories  # type: ignore[attr-defined]


async def test_a_paper_listed_twice_is_stored_once_as_first_listed(
    stored: dict[str, object],
) -> None:
    assert stored["2602.00006"].title == "First listing of a VLA paper"  # type: ignore[attr-defined]
    cross_listed = stored["2602.00007"]
    assert cross_listed.title == "VLA in cs.AI"  # type: ignore[attr-defined]
    report = stored["report"]
    ids = [e.paper.arxiv_id for e in report.entries]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids)) and "2602.00007" in ids


async def test_html_in_a_title_is_stored_and_shown_as_text(stored: dict[str, object]) -> None:
    assert stored["2602.00005"].title == MARKED_UP_TEXT  # type: ignore[attr-defined]
    report = stored["report"]
    (entry,) = [e for e in report.entries if e.paper.arxiv_id == "2602.00005"]  # type: ignore[attr-defined]
    reply = PaperReply(entry)
    assert MARKED_UP_TEXT in telegram_text(reply)
    assert MARKED_UP_TEXT in slack_text(reply)


NOT_FEEDS = [
    (b"<!doctype html><html><body>Service unavailable</body></html>", "text/html"),
    (b'{"error": "rate limited"}', "application/json"),
    (b"", "application/rss+xml"),
    (bytes(range(256)) * 40, "application/octet-stream"),
    (b"<?xml version='1.0'?><feedback><item>no</item></feedback>", "text/xml"),
    (
        b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'>"
        b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>"
        b"<!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'><!ENTITY e '&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;'>"
        b"<!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'><!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'>"
        b"]><r>&g;</r>",
        "text/xml",
    ),
]


@pytest.mark.parametrize(
    ("body", "kind"), NOT_FEEDS, ids=["html", "json", "empty", "binary", "xml", "laughs"]
)
async def test_a_body_that_is_no_feed_is_a_clear_unavailable(
    arxiv: FakeArxiv,
    body: bytes,
    kind: str,
) -> None:
    arxiv.fail_next(Response(200, body, {"Content-Type": kind}), path="/rss/")
    async with httpx.AsyncClient(timeout=5.0) as http:
        with pytest.raises(FeedUnavailable) as info:
            await FeedClient(http, arxiv.rss_url).fetch_day(CATEGORIES.split("+"))
    message = str(info.value)
    assert "is not RSS or Atom" in message and kind in message
    assert "\n" not in message


async def test_a_feed_too_large_is_refused_while_it_streams_in(
    arxiv: FakeArxiv,
) -> None:
    # A chunked body that never ends: only the cap, not the deadline, can stop it here.
    arxiv.fail_next(
        Response(200, rss(item("2602.00001")) * 50, {"Content-Type": RSS}, endless=True),
        path="/rss/",
    )
    async with httpx.AsyncClient(timeout=5.0) as http:
        feed = FeedClient(http, arxiv.rss_url, deadline_seconds=60, max_bytes=10_000)
        with pytest.raises(FeedUnavailable, match="larger than 10,000 bytes"):
            await asyncio.wait_for(feed.fetch_day(CATEGORIES.split("+")), 30)
