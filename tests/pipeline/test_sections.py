from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipeline.fitting
from pipeline.fitting import CUT_MARK, estimate_tokens, fit_to_budget
from pipeline.pdf import FullText
from pipeline.sections import Section, drop_back_matter, heading_kind, split_sections

CORPUS_TEXT = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "text"

PROSE = "This paragraph is long enough to read as running text in a paper, with several clauses. "


def _paper(*parts: str) -> str:
    return "\n".join(parts)


def _headings(text: str) -> list[tuple[str | None, str]]:
    return [(s.kind, s.heading) for s in split_sections(text)]


# --- finding headings ---------------------------------------------------------------------------


def test_numbered_headings_on_their_own_line_or_after_the_number():
    text = _paper(
        "A Paper Title",
        "Abstract",
        PROSE,
        "1",
        "Introduction",
        PROSE,
        "2. Related Work",
        PROSE,
        "3 Method",
        PROSE,
        "4",
        "Experiments",
        PROSE,
        "5 Conclusion",
        PROSE,
    )
    assert _headings(text) == [
        (None, ""),
        ("abstract", "Abstract"),
        ("introduction", "1 Introduction"),
        ("related_work", "2. Related Work"),
        ("method", "3 Method"),
        ("experiments", "4 Experiments"),
        ("conclusion", "5 Conclusion"),
    ]


def test_roman_numbered_headings():
    text = _paper(
        "Title",
        "I. INTRODUCTION",
        PROSE,
        "II. PROPOSED APPROACH",
        PROSE,
        "III. EXPERIMENTAL RESULTS",
        PROSE,
        "IV. CONCLUSION",
        PROSE,
    )
    kinds = [k for k, _ in _headings(text)]
    assert kinds == [None, "introduction", "method", "experiments", "conclusion"]
    assert split_sections(text)[2].heading == "II. PROPOSED APPROACH"


def test_subsections_stay_inside_their_section():
    text = _paper(
        "Title",
        "1 Introduction",
        PROSE,
        "2 Method",
        "2.1",
        "Encoder",
        "The encoder reads tokens.",
        "2.2 Decoder",
        "The decoder writes tokens.",
        "3 Experiments",
        PROSE,
    )
    method = split_sections(text)[2]
    assert method.heading == "2 Method"
    assert "2.1\nEncoder\nThe encoder reads tokens." in method.text
    assert "2.2 Decoder\nThe decoder writes tokens." in method.text


def test_page_numbers_table_cells_and_running_headers_are_not_headings():
    header = "Proceedings of the Workshop on Things 2026"
    text = _paper(
        "Title",
        "1 Introduction",
        PROSE,
        header,
        "2",  # a page number, then the next page's first line
        "Network architectures have been widely used in many of these",
        PROSE,
        "2 Method",
        PROSE,
        header,
        "Model",  # a table: a header cell and numbers
        "23.75",
        "Deep Model",
        "3 Experiments",
        PROSE,
        header,
        "4 Conclusion",
        PROSE,
    )
    headings = [h for _, h in _headings(text)]
    assert headings == ["", "1 Introduction", "2 Method", "3 Experiments", "4 Conclusion"]


def test_a_missed_heading_does_not_lose_the_ones_after_it():
    text = _paper(
        "Title",
        "1 Introduction",
        PROSE,
        "2 Things we tried, and why: a long story.",  # not title-like: missed
        PROSE,
        "3 Method",
        PROSE,
        "4 Results",
        PROSE,
    )
    assert [k for k, _ in _headings(text)] == [None, "introduction", "method", "experiments"]


def test_affiliations_numbered_like_sections_are_not_the_sections():
    text = _paper(
        "A Paper Title",
        "1 Department of Physics, University of Somewhere",
        "2 Institute of Things",
        "1 Introduction",
        PROSE,
        "2 Background",
        PROSE,
        "3 Approach",
        PROSE,
    )
    assert [h for _, h in _headings(text)][1:] == ["1 Introduction", "2 Background", "3 Approach"]


def test_unnumbered_papers_split_on_common_section_names():
    text = _paper(
        "A Paper Title",
        "Abstract",
        PROSE,
        "Introduction",
        PROSE,
        "Proposed Approach",
        PROSE,
        "Method",  # a table's column header, followed by cells rather than prose
        "Copy",
        "12.5",
        "Experiments",
        PROSE,
        "Conclusion",
        PROSE,
        "References",
        "[1] A. Author. A paper. 2020.",
    )
    assert _headings(text) == [
        (None, ""),
        ("abstract", "Abstract"),
        ("introduction", "Introduction"),
        ("method", "Proposed Approach"),
        ("experiments", "Experiments"),
        ("conclusion", "Conclusion"),
        ("references", "References"),
    ]


