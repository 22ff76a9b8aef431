"""Passages: the main text cut at paragraph and sentence ends, each with its nearest heading and
the page it starts on, checked on made-up lines and on the corpus's real PDFs."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pymupdf
import pytest

from domain.errors import PdfUnreadable
from domain.models import Passage
from pipeline.passages import MAX_WORDS, MIN_WORDS, cut_passages
from pipeline.pdf import FullText, extract
from pipeline.sections import drop_back_matter, locate_sections, split_sections

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _sentences(count: int, word: str = "token") -> list[str]:
    """A paragraph: `count` sentences of 13 words on lines of about 80 characters, its last line
    short (which is how a paragraph's end is seen)."""
    sentence = "Sentence {} says the model reads each {} once and then writes it."
    lines, line = [], ""
    for w in " ".join(sentence.format(i, word) for i in range(count)).split():
        if len(line) + len(w) > 80:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if len(line) > 40:  # "… once and then" / "writes it."
        line, end = line.rsplit(" ", 2)[0], " ".join(line.split()[-2:])
        return [*lines, line, end]
    return [*lines, line]


def _cut(pages: list[list[str]]) -> list[Passage]:
    lines = [line for page in pages for line in page]
    numbers = [n for n, page in enumerate(pages, start=1) for _ in page]
    return cut_passages(lines, numbers, drop_back_matter(locate_sections(lines)))


def _paper(*body: str) -> list[str]:
    """A title, an abstract, `body` as section 1 and two sections more (headings are numbered
    sections only when at least three follow on)."""
    return _pages(list(body))[0]


def _pages(*bodies: list[str]) -> list[list[str]]:
    """A paper's pages with section 1 spread over them, one body a page."""
    rest = ["2 Method", *_sentences(3, "pixel"), "3 Conclusion", *_sentences(3, "pixel")]
    pages = [["A Paper Title", "Abstract", *_sentences(5), "1 Introduction"], *bodies[1:]]
    pages[0] += bodies[0]
    pages[-1] = pages[-1] + rest
    return pages


# --- cutting ------------------------------------------------------------------------------------


def test_a_long_paragraph_is_cut_at_sentence_ends_within_the_bounds():
    passages = [p for p in _cut([_paper(*_sentences(40))]) if p.section == "1 Introduction"]
    assert len(passages) >= 3
    for passage in passages:
        assert MIN_WORDS <= len(passage.text.split()) <= MAX_WORDS
        assert passage.text.startswith("Sentence") and passage.text.endswith(".")
    assert " ".join(p.text for p in passages) == " ".join(" ".join(_sentences(40)).split())


def test_paragraphs_are_kept_whole_and_short_ones_gathered():
    first, second = _sentences(9, "word"), _sentences(9, "image")  # 117 words each
    short = [_sentences(3, "sound"), _sentences(3, "pixel"), _sentences(3, "voxel")]  # 39 each
    body = [*first, *second, *(line for paragraph in short for line in paragraph)]
    passages = [p for p in _cut([_paper(*body)]) if p.section == "1 Introduction"]
    sound, pixel, voxel = (" ".join(p) for p in short)
    # 117 words end a passage when the next 117 would not fit; 117 + 39 reach the target (150)
    assert [p.text for p in passages] == [
        " ".join(first),
        f"{' '.join(second)} {sound}",
        f"{pixel} {voxel}",
    ]


def test_a_sentence_without_an_end_is_cut_between_words():
    table = ["0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1.0"] * 60  # 600 numbers, no sentence
    passages = [p for p in _cut([_paper(*table)]) if p.section == "1 Introduction"]
    assert [len(p.text.split()) for p in passages] == [200, 200, 200]


def test_each_passage_has_the_page_it_starts_on():
    one, two, three = _sentences(12, "word"), _sentences(12, "image"), _sentences(12, "sound")
    pages = _pages([*one, *two[:5]], [*two[5:], *three])
    passages = [p for p in _cut(pages) if p.section == "1 Introduction"]
    starts = {p.text.split()[7]: p.page for p in passages}  # "Sentence 0 says … each word"
    assert starts["word"] == 1
    assert starts["image"] == 1  # the paragraph begins on page 1 and goes on over the page
    assert starts["sound"] == 2
    assert all(p.page == 2 for p in passages if "sound" in p.text)


def test_a_word_hyphenated_across_a_page_break_is_joined():
    body = [*_sentences(3)[:-1], "and the model reads the long trans-"]
    pages = _pages(body, ["formers input before it writes.", *_sentences(2)])
    text = " ".join(p.text for p in _cut(pages))
    assert "long transformers input" in text


def test_subsection_headings_start_passages_named_as_printed():
    body = [
        *_sentences(3),
        "1.1",
        "Encoder Stacks",
        *_sentences(3, "word"),
        "1.2 Attention",
        *_sentences(3, "image"),
        "1.5",  # a table cell: numbers follow, not a title
        "0.25",
        "1.2.1 Scaled Attention",
        *_sentences(3, "sound"),
    ]
    sections = [p.section for p in _cut([_paper(*body)])]
    assert list(dict.fromkeys(sections)) == [
        "",
        "Abstract",
        "1 Introduction",
        "1.1 Encoder Stacks",
        "1.2 Attention",
        "1.2.1 Scaled Attention",
        "2 Method",
        "3 Conclusion",
    ]


def test_lettered_subsections_of_roman_sections_and_an_abstract_printed_in_capitals():
    lines = [
        "A Paper Title",
        "ABSTRACT",
        *_sentences(4),
        "I. INTRODUCTION",
        *_sentences(3),
        "II. METHOD",
        *_sentences(3),
        "A. Google DeepDream",
        *_sentences(3, "image"),
        "C. Not After A",  # B is missing: C cannot follow A
        *_sentences(3, "sound"),
        "B. Chatbots",
        *_sentences(3, "word"),
        "III. RESULTS",
        *_sentences(3),
    ]
    sections = [p.section for p in _cut([lines])]
    assert list(dict.fromkeys(sections)) == [
        "",
        "Abstract",
        "I. INTRODUCTION",
        "II. METHOD",
        "A. Google DeepDream",
        "B. Chatbots",
        "III. RESULTS",
    ]


def test_back_matter_gives_no_passages():
    lines = [*_paper(*_sentences(4)), "References", "[1] A. Author. A cited paper. 2020."]
    lines += ["Appendix A", *_sentences(4, "image")]
    passages = _cut([lines])
    assert passages and not [p for p in passages if "cited paper" in p.text or "image" in p.text]


def test_extract_returns_passages_and_json_keeps_them_out():
    data = (
        (CORPUS / "pdf_arXiv_1706.03762v5_cs.CL_15p.pdf").read_bytes() if CORPUS.is_dir() else b""
    )
    if not data:
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    full = extract(data)
    assert full.passages
    again = FullText.from_json(full.to_json())
    assert again.passages == [] and again.sections == full.sections


# --- the corpus ---------------------------------------------------------------------------------

# A sentence that opens a paragraph, and the heading printed above it.
KNOWN = [
    ("1706.03762", "An attention function can be described as mapping a query", "3.2 Attention"),
    (
        "1706.03762",
        "We trained on the standard WMT 2014 English-German dataset",
        "5.1 Training Data and Batching",
    ),
    (
        "1706.03762",
        "Instead of performing a single attention function with dmodel-dimensional keys",
        "3.2.2 Multi-Head Attention",
    ),
    ("1601.03642", "Chatbots are computer programs which participate in chat rooms", "B. Chatbots"),
    ("1801.07779", "TextCat is the name of the software which implements", "A. Textcat"),
    (
        "2404.01230",
        "A key challenge in strategic reasoning is the absence of unified benchmarks",
        "6.2 BRIDGING THE DIVIDE",
    ),
    ("2302.07302", "Science builds on the past work of others.", "1 INTRODUCTION"),
]


def _corpus_pdf(arxiv_id: str) -> bytes:
    if not CORPUS.is_dir():
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    (path,) = CORPUS.glob(f"pdf_arXiv_{arxiv_id}*.pdf")
    return path.read_bytes()


def _squeezed(text: str) -> str:
    """Text as both sides can compare it: ligatures spelled out, line-end hyphens and all
    spaces gone (PyMuPDF's lines and our joined lines differ only in these)."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=[^\W\d_])[-\u00ad]\n(?=[a-z])", "", text)
    return re.sub(r"\s+", "", text)


@cache
def _read(arxiv_id: str) -> tuple[list[Passage], list[str], str]:
    """Our passages, PyMuPDF's own text of each page, and its whole text."""
    data = _corpus_pdf(arxiv_id)
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        pages = [page.get_text() for page in doc]
    return extract(data).passages, [_squeezed(p) for p in pages], "\n".join(pages)


@pytest.mark.parametrize(("arxiv_id", "sentence", "heading"), KNOWN)
def test_a_known_sentence_has_its_page_and_its_heading(arxiv_id, sentence, heading):
    passages, pages, _ = _read(arxiv_id)
    (passage,) = [p for p in passages if _squeezed(sentence) in _squeezed(p.text)]
    (page,) = [n for n, text in enumerate(pages, start=1) if _squeezed(sentence) in text]
    assert passage.page == page
    assert passage.section.startswith(heading)


def _corpus_ids() -> list[str]:
    names = sorted(CORPUS.glob("pdf_arXiv_*.pdf")) if CORPUS.is_dir() else []
    return [name.name.removeprefix("pdf_arXiv_").split("_")[0] for name in names]


@pytest.mark.parametrize("arxiv_id", _corpus_ids() or ["absent"])
def test_every_real_papers_passages_are_bounded_and_start_on_their_page(arxiv_id):
    if arxiv_id == "absent":
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    try:
        passages, pages, whole = _read(arxiv_id)
    except PdfUnreadable:
        pytest.skip("a scan: no text, no passages")
    assert passages
    assert all(p.text.strip() and len(p.text.split()) <= MAX_WORDS for p in passages)
    # The first words of a passage are on its page (a few open inside a formula or a figure,
    # which PyMuPDF prints in another order).
    found = [_squeezed(" ".join(p.text.split()[:6])) in pages[p.page - 1] for p in passages]
    assert sum(found) >= 0.95 * len(found)
    assert [p.page for p in passages] == sorted(p.page for p in passages)

    references = [s for s in split_sections(whole) if s.kind == "references"]
    if references and len(references[-1].text) > 200:
        start = _squeezed(references[-1].text[:120])
        assert not [p for p in passages if start[:60] in _squeezed(p.text)]
