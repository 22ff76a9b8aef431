from __future__ import annotations

import pytest

from domain.errors import InvalidArxivId
from pipeline.ids import ArxivId, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2602.00780", ArxivId("2602.00780")),
        ("2602.00780v2", ArxivId("2602.00780", 2)),
        ("arXiv:2602.00780", ArxivId("2602.00780")),
        ("  2602.00780v12 ", ArxivId("2602.00780", 12)),
        ("https://arxiv.org/abs/2602.00780v3", ArxivId("2602.00780", 3)),
        ("http://export.arxiv.org/abs/2602.00780", ArxivId("2602.00780")),
        ("https://arxiv.org/pdf/2602.00780.pdf", ArxivId("2602.00780")),
        ("https://arxiv.org/pdf/2602.00780v1", ArxivId("2602.00780", 1)),
        ("arxiv.org/abs/2602.00780?context=cs.AI", ArxivId("2602.00780")),
        ("1412.1234", ArxivId("1412.1234")),
        ("0704.0001", ArxivId("0704.0001")),
        ("cs/9901001", ArxivId("cs/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("https://arxiv.org/abs/cond-mat/0102536", ArxivId("cond-mat/0102536")),
    ],
)
def test_accepts_what_people_paste(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "../../etc/passwd",
        "2602.0078",  # four digits are only valid until 2014
        "1412.12345",  # and five only from 2015
        "2613.00001",  # no thirteenth month
        "2602.00780v0",
        "2602.00780v",
        "https://example.com/abs/2602.00780",
        "2602.00780; rm -rf /",
        "x" * 500,
    ],
)
def test_rejects_anything_else_with_a_readable_message(text: str) -> None:
    with pytest.raises(InvalidArxivId) as info:
        parse_arxiv_id(text)
    message = str(info.value)
    assert "is not an arXiv id" in message
    assert len(message) < 250


def test_str_round_trips() -> None:
    assert str(parse_arxiv_id("2602.00780v2")) == "2602.00780v2"
    assert str(parse_arxiv_id("cs/9901001")) == "cs/9901001"
