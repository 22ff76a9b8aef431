"""A fake arXiv: the RSS feed (`/rss/<cats>`), the API (`/api/query`) and PDFs (`/pdf/<id>`)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from domain.models import Paper
from tests.fakes.base import FakeServer, Request, Response

_EASTERN = timezone(timedelta(hours=-5))


def rss_feed(categories: str, announced_on: date | None, papers: list[Paper]) -> bytes:
    """An RSS 2.0 document shaped like rss.arxiv.org's (channel pubDate = announcement date)."""
    pub = (
        format_datetime(
            datetime(announced_on.year, announced_on.month, announced_on.day, tzinfo=_EASTERN)
        )
        if announced_on
        else None
    )
    items = []
    for p in papers:
        cats = "".join(f"<category>{escape(c)}</category>" for c in p.categories)
        kind = p.announce_type.value if p.announce_type else "new"
        extra = f"<arxiv:DOI>{escape(p.doi)}</arxiv:DOI>" if p.doi else ""
        if p.journal_ref:
            extra += f"<arxiv:journal_reference>{escape(p.journal_ref)}</arxiv:journal_reference>"
        items.append(
            f"""<item>
      <title>{escape(p.title)}</title>
      <link>https://arxiv.org/abs/{p.arxiv_id}</link>
      <description>{escape(f"arXiv:{p.versioned_id} Announce Type: {kind} ")}
{escape("Abstract: " + p.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:{p.versioned_id}</guid>
      {cats}
      {f"<pubDate>{pub}</pubDate>" if pub else ""}
      <arxiv:announce_type>{kind}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      {extra}
      <dc:creator>{escape(", ".join(p.authors))}</dc:creator>
    </item>"""
        )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>{escape(categories)} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{escape(categories)}</link>
    <description>{escape(categories)} updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    {f"<pubDate>{pub}</pubDate>" if pub else ""}
    <skipDays><day>Sunday</day><day>Saturday</day></skipDays>
    {"".join(items)}
  </channel>
</rss>""".encode()


def atom_entry(p: Paper) -> str:
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p.authors)
    cats = "".join(
        f'<category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
        for c in p.categories
    )
    comment = f"<arxiv:comment>{escape(p.comments)}</arxiv:comment>" if p.comments else ""
    extra = f"<arxiv:doi>{escape(p.doi)}</arxiv:doi>" if p.doi else ""
    if p.journal_ref:
        extra += f"<arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>"
    return f"""<entry>
    <id>http://arxiv.org/abs/{p.versioned_id}</id>
    <title>{escape(p.title)}</title>
    <updated>2026-02-03T10:00:00Z</updated>
    <link href="https://arxiv.org/abs/{p.versioned_id}" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/{p.versioned_id}" rel="related" type="application/pdf" title="pdf"/>
    <summary>{escape(p.abstract)}</summary>
    {cats}
    <published>2026-02-02T10:00:00Z</published>
    {comment}{extra}
    <arxiv:primary_category term="{escape(p.categories[0])}"/>
    {authors}
  </entry>"""


def atom_feed(entries: list[str]) -> bytes:
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/fake</id>
  <title>arXiv Query</title>
  <updated>2026-02-03T10:00:00Z</updated>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>
  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  {"".join(entries)}
</feed>""".encode()


_API_ERROR = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>https://arxiv.org/</id><title>arXiv Search Results</title>
<entry><id>https://arxiv.org/api/errors#incorrect_id_format</id><title>Error</title>
<summary>incorrect id format</summary></entry></feed>"""


_VERSIONED = re.compile(r"(.+?)(?:v(\d+))?")  # "solv-int/9901001v2" → base, version


class FakeArxiv(FakeServer):
    """Serves whatever the test puts in `feeds`, `papers` and `pdfs`.

    - `feeds[(categories joined by '+')] = (announced_on, [Paper, ...])`
    - `papers[arxiv_id] = Paper` (latest version) for the API's id_list look-ups
    - `versions["2602.00780v1"] = Paper` (earlier versions) for version-specific look-ups
    - `pdfs["2602.00780v1"] = bytes` (a request without version gets the paper's latest)
    - `streamed_pdfs["2602.00780v1"] = size`: a PDF of `size` bytes sent in chunks without a
      Content-Length, as a server that does not announce sizes would; `streamed_bytes[id]` then
      tells how much was written before the client hung up
    """

    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, tuple[date | None, list[Paper]]] = {}
        self.papers: dict[str, Paper] = {}
        self.versions: dict[str, Paper] = {}
        self.pdfs: dict[str, bytes] = {}
        self.streamed_pdfs: dict[str, int] = {}
        self.streamed_bytes: dict[str, int] = {}

    @property
    def rss_url(self) -> str:
        return f"{self.url}/rss/"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/query"

    @property
    def pdf_url(self) -> str:
        return f"{self.url}/pdf/"

    def add_paper(self, paper: Paper, pdf: bytes | None = None) -> None:
        self.papers[paper.arxiv_id] = paper
        if pdf is not None:
            self.pdfs[paper.versioned_id] = pdf

    def handle(self, request: Request) -> Response:
        if request.path.startswith("/rss/"):
            return self._rss(request.path.removeprefix("/rss/"))
        if request.path == "/api/query":
            return self._api(request)
        if request.path.startswith("/pdf/"):
            return self._pdf(request.path.removeprefix("/pdf/"))
        return Response(404, b"not found")

    def _rss(self, categories: str) -> Response:
        announced_on, papers = self.feeds.get(categories, (None, []))
        body = rss_feed(categories, announced_on, papers)
        return Response(200, body, {"Content-Type": "application/rss+xml; charset=utf-8"})

    def _api(self, request: Request) -> Response:
        ids = [i for i in ",".join(request.query.get("id_list", [""])).split(",") if i]
        entries = []
        for wanted in ids:
            base, version = _VERSIONED.fullmatch(wanted).groups()  # type: ignore[union-attr]
            if not any(ch.isdigit() for ch in base) or ".." in wanted:
                return Response(400, _API_ERROR, {"Content-Type": "application/atom+xml"})
            paper = self.papers.get(base)
            if version is not None and (paper is None or paper.version != int(version)):
                paper = self.versions.get(wanted)
            if paper is not None:
                entries.append(atom_entry(paper))
        return Response(200, atom_feed(entries), {"Content-Type": "application/atom+xml"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(super()._handler_class()):  # type: ignore[misc]
            def do_GET(self) -> None:
                name = urlsplit(self.path).path.removeprefix("/pdf/")
                if name not in fake.streamed_pdfs:
                    return super().do_GET()
                with fake._lock:
                    fake.requests.append(Request("GET", urlsplit(self.path).path, {}, {}, b""))
                fake._stream(self, name)

        return _Handler

    def _stream(self, handler: BaseHTTPRequestHandler, name: str) -> None:
        size, sent, chunk = self.streamed_pdfs[name], 0, b"%PDF-1.7\n" + b"0" * 65_527
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            while sent < size:
                part = chunk[: size - sent]
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                sent += len(part)
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: what it got is recorded below
        self.streamed_bytes[name] = sent
        handler.close_connection = True

    def _pdf(self, name: str) -> Response:
        name = name.removesuffix(".pdf")
        if name in self.papers:
            name = self.papers[name].versioned_id
        data = self.pdfs.get(name)
        if data is None:
            return Response(404, b"not found")
        return Response(200, data, {"Content-Type": "application/pdf"})
