from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from domain.errors import FeedUnavailable
from domain.models import AnnounceType, FeedDay, Paper
from pipeline.feed import FeedClient, categories_key, incomplete, parse_feed
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.base import Response

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
USER_AGENT = "arxiv-digest-tests/1.0 (mailto:team@example.org)"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    return CORPUS


def _atom_corpus(corpus: Path) -> bytes:
    """The Atom feed was cut mid-entry at its source: end it after the last whole entry."""
    raw = (corpus / "rss_2025_atom_cs.AI_87entries_TRUNCATED.xml").read_bytes()
    return raw[: raw.rindex(b"</entry>") + len(b"</entry>")] + b"\n</feed>\n"


def _rss(items: str, pub_date: str | None = "Wed, 04 Feb 2026 00:00:00 -0500") -> bytes:
    channel_date = f"<pubDate>{pub_date}</pubDate>" if pub_date else ""
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     version="2.0"><channel><title>cs.AI updates on arXiv.org</title>{channel_date}
{items}
</channel></rss>""".encode()


def _item(
    guid: str = "oai:arXiv.org:2602.00780v1",
    *,
    title: str = "EcoVLA: Adaptive Pruning",
    description: str | None = None,
    creator: str | None = "Yuting Huang, Leilei Ding",
    categories: tuple[str, ...] = ("cs.AI", "cs.RO"),
    announce_type: str | None = "new",
) -> str:
    if description is None:
        description = f"arXiv:{guid.rsplit(':', 1)[-1]} Announce Type: new \nAbstract: Prunes."
    parts = [
        f"<title>{title}</title>",
        f"<description>{description}</description>",
        f'<guid isPermaLink="false">{guid}</guid>' if guid else "",
        "".join(f"<category>{c}</category>" for c in categories),
        f"<arxiv:announce_type>{announce_type}</arxiv:announce_type>" if announce_type else "",
        f"<dc:creator>{creator}</dc:creator>" if creator is not None else "",
    ]
    return f"<item>{''.join(parts)}</item>"


def _paper(arxiv_id: str = "2602.00780", version: int = 1, **overrides: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": arxiv_id,
        "version": version,
        "title": "EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
        "authors": ["Yuting Huang", "Leilei Ding"],
        "abstract": "While VLA models hold promise, their latency hinders control.",
        "categories": ["cs.AI", "cs.RO"],
        "announce_type": AnnounceType.NEW,
        "announced_on": date(2026, 2, 4),
    }
    fields.update(overrides)
    return Paper(**fields)  # type: ignore[arg-type]


# ---- the real feeds


def test_reads_the_real_cs_ai_feed(corpus: Path) -> None:
    day = parse_feed((corpus / "rss_2026_rss2_cs.AI_trimmed3.xml").read_bytes(), ["cs.AI"])

    assert day.categories == ["cs.AI"]
    assert day.announced_on == date(2026, 4, 27)
    assert [p.versioned_id for p in day.papers] == ["2604.21935v1", "2604.21936v1", "2604.21937v1"]
    first = day.papers[0]
    assert first.title == (
        "Math Takes Two: A test for emergent mathematical reasoning in communication"
    )
    assert first.authors == ["Michael Cooper", "Samuel Cooper"]
    assert first.categories == ["cs.AI", "cs.LG"]
    assert first.announce_type is AnnounceType.NEW
    assert first.announced_on == date(2026, 4, 27)
    assert first.abstract.startswith("Although language models demonstrate remarkable")
    assert first.abstract.endswith("emergent numerical reasoning capabilities.")
    assert first.doi is None and first.journal_ref is None
    assert len(day.papers[1].authors) == 18
    assert day.papers[1].authors[-1] == "Bennett A. Landman"
    assert "\\textbf{adaptability}" in day.papers[1].abstract  # LaTeX is kept as written
    assert incomplete(day.papers) == []


def test_reads_the_real_cs_lg_feed_with_primary_category_first(corpus: Path) -> None:
    day = parse_feed((corpus / "rss_2026_rss2_cs.LG_trimmed3.xml").read_bytes(), ["cs.LG"])

    assert day.announced_on == date(2026, 4, 27)
    assert [p.arxiv_id for p in day.papers] == ["2604.21952", "2604.21953", "2604.21956"]
    assert day.papers[0].categories == ["cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO"]
    assert day.papers[2].categories == ["cs.LG"]
    assert "visual resolution & stride" in day.papers[0].abstract
    assert "costs over $800 per sample" in day.papers[1].abstract
    assert day.papers[2].authors[3] == "Gregory F. Cooper"


def test_reads_announce_types_versions_and_doi_from_a_combined_feed(corpus: Path) -> None:
    name = "rss_2026_rss2_multi-cat_cs.LG+cs.AI+cs.CL+stat.ML_4items_new-cross-replace.xml"
    cats = ["cs.LG", "cs.AI", "cs.CL", "stat.ML"]

    day = parse_feed((corpus / name).read_bytes(), cats)

    assert day.categories == cats
    assert day.announced_on == date(2026, 9, 24)
    assert [(p.versioned_id, p.announce_type) for p in day.papers] == [
        ("2609.26811v1", AnnounceType.NEW),
        ("2609.26820v1", AnnounceType.NEW),
        ("2205.06398v2", AnnounceType.CROSS),
        ("2009.13987v3", AnnounceType.REPLACE),
    ]
    cross = day.papers[2]
    assert cross.doi == "10.1093/bioinformatics/btac431"
    assert cross.categories == ["stat.ME", "stat.AP", "stat.ML"]
    assert cross.authors == ["Pritam Dey", "Zhengwu Zhang", "David B. Dunson"]
    assert day.papers[0].authors == ["Fabien Polly"]
    assert [p.doi for p in day.papers].count(None) == 3


def test_reads_arxivs_atom_variant(corpus: Path) -> None:
    day = parse_feed(_atom_corpus(corpus), ["cs.AI"])

    assert day.announced_on == date(2025, 8, 20)
    assert len(day.papers) == 86
    assert Counter(p.announce_type for p in day.papers) == {
        AnnounceType.NEW: 41,
        AnnounceType.CROSS: 45,
    }
    first = day.papers[0]
    assert first.versioned_id == "2508.13167v1"
    assert first.title.startswith("Chain-of-Agents: End-to-End Agent Foundation Models")
    assert first.authors[:2] == ["Weizhen Li", "Jianbo Lin"] and len(first.authors) == 30
    assert first.categories == ["cs.AI", "cs.CL"]
    by_id = {p.arxiv_id: p for p in day.papers}
    assert by_id["2508.00875"].doi == "10.7249/PEA3971-1"
    assert by_id["2508.13303"].journal_ref == (
        "2025 IEEE/RSJ international conference on intelligent robots and systems (IROS)"
    )
    # Escaped "<" and ">" in an abstract are text, not markup to be dropped.
    assert "p < 0.001 and Cohen's d > 23" in by_id["2508.13171"].abstract
    assert incomplete(day.papers) == []


def test_a_feed_cut_short_is_read_as_far_as_it_goes(
    corpus: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = (corpus / "rss_2025_atom_cs.AI_87entries_TRUNCATED.xml").read_bytes()

    with caplog.at_level(logging.WARNING, logger="pipeline.feed"):
        day = parse_feed(raw, ["cs.AI"])

    assert len(day.papers) == 87
    assert day.papers[-1].versioned_id == "2508.13435v1"
    assert day.papers[-1] in incomplete(day.papers)  # cut before its abstract and authors
    assert "not well-formed" in caplog.text


# ---- fields, one by one


def test_titles_lose_entities_tags_and_line_breaks_but_keep_math() -> None:
    title = "Caf&amp;eacute; &amp;amp; &lt;i&gt;Bar&lt;/i&gt; for $p&lt;q$ and\n   $r&gt;s$"
    day = parse_feed(_rss(_item(title=title)), ["cs.AI"])

    assert day.papers[0].title == "Café & Bar for $p<q$ and $r>s$"


def test_abstracts_are_kept_as_plain_text_on_one_line() -> None:
    description = (
        "arXiv:2602.00780v1 Announce Type: new \nAbstract: We show $p&lt;q$ and $r&gt;s$\n"
        "   for R&amp;D &lt;b&gt;teams&lt;/b&gt;.   Abstract: twice."
    )
    day = parse_feed(_rss(_item(description=description)), ["cs.AI"])

    assert (
        day.papers[0].abstract == "We show $p<q$ and $r>s$ for R&D <b>teams</b>. Abstract: twice."
    )


@pytest.mark.parametrize(
    ("creator", "authors"),
    [
        ("A. Smith, B. Jones, C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("A. Smith, B. Jones and C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("A. Smith, B. Jones, and C. Wu", ["A. Smith", "B. Jones", "C. Wu"]),
        ("A. Smith and B. Jones", ["A. Smith", "B. Jones"]),
        ("Alexander Andrews, Sandra Anderson", ["Alexander Andrews", "Sandra Anderson"]),
        ("Wei Zhang, Wei Zhang", ["Wei Zhang", "Wei Zhang"]),
        ("Paulo Andr\\'e Lima de Castro", ["Paulo Andr\\'e Lima de Castro"]),
    ],
)
def test_splits_the_creator_line_into_authors(creator: str, authors: list[str]) -> None:
    day = parse_feed(_rss(_item(creator=creator)), ["cs.AI"])

    assert day.papers[0].authors == authors


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("new", AnnounceType.NEW),
        ("cross", AnnounceType.CROSS),
        ("replace", AnnounceType.REPLACE),
        ("replace-cross", AnnounceType.REPLACE_CROSS),
        (" Replace-Cross ", AnnounceType.REPLACE_CROSS),
    ],
)
def test_maps_announce_types(value: str, expected: AnnounceType) -> None:
    day = parse_feed(_rss(_item(announce_type=value)), ["cs.AI"])

    assert day.papers[0].announce_type is expected


def test_an_unknown_announce_type_counts_as_new_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="pipeline.feed"):
        day = parse_feed(_rss(_item(announce_type="withdrawn")), ["cs.AI"])

    assert day.papers[0].announce_type is AnnounceType.NEW
    assert "2602.00780" in caplog.text and "withdrawn" in caplog.text


def test_the_announce_type_falls_back_to_the_description() -> None:
    description = "arXiv:2602.00780v4 Announce Type: replace-cross \nAbstract: Prunes."
    day = parse_feed(_rss(_item(description=description, announce_type=None)), ["cs.AI"])

    assert day.papers[0].announce_type is AnnounceType.REPLACE_CROSS


def test_reads_doi_and_journal_reference() -> None:
    item = _item().replace(
        "</item>",
        "<arxiv:DOI>10.1000/xyz123</arxiv:DOI>"
        "<arxiv:journal_reference>Phys. Rev. B 85, 115117 (2012)</arxiv:journal_reference>"
        "</item>",
    )
    paper = parse_feed(_rss(item), ["cs.AI"]).papers[0]

    assert (paper.doi, paper.journal_ref) == ("10.1000/xyz123", "Phys. Rev. B 85, 115117 (2012)")


def test_old_style_ids_keep_their_archive() -> None:
    items = _item("oai:arXiv.org:cs/9901001v2") + _item("oai:arXiv.org:solv-int/9901002v1")
    day = parse_feed(_rss(items), ["cs.AI"])

    assert [(p.arxiv_id, p.version) for p in day.papers] == [
        ("cs/9901001", 2),
        ("solv-int/9901002", 1),
    ]
    assert day.papers[0].abs_url == "https://arxiv.org/abs/cs/9901001"


def test_the_id_comes_from_the_description_when_the_guid_is_missing() -> None:
    description = "arXiv:2602.00780v3 Announce Type: replace \nAbstract: Prunes."
    day = parse_feed(_rss(_item(guid="", description=description)), ["cs.AI"])

    assert [p.versioned_id for p in day.papers] == ["2602.00780v3"]


def test_an_item_without_any_id_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    items = _item(guid="", description="No header at all.") + _item("oai:arXiv.org:2602.00781v1")
    with caplog.at_level(logging.WARNING, logger="pipeline.feed"):
        day = parse_feed(_rss(items), ["cs.AI"])

    assert [p.versioned_id for p in day.papers] == ["2602.00781v1"]
    assert "without a usable id" in caplog.text


def test_items_with_missing_pieces_are_kept_and_reported_incomplete() -> None:
    items = (
        _item("oai:arXiv.org:2602.00001v1", creator=None)
        + _item(
            "oai:arXiv.org:2602.00002v1",
            description="arXiv:2602.00002v1 Announce Type: new \nAbstract: ",
        )
        + _item("oai:arXiv.org:2602.00003v1", categories=())
        + _item("oai:arXiv.org:2602.00004v1", title="")
        + _item("oai:arXiv.org:2602.00005v1")
    )
    day = parse_feed(_rss(items), ["cs.AI"])

    assert len(day.papers) == 5
    no_authors, no_abstract, no_categories, no_title, whole = day.papers
    assert no_authors.authors == [] and no_authors.abstract == "Prunes."
    assert no_abstract.abstract == ""
    assert no_categories.categories == []
    assert no_title.title == ""
    assert incomplete(day.papers) == [no_authors, no_abstract, no_categories, no_title]
    assert whole not in incomplete(day.papers)


def test_a_paper_listed_twice_is_kept_once() -> None:
    items = (
        _item("oai:arXiv.org:2602.00780v1", title="First listing")
        + _item("oai:arXiv.org:2602.00781v1")
        + _item("oai:arXiv.org:2602.00780v1", title="Second listing")
    )
    day = parse_feed(_rss(items), ["cs.AI"])

    assert [p.arxiv_id for p in day.papers] == ["2602.00780", "2602.00781"]
    assert day.papers[0].title == "First listing"


# ---- the announcement date


def test_an_empty_feed_without_a_date_has_no_date() -> None:
    assert parse_feed(_rss("", pub_date=None), ["cs.AI"]) == FeedDay(["cs.AI"], None, [])


def test_an_empty_feed_with_a_date_keeps_it() -> None:
    day = parse_feed(_rss("", pub_date="Mon, 26 Jan 2026 00:00:00 -0500"), ["cs.AI", "cs.LG"])

    assert day == FeedDay(["cs.AI", "cs.LG"], date(2026, 1, 26), [])
    assert day.is_empty


def test_the_date_is_the_eastern_calendar_date_as_printed() -> None:
    # 23:30 in New York is already the next day in UTC.
    day = parse_feed(_rss(_item(), pub_date="Thu, 24 Sep 2026 23:30:00 -0400"), ["cs.AI"])

    assert day.announced_on == date(2026, 9, 24)
    assert day.papers[0].announced_on == date(2026, 9, 24)


def test_the_build_time_is_not_an_announcement_date() -> None:
    body = _rss("", pub_date=None).replace(
        b"<channel>", b"<channel><lastBuildDate>Sat, 07 Feb 2026 04:00:00 +0000</lastBuildDate>"
    )

    assert parse_feed(body, ["cs.AI"]).announced_on is None


def test_an_atom_feed_takes_its_date_from_its_entries_as_printed() -> None:
    body = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
      xmlns="http://www.w3.org/2005/Atom">
  <id>http://rss.arxiv.org/atom/cs.AI</id><title>cs.AI updates on arXiv.org</title>
  <updated>2025-08-21T04:00:19.866337+00:00</updated>
  <entry>
    <id>oai:arXiv.org:2508.13167v2</id><title>A title</title>
    <summary>arXiv:2508.13167v2 Announce Type: replace \nAbstract: Text.</summary>
    <category term="cs.AI"/><published>2025-08-20T22:00:00-04:00</published>
    <arxiv:announce_type>replace</arxiv:announce_type><dc:creator>A, B</dc:creator>
  </entry>
</feed>"""

    day = parse_feed(body, ["cs.AI"])

    assert day.announced_on == date(2025, 8, 20)
    assert [(p.versioned_id, p.announce_type, p.authors) for p in day.papers] == [
        ("2508.13167v2", AnnounceType.REPLACE, ["A", "B"])
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b'{"error": "busy"}',
        b"<html><body>Service Unavailable</body></html>",
    ],
)
def test_a_body_that_is_not_a_feed_is_refused(body: bytes) -> None:
    with pytest.raises(FeedUnavailable, match="not RSS or Atom"):
        parse_feed(body, ["cs.AI"])


