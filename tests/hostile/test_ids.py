"""arXiv ids as people paste them, and as attackers might: only a well-formed id reaches a URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_digest.wiring import digest_options, open_digest
from bot.core import ChatCore
from bot.platform import PaperReply
from domain.errors import InvalidArxivId
from domain.models import Paper
from domain.statuses import AnalysisSource
from pipeline.ids import ArxivId, parse_arxiv_id
from storage.repositories import PaperRepository
from tests.chat import MEMBER, error
from tests.daydata import ECO, make_settings, method_pdf, paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.hostile._helpers import assert_one_clean_line

# What may ever reach a URL path: ASCII, no dot-dot, no slash but the one of an old-style id.
_SAFE = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7})(?:v[1-9]\d{0,3})?", re.A)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("http://arxiv.org/abs/2602.00780", ArxivId("2602.00780")),
        ("https://arxiv.org/abs/2602.00780v2", ArxivId("2602.00780", 2)),
        ("https://www.arxiv.org/abs/2602.00780", ArxivId("2602.00780")),
        ("https://arxiv.org/pdf/2602.00780", ArxivId("2602.00780")),
        ("https://arxiv.org/pdf/2602.00780v2.pdf", ArxivId("2602.00780", 2)),
        ("http://export.arxiv.org/pdf/2602.00780v2", ArxivId("2602.00780", 2)),
        ("https://arxiv.org/html/2602.00780v2", ArxivId("2602.00780", 2)),
        ("https://arxiv.org/html/2602.00780v2/", ArxivId("2602.00780", 2)),
        ("https://arxiv.org/abs/2602.00780?context=cs", ArxivId("2602.00780")),
        ("arxiv.org/abs/2602.00780v3?context=cs.AI#S2", ArxivId("2602.00780", 3)),
        ("HTTPS://ARXIV.ORG/ABS/2602.00780", ArxivId("2602.00780")),
        ("https://arxiv.org/abs/cs/9901001", ArxivId("cs/9901001")),
        ("https://arxiv.org/pdf/hep-th/9901001v2.pdf", ArxivId("hep-th/9901001", 2)),
        ("2602.00780.", ArxivId("2602.00780")),
        ("2602.00780,", ArxivId("2602.00780")),
        ("(2602.00780)", ArxivId("2602.00780")),
        ("[arXiv:2602.00780v2];", ArxivId("2602.00780", 2)),
        ('"2602.00780"', ArxivId("2602.00780")),
        ("“2602.00780”", ArxivId("2602.00780")),
        ("cs/9901001.", ArxivId("cs/9901001")),
        ("https://arxiv.org/abs/2602.00780).", ArxivId("2602.00780")),
        ("<https://arxiv.org/abs/2602.00780>", ArxivId("2602.00780")),  # Slack's link form
        (
            "<https://arxiv.org/abs/2602.00780v2|arxiv.org/abs/2602.00780v2>",
            ArxivId("2602.00780", 2),
        ),
        ("２６０２．００７８０ｖ２", ArxivId("2602.00780", 2)),
        ("2602.00780\u200b", ArxivId("2602.00780")),
        ("\ufeff2602.00780", ArxivId("2602.00780")),
    ],
)
def test_every_form_people_paste_is_read(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "cs/../../etc/passwd",
        "cs/9901001/../../etc/passwd",
        "2602.00780/../../../etc/passwd",
        "https://arxiv.org/abs/../../../etc/passwd",
        "https://arxiv.org/pdf/2602.00780/../../etc/passwd",
        "https://arxiv.org/abs/2602.00780%2F..%2F..",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "file:///etc/passwd",
        "https://evil.example/abs/2602.00780",
        "https://arxiv.org.evil.example/abs/2602.00780",
        "2602.00780\x00.pdf",
        "2602.00780\nHost: evil",
        "2602.00780 v2",
        "2602.٠٠٧٨٠",
        "CS/9901001",
        "cs/990100",
    ],
)
def test_nothing_else_is_an_id(text: str) -> None:
    with pytest.raises(InvalidArxivId) as info:
        parse_arxiv_id(text)
    assert "is not an arXiv id" in str(info.value)
    assert_one_clean_line(str(info.value))


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789./\\%vV:-_ csahep-thhttps://arxiv.org/abs/pdf?#")),
    st.text(max_size=30),
)
def test_whatever_parses_is_a_plain_ascii_id(shaped: str, anything: str) -> None:
    for text in (shaped, anything, shaped + anything):
        try:
            parsed = parse_arxiv_id(text)
        except InvalidArxivId:
            continue
        assert _SAFE.fullmatch(str(parsed)), (text, parsed)
        assert ".." not in str(parsed) and "\\" not in str(parsed)


OLD = paper("cs/9901001", "An Old Paper About Agents", "Agents act.", categories=["cs.AI"])
OLD_V2 = paper("hep-th/9901001", "Strings, Again", "Strings vibrate.", version=2)


@pytest.mark.parametrize(("stored", "typed"), [(OLD, "cs/9901001"), (OLD_V2, "hep-th/9901001v2")])
async def test_an_old_style_id_is_summarized_end_to_end(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    stored: Paper,
    typed: str,
) -> None:
    arxiv.add_paper(stored, method_pdf("An old paper"))

    reply = await core.handle(MEMBER, f"summarize https://arxiv.org/abs/{typed}")

    assert isinstance(reply, PaperReply), reply
    assert reply.entry.paper.arxiv_id == stored.arxiv_id
    assert reply.entry.paper.version == stored.version
    assert reply.entry.source is AnalysisSource.FULL_TEXT
    assert reply.entry.paper.abs_url == f"https://arxiv.org/abs/{reply.entry.paper.arxiv_id}"
    # the PDF is asked for at /pdf/<archive>/<number>vN, as https://arxiv.org/pdf/cs/9901001v1
    pdf_paths = [r.path for r in arxiv.requests if r.path.startswith("/pdf/")]
    assert pdf_paths == [f"/pdf/{reply.entry.paper.versioned_id}"]
    assert len(llm.completions) == 1


async def test_a_version_that_does_not_exist_is_a_clear_answer(
    core: ChatCore,
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
) -> None:
    arxiv.add_paper(ECO, method_pdf(ECO.title))

    message = error(await core.handle(MEMBER, "summarize 2602.00780v999"))

    assert "arXiv has no paper 2602.00780v999" in message
    assert_one_clean_line(message)
    assert not any(r.path.startswith("/pdf/") for r in arxiv.requests)
    assert llm.completions == []
    async with core.db.session() as session:
        assert await PaperRepository(session).get(ECO.arxiv_id) is None


@pytest.mark.parametrize(
    "typed",
    [
        "../../etc/passwd",
        "https://arxiv.org/pdf/../../../etc/passwd",
        "cs/9901001/../../../etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ],
)
async def test_a_path_never_leaves_the_command(
    core: ChatCore,
    arxiv: FakeArxiv,
    typed: str,
) -> None:
    message = error(await core.handle(MEMBER, f"summarize {typed}"))
    assert "is not an arXiv id" in message
    assert arxiv.requests == []  # neither the API nor the PDF server was asked anything


async def test_the_cli_summarize_reads_an_old_style_id_too(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> None:
    arxiv.add_paper(OLD, method_pdf("An old paper"))
    settings = make_settings(arxiv, llm, database_url, tmp_path)
    async with open_digest(settings, digest_options(settings)) as digest:
        entry = (await digest.summarize("https://arxiv.org/pdf/cs/9901001v1.pdf")).entry
    assert entry.paper.arxiv_id == "cs/9901001" and entry.paper.version == 1
    assert [r.path for r in arxiv.requests if r.path.startswith("/pdf/")] == ["/pdf/cs/9901001v1"]
