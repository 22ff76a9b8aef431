"""The Telegram HTML splitter and measure: pieces Telegram accepts, each valid on its own."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.telegram.html_split import MAX_MESSAGE, _tokenize, split_html, visible_length
from tests.bot.test_render_properties import TEXT
from tests.fakes.telegram_server import parse_html, utf16_length


def _plain(message: str) -> str:
    """What the reader sees, by the fake's parser (independent of the splitter's own)."""
    return parse_html(message)


def _assert_whole_pieces(pieces: list[str], original: str) -> None:
    """The pieces are the original in order, each ending at a space or a sentence's end."""
    position = 0
    for piece in pieces:
        while original[position].isspace():
            position += 1
        assert original.startswith(piece, position), piece[:80]
        position += len(piece)
        at_end = position == len(original)
        assert at_end or original[position].isspace() or original[position - 1] in "。！？"
    assert not original[position:].strip()


# -- measuring


def test_visible_length_counts_parsed_text_in_utf16_code_units() -> None:
    assert visible_length("<b>a</b>&amp;😀中") == 5
    assert visible_length('<a href="https://arxiv.org/abs/1">ab</a>') == 2
    assert visible_length("&#128512;&#x4e2d;&lt;") == 4
    assert visible_length("&nbsp;") == 6  # Telegram knows only four named entities


@settings(max_examples=300, deadline=None)
@given(source=st.one_of(TEXT, st.text()))
def test_telegram_measures_any_text_as_its_splitter_reads_it(source: str) -> None:
    """A message is measured to decide whether to split it: the measure must be the splitter's
    count of what the reader sees, character by character, surrogates and all."""
    seen = "".join(token.text for token in _tokenize(source))
    assert visible_length(source) == len(seen.encode("utf-16-le", "surrogatepass")) // 2


# -- splitting


def test_an_emoji_sequence_is_never_cut_in_half() -> None:
    coder = "👩\u200d💻"  # three characters joined into one symbol, five UTF-16 units
    source = "ab" + coder * 2000  # the first window ends just after a joiner
    pieces = split_html(source)
    assert len(pieces) == 3
    for piece in pieces:
        assert utf16_length(piece) <= MAX_MESSAGE
        assert piece.removeprefix("ab").replace(coder, "") == ""
    assert "".join(pieces) == source


def test_split_html_reopens_tags_and_never_splits_a_tag_an_entity_or_a_link() -> None:
    link = '<a href="https://arxiv.org/abs/{n}?a=1&amp;b=2">paper {n} &amp; &lt;more&gt;</a> &amp;'
    source = "<b>" + " ".join(link.format(n=n) for n in range(300)) + "</b>"
    pieces = split_html(source, 500)
    assert len(pieces) > 5
    for piece in pieces:
        plain = _plain(piece)
        assert utf16_length(plain) <= 500
        assert piece.startswith("<b>") and piece.endswith("</b>")
        links = re.findall(r"<a [^>]*>(.*?)</a>", piece)
        assert piece.count("<a ") == piece.count("</a>") == len(links)
        assert all(re.fullmatch(r"paper \d+ &amp; &lt;more&gt;", text) for text in links)
    _assert_whole_pieces([_plain(p) for p in pieces], _plain(source))


def test_split_html_closes_and_reopens_nested_tags_with_their_attributes() -> None:
    source = "<blockquote expandable><i>" + "word " * 300 + "</i>end</blockquote>"
    pieces = split_html(source, 400)
    assert len(pieces) == 4
    for piece in pieces[:-1]:
        assert piece.startswith("<blockquote expandable><i>")
        assert piece.endswith("</i></blockquote>")
        _plain(piece)
    assert pieces[-1].endswith("word </i>end</blockquote>")
    _assert_whole_pieces([_plain(p) for p in pieces], _plain(source))


def test_an_unbroken_run_is_cut_between_characters_within_the_limit() -> None:
    assert [len(p) for p in split_html("长" * 7000, 3000)] == [3000, 3000, 1000]
    assert [len(p) for p in split_html("😀" * 3000)] == [2048, 952]


def test_a_text_that_fits_is_one_piece_and_blank_text_none() -> None:
    assert split_html("<b>short</b> text") == ["<b>short</b> text"]
    assert split_html(" \n <b> </b>") == []