def test_categories_key_is_sorted_and_unique() -> None:
    assert categories_key(["cs.LG", "cs.AI", "cs.LG", " cs.AI "]) == "cs.AI+cs.LG"
    assert categories_key(["stat.ML"]) == "stat.ML"


# ---- through HTTP


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, timeout=5.0) as client:
        yield client


async def test_fetches_a_days_feed(fake: FakeArxiv, http: httpx.AsyncClient) -> None:
    papers = [
        _paper(),
        _paper(
            "2601.01234",
            3,
            title="Tom & Jerry: <Cats> at $n<k$",
            authors=["Ada Lovelace"],
            categories=["cs.LG", "cs.AI"],
            announce_type=AnnounceType.REPLACE_CROSS,
            doi="10.1000/xyz123",
            journal_ref="Nature 1, 2 (2026)",
        ),
        _paper("cs/9901001", 2, announce_type=AnnounceType.CROSS),
    ]
    fake.feeds["cs.AI+cs.LG"] = (date(2026, 2, 4), papers)

    day = await FeedClient(http, fake.rss_url).fetch_day(["cs.AI", "cs.LG"])

    assert day == FeedDay(["cs.AI", "cs.LG"], date(2026, 2, 4), papers)
    [request] = fake.requests
    assert (request.method, request.path) == ("GET", "/rss/cs.AI+cs.LG")
    assert request.headers["user-agent"] == USER_AGENT