def test_a_title_wrapped_onto_a_section_name_is_not_a_heading():
    text = _paper(
        "Combined Measurement of the Boson Mass with the ATLAS and CMS",
        "Experiments",
        "The Collaborations",
        "Abstract",
        PROSE,
        "Introduction",
        PROSE,
        "Results",
        PROSE,
    )
    assert _headings(text)[1:] == [
        ("abstract", "Abstract"),
        ("introduction", "Introduction"),
        ("experiments", "Results"),
    ]


def test_run_in_abstract_and_wrapped_capital_headings():
    text = _paper(
        "Title",
        "Abstract—We present a thing that works well.",
        "1 INTRODUCTION",
        PROSE,
        "2 DESIGNING SUPPORTS FOR",
        "EXPOSITORY WRITING",
        PROSE,
        "3 CONCLUSION",
        PROSE,
    )
    sections = split_sections(text)
    assert sections[1] == Section("abstract", "Abstract", "We present a thing that works well.")
    assert sections[3].heading == "2 DESIGNING SUPPORTS FOR EXPOSITORY WRITING"
    assert sections[3].text == PROSE.strip()


def test_appendices_after_the_references_are_found_and_dropped():
    text = _paper(
        "Title",
        "1 Introduction",
        PROSE,
        "2 Method",
        PROSE,
        "3 Conclusion",
        PROSE,
        "Acknowledgements",
        "We thank the reviewers.",
        "References",
        "[1] A. Author. A paper. 2020.",
        "A Proofs",
        "Proof of everything.",
        "B",
        "Extra Experiments",
        "More tables.",
    )
    sections = split_sections(text)
    assert [(s.kind, s.heading) for s in sections[-4:]] == [
        ("acknowledgements", "Acknowledgements"),
        ("references", "References"),
        ("appendix", "A Proofs"),
        ("appendix", "B Extra Experiments"),
    ]
    kept = drop_back_matter(sections)
    assert [s.heading for s in kept] == ["", "1 Introduction", "2 Method", "3 Conclusion"]
    assert all("Proof of everything" not in s.text for s in kept)


def test_a_references_column_in_a_table_does_not_end_the_paper():
    text = _paper(
        "Title",
        "1 Introduction",
        PROSE,
        "2 Experiments",
        "References",  # a table column: the paper goes on with numbered sections
        "Smith et al.",
        "3 Conclusion",
        PROSE,
        "References",
        "[1] A. Author. A paper. 2020.",
    )
    kept = drop_back_matter(split_sections(text))
    assert [s.heading for s in kept] == ["", "1 Introduction", "2 Experiments", "3 Conclusion"]
    assert "[1] A. Author" not in "".join(s.text for s in kept)


def test_an_abstract_label_inside_a_figure_is_not_a_heading():
    text = _paper(
        "Title",
        "Abstract",
        "We present things.",
        "1 Introduction",
        PROSE,
        "Abstract",  # a box in a figure
        PROSE,
        "2 Method",
        PROSE,
        "3 Results",
        PROSE,
    )
    assert [k for k, _ in _headings(text)].count("abstract") == 1


def test_text_without_headings_is_one_section():
    assert split_sections("just some words\nand more words") == [
        Section(None, "", "just some words\nand more words")
    ]
    assert split_sections("") == []


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Abstract", "abstract"),
        ("1 Introduction", "introduction"),
        ("I. EINLEITUNG", "introduction"),
        ("2 Related Work", "related_work"),
        ("BACKGROUND AND RELATED WORK", "related_work"),
        ("Literature Review", "related_work"),
        ("3 Method", "method"),
        ("Methods", "method"),
        ("Methodology", "method"),
        ("Our Approach", "method"),
        ("Proposed Method", "method"),
        ("3 Model Architecture", "method"),
        ("Framework", "method"),
        ("4 SYSTEM DESIGN", "method"),
        ("Experiments", "experiments"),
        ("Experimental Results", "experiments"),
        ("Experimental Setup", "experiments"),
        ("IX. EVALUATION", "experiments"),
        ("6 Results", "experiments"),
        ("Results and Discussion", "experiments"),
        ("5 STUDY 1: DISCOVER RELEVANT CITATIONS", "experiments"),
        ("Usability Study", "experiments"),
        ("Discussion", "discussion"),
        ("LIMITATIONS AND FUTURE WORK", "discussion"),
        ("Conclusion", "conclusion"),
        ("XI. CONCLUSION AND FUTURE WORK", "conclusion"),
        ("Concluding Remarks", "conclusion"),
        ("IV. SUMMARY", "conclusion"),
        ("References", "references"),
        ("LITERATUR", "references"),
        ("Bibliography", "references"),
        ("ACKNOWLEDGMENTS", "acknowledgements"),
        ("Acknowledgements and Disclosure of Funding", "acknowledgements"),
        ("Appendix", "appendix"),
        ("APPENDIX A", "appendix"),
        ("Appendix B: Proofs", "appendix"),
        ("Supplementary Material", "appendix"),
        ("4 Why Self-Attention", None),
        ("Reference Resolution", None),
        ("Appendix B for details", None),
    ],
)
def test_heading_kinds_come_from_a_keyword_table(title, kind):
    assert heading_kind(title) == kind


