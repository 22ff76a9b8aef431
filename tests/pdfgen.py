"""PDFs built with PyMuPDF for tests: papers with real headings, and the broken kinds of file.

`make_paper_pdf()` with no arguments gives a small paper (abstract, introduction, related work,
method, experiments, conclusion, references) whose text `extract` reads back section by section.
"""

from __future__ import annotations

import pymupdf

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 72
_BODY_SIZE, _HEADING_SIZE, _TITLE_SIZE = 10, 13, 16
_LINE = 13

PAPER_SECTIONS: list[tuple[str, str]] = [
    (
        "Abstract",
        "We study how small models learn to route tokens. Our router cuts compute by half "
        "while keeping accuracy on three benchmarks.",
    ),
    (
        "1 Introduction",
        "Large models spend the same compute on every token. This is wasteful because most "
        "tokens are easy. We ask whether a learned router can skip the easy ones.\n\n"
        "Our contributions are a simple router, a training recipe, and an analysis of what "
        "the router learns.",
    ),
    (
        "2 Related Work",
        "Mixture of experts models route tokens to experts. Early exit models stop computing "
        "when a classifier is confident. Our router differs in that it skips whole layers.",
    ),
    (
        "3 Method",
        "The router is a linear layer that scores each token before every block. Tokens whose "
        "score falls below a threshold skip the block and keep their representation.\n\n"
        "We train the router jointly with the model using a straight-through estimator and a "
        "penalty that keeps the average compute at the chosen budget.",
    ),
    (
        "4 Experiments",
        "We train models with 125M and 350M parameters on the same data. Routing at half "
        "compute loses 0.3 points of accuracy on average over the three benchmarks.\n\n"
        "Ablations show that the compute penalty matters most: without it the router learns "
        "to send every token through every block.",
    ),
    (
        "5 Conclusion",
        "A learned router halves compute at almost no cost in accuracy. Future work will try "
        "larger models.",
    ),
    (
        "References",
        "[1] A. Author. A paper about experts. In Proceedings, 2020.\n"
        "[2] B. Author. Early exits for everyone. Journal of Things, 2021.",
    ),
]


def make_paper_pdf(
    sections: list[tuple[str, str]] | None = None,
    *,
    title: str = "Learning to Skip: Token Routing for Small Models",
    code_url: str | None = None,
    min_pages: int = 1,
) -> bytes:
    """A paper as a PDF: title, authors, then each (heading, text); blank lines split paragraphs.

    Headings are printed in a larger bold font on their own line, body text is wrapped to the
    page and flows onto new pages, and every page carries its number at the bottom. With
    `code_url` the first page says "Code is available at <url>" and links it. Section bodies are
    repeated (2, 4, 8 … times) until the document has at least `min_pages` pages.
    """
    sections = PAPER_SECTIONS if sections is None else sections
    repeat = 1
    while True:
        doc = _layout(sections, title, code_url, repeat)
        if doc.page_count >= min_pages:
            break
        doc.close()
        repeat *= 2
    return _save(doc)


def make_encrypted_pdf() -> bytes:
    """A readable paper locked with a user password."""
    doc = pymupdf.open(stream=make_paper_pdf(), filetype="pdf")
    data = doc.tobytes(
        encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner-secret", user_pw="reader-secret"
    )
    doc.close()
    return data


def make_image_only_pdf(pages: int = 2) -> bytes:
    """Pages that are pictures only, as a scan without a text layer is."""
    doc = pymupdf.open()
    pixmap = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 120, 160), False)
    pixmap.set_rect(pixmap.irect, (230,))
    pixmap.set_rect(pymupdf.IRect(10, 10, 110, 20), (20,))  # a dark bar, like a line of print
    for _ in range(pages):
        page = doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        page.insert_image(pymupdf.Rect(36, 36, PAGE_WIDTH - 36, PAGE_HEIGHT - 36), pixmap=pixmap)
    return _save(doc)


def make_many_pages_pdf(pages: int) -> bytes:
    """A document of `pages` pages, each with a paragraph of text."""
    doc = pymupdf.open()
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"]
    for number in range(1, pages + 1):
        page = doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        text = " ".join(
            f"The {words[(number + i) % len(words)]} part says more." for i in range(24)
        )
        page.insert_textbox(
            pymupdf.Rect(_MARGIN, _MARGIN, PAGE_WIDTH - _MARGIN, 400), text, fontsize=_BODY_SIZE
        )
    return _save(doc)


class _Writer:
    """Puts lines on pages top to bottom, starting a new numbered page when one is full."""

    def __init__(self, doc: pymupdf.Document) -> None:
        self.doc = doc
        self.page: pymupdf.Page | None = None
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        self.page = self.doc.new_page(width=PAGE_WIDTH, height=PAGE_HEIGHT)
        self.y = _MARGIN

    def number_pages(self) -> None:
        """Page numbers go in last, at the bottom, where LaTeX puts them in the text order too."""
        for page in self.doc:
            point = (PAGE_WIDTH / 2, PAGE_HEIGHT - 40)
            page.insert_text(point, str(page.number + 1), fontsize=_BODY_SIZE)

    def line(self, text: str, *, size: float = _BODY_SIZE, font: str = "helv") -> pymupdf.Rect:
        if self.y + size > PAGE_HEIGHT - _MARGIN:
            self._new_page()
        assert self.page is not None
        self.page.insert_text((_MARGIN, self.y + size), text, fontsize=size, fontname=font)
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        box = pymupdf.Rect(_MARGIN, self.y, _MARGIN + width, self.y + size + 2)
        self.y += size + (_LINE - _BODY_SIZE)
        return box

    def paragraph(self, text: str, *, size: float = _BODY_SIZE) -> None:
        room = PAGE_WIDTH - 2 * _MARGIN
        space = pymupdf.get_text_length(" ", fontsize=size)
        line: list[str] = []
        width = 0.0
        for word in text.split():
            extra = pymupdf.get_text_length(word, fontsize=size) + (space if line else 0)
            if line and width + extra > room:
                self.line(" ".join(line), size=size)
                line, width = [], 0.0
                extra -= space
            line.append(word)
            width += extra
        if line:
            self.line(" ".join(line), size=size)
        self.y += _LINE / 2

    def gap(self, points: float) -> None:
        self.y += points


def _layout(
    sections: list[tuple[str, str]], title: str, code_url: str | None, repeat: int
) -> pymupdf.Document:
    doc = pymupdf.open()
    writer = _Writer(doc)
    writer.paragraph(title, size=_TITLE_SIZE)
    writer.paragraph("Ada Example and Alan Sample, Example University")
    if code_url:
        box = writer.line(f"Code is available at {code_url}")
        assert writer.page is not None
        writer.page.insert_link({"kind": pymupdf.LINK_URI, "from": box, "uri": code_url})
    writer.gap(_LINE)
    for heading, text in sections:
        writer.gap(_LINE / 2)
        writer.line(heading, size=_HEADING_SIZE, font="hebo")
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        is_references = heading.strip().lower() == "references"
        for paragraph in paragraphs * (1 if is_references else repeat):
            if is_references:
                for entry in paragraph.split("\n"):
                    writer.paragraph(entry)
            else:
                writer.paragraph(paragraph)
    writer.number_pages()
    return doc


def _save(doc: pymupdf.Document) -> bytes:
    data = doc.tobytes(garbage=3, deflate=True)
    doc.close()
    return data