async def test_fetches_a_real_feed_body(
    corpus: Path, fake: FakeArxiv, http: httpx.AsyncClient
) -> None:
    body = (corpus / "rss_2026_rss2_cs.AI_trimmed3.xml").read_bytes()
    fake.fail_next(Response(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"}))

    day = await FeedClient(http, fake.rss_url).fetch_day(["cs.AI"])

    assert day.announced_on == date(2026, 4, 27)
    assert [p.arxiv_id for p in day.papers] == ["2604.21935", "2604.21936", "2604.21937"]


async def test_an_empty_feed_is_not_an_error(fake: FakeArxiv, http: httpx.AsyncClient) -> None:
    day = await FeedClient(http, fake.rss_url).fetch_day(["cs.AI"])

    assert day == FeedDay(["cs.AI"], None, [])


@pytest.mark.parametrize(("status", "reason"), [(500, "Internal Server Error"), (404, "Not Found")])
async def test_an_http_error_is_reported_with_its_status(
    fake: FakeArxiv, http: httpx.AsyncClient, status: int, reason: str
) -> None:
    fake.fail_next(Response(status, b"oops"))

    with pytest.raises(FeedUnavailable) as caught:
        await FeedClient(http, fake.rss_url).fetch_day(["cs.AI"])

    assert f"HTTP {status} {reason}" in str(caught.value)
    assert f"{fake.rss_url}cs.AI" in str(caught.value)


async def test_a_feed_that_does_not_answer_in_time_is_unavailable(fake: FakeArxiv) -> None:
    fake.fail_next(Response(200, b"", delay=1.0))

    async with httpx.AsyncClient(timeout=0.1) as http:
        with pytest.raises(FeedUnavailable, match="did not answer in time"):
            await FeedClient(http, fake.rss_url).fetch_day(["cs.AI"])


async def test_a_body_that_is_not_a_feed_is_unavailable(
    fake: FakeArxiv, http: httpx.AsyncClient
) -> None:
    page = b"<html><body><h1>We are down for maintenance</h1></body></html>"
    fake.fail_next(Response(200, page, {"Content-Type": "text/html"}))

    with pytest.raises(FeedUnavailable) as caught:
        await FeedClient(http, fake.rss_url).fetch_day(["cs.AI"])

    assert "is not RSS or Atom" in str(caught.value)
    assert "text/html" in str(caught.value)


async def test_an_unreachable_feed_is_unavailable(http: httpx.AsyncClient) -> None:
    with FakeArxiv() as gone:
        url = gone.rss_url
    with pytest.raises(FeedUnavailable, match="could not be reached"):
        await FeedClient(http, url).fetch_day(["cs.AI"])