def test_drop_back_matter_keeps_the_main_text_in_order():
    sections = [
        Section(None, "", "Title"),
        Section("introduction", "1 Introduction", "intro"),
        Section("acknowledgements", "Acknowledgments", "thanks"),
        Section("conclusion", "2 Conclusion", "end"),
        Section("references", "References", "[1] refs"),
        Section(None, "Checklist", "after the references: supplementary"),
    ]
    assert [s.heading for s in drop_back_matter(sections)] == ["", "1 Introduction", "2 Conclusion"]


# --- fitting the budget -------------------------------------------------------------------------


def _sentences(word: str, count: int) -> str:
    return " ".join(
        f"{word.capitalize()} sentence number {i} says something." for i in range(count)
    )


def _full(*sections: Section) -> FullText:
    return FullText(pages=10, sections=list(sections), front_text="")


def _long_paper() -> FullText:
    return _full(
        Section(None, "", "A Paper Title\nAda Example"),
        Section("abstract", "Abstract", _sentences("abstract", 10)),
        Section("introduction", "1 Introduction", _sentences("intro", 200)),
        Section("related_work", "2 Related Work", _sentences("related", 200)),
        Section("method", "3 Method", _sentences("method", 200)),
        Section("experiments", "4 Experiments", _sentences("experiment", 200)),
        Section("conclusion", "5 Conclusion", _sentences("conclusion", 30)),
    )


def test_estimate_tokens_is_four_characters_a_token_rounded_up():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2


def test_a_paper_that_fits_is_sent_whole():
    full = _full(
        Section("abstract", "Abstract", "Short abstract."),
        Section("method", "2 Method", "We do things."),
    )
    assert fit_to_budget(full, 1000) == "Abstract\nShort abstract.\n\n2 Method\nWe do things."


def test_a_long_paper_keeps_every_section_in_order_within_the_budget():
    full = _long_paper()
    text = fit_to_budget(full, 3000)
    assert estimate_tokens(text) <= 3000
    positions = [text.index(s.heading) for s in full.sections if s.heading]
    assert positions == sorted(positions)
    for section in full.sections:  # every section keeps its beginning
        assert section.text[:40] in text


def test_method_and_experiments_get_more_than_the_first_pages():
    text = fit_to_budget(_long_paper(), 3000)
    method = text.split("3 Method\n")[1].split("\n\n")[0]
    experiments = text.split("4 Experiments\n")[1].split("\n\n")[0]
    related = text.split("2 Related Work\n")[1].split("\n\n")[0]
    intro = text.split("1 Introduction\n")[1].split("\n\n")[0]
    assert len(method) > len(intro) > len(related)
    assert len(experiments) > len(intro)
    assert abs(len(method) - len(experiments)) < 0.1 * len(method)
    assert _sentences("abstract", 10) in text  # the abstract is short: it is sent whole


def test_cut_sections_end_on_a_sentence_and_say_so():
    text = fit_to_budget(_long_paper(), 2000)
    cut = [part for part in text.split("\n\n") if part.endswith(CUT_MARK)]
    assert {part.split("\n")[0] for part in cut} >= {"1 Introduction", "3 Method", "4 Experiments"}
    for part in cut:
        assert part.removesuffix(CUT_MARK).rstrip().endswith("something.")


def test_a_paper_without_headings_is_cut_at_its_beginning():
    full = _full(Section(None, "", _sentences("plain", 500)))
    text = fit_to_budget(full, 500)
    assert estimate_tokens(text) <= 500
    assert text.startswith("Plain sentence number 0 says something.")
    assert text.endswith(CUT_MARK)


def test_the_budget_holds_with_another_token_estimate(monkeypatch):
    """`estimate_tokens` is the one place to swap for a real tokenizer."""
    monkeypatch.setattr(pipeline.fitting, "estimate_tokens", lambda text: len(text) // 2 + 1)
    text = fit_to_budget(_long_paper(), 3000)
    assert len(text) // 2 + 1 <= 3000
    assert "3 Method" in text and "4 Experiments" in text


def test_a_budget_too_small_for_the_headings_still_holds():
    text = fit_to_budget(_long_paper(), 20)
    assert estimate_tokens(text) <= 20
    assert fit_to_budget(_long_paper(), 0) == ""


_kinds = st.sampled_from([None, "abstract", "introduction", "method", "experiments", "conclusion"])
_words = st.text(alphabet=st.sampled_from("abc .\n"), min_size=0, max_size=3000)


@settings(max_examples=60, deadline=None)
@given(
    sections=st.lists(st.tuples(_kinds, st.text(max_size=30), _words), max_size=8),
    budget=st.integers(min_value=0, max_value=2000),
)
def test_the_budget_always_holds(sections, budget):
    full = _full(*(Section(k, h.strip(), t) for k, h, t in sections))
    text = fit_to_budget(full, budget)
    assert estimate_tokens(text) <= budget


# --- real papers --------------------------------------------------------------------------------

# The method-like and experiments-like headings of each paper (None: it has no such section).
REAL_PAPERS = {
    "1512.04469v1": (None, None),  # German; the algorithm's sections have no method-like name
    "1601.03642v1": (None, None),  # a review
    "1706.03762v5": ("3 Model Architecture", "6 Results"),
    "1706.09498v1": ("4 Proposed Method", "5 Experiments"),
    "1801.07779v1": (None, "IX. EVALUATION"),  # a dataset paper
    "2202.00535v1": ("Proposed Approaches", "Experiments"),  # unnumbered headings
    "2203.00130v1": ("5 IMPLEMENTATION", "6 USABILITY STUDY"),
    "2206.10883v3": (None, "4 Experiments"),  # a dataset paper
    "2302.07302v1": ("4 SYSTEM DESIGN", "5 STUDY 1: DISCOVER RELEVANT CITATIONS"),
    "2304.02623v1": (None, None),  # a position paper
    "2404.01230v1": ("4 METHODS: HOW TO IMPROVE", "5 EVALUATIONS: HOW TO ASSESS"),  # a survey
}


def _real_text(arxiv_id: str) -> str:
    if not CORPUS_TEXT.is_dir():
        pytest.skip("the corpus of real arXiv files is not next to this checkout")
    (path,) = CORPUS_TEXT.glob(f"pdf_arXiv_{arxiv_id}_*.txt.gz")
    return gzip.decompress(path.read_bytes()).decode()


@pytest.mark.parametrize("arxiv_id", sorted(REAL_PAPERS))
def test_real_papers_sections_are_found_and_fit_the_budget(arxiv_id):
    text = _real_text(arxiv_id)
    method_heading, experiments_heading = REAL_PAPERS[arxiv_id]
    found = split_sections(text)
    kept = drop_back_matter(found)

    kinds = {s.kind for s in kept}
    assert "introduction" in kinds
    assert not kinds & {"references", "acknowledgements", "appendix"}
    references = next(s for s in found if s.kind == "references")
    assert all(references.text[:80] not in s.text for s in kept)  # the bibliography is gone

    fitted = fit_to_budget(FullText(pages=1, sections=kept, front_text=""), 6000)
    assert estimate_tokens(fitted) <= 6000
    for kind, heading in (("method", method_heading), ("experiments", experiments_heading)):
        if heading is None:
            continue
        section = next(s for s in kept if s.kind == kind)
        assert section.heading.startswith(heading)
        assert section.heading in fitted
        assert section.text[:60] in fitted


def test_a_table_of_contents_is_not_taken_for_the_headings():
    contents = ["Contents", "1 Introduction", "3", "2 Method", "4", "3 Results", "7"]
    text = _paper(
        "A Paper Title",
        *contents,
        "1 Introduction",
        PROSE,
        "2 Method",
        PROSE,
        "3 Results",
        PROSE,
    )
    sections = split_sections(text)
    assert [s.heading for s in sections] == ["", "1 Introduction", "2 Method", "3 Results"]
    assert sections[0].text == "\n".join(["A Paper Title", *contents])
