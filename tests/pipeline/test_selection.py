"""Negative and author keywords: what each owner's keywords select from real-looking papers."""

from __future__ import annotations

import random

import pytest

from domain.errors import DigestError, EmptyNegative, InvalidAuthor, InvalidKeyword
from domain.models import Paper
from pipeline.authors import AuthorMatcher, normalize_author
from pipeline.selection import PaperSelector, keyword_key, parse_keyword
from tests.daydata import paper

FIRST = ["Chelsea", "Sergey", "Ada", "Jean-Baptiste", "Karol", "Yuke", "Dorsa", "Pieter"]
LAST = ["Finn", "Levine", "Lovelace", "Mouret", "Hausman", "Zhu", "Sadigh", "Abbeel"]
TOPICS = ["Diffusion Policies", "VLA Models", "World Models", "Tactile Sensing", "Offline RL"]


def generated_day(count: int, seed: int = 7) -> list[Paper]:
    """Papers shaped like a day's: a few authors each, some of them surveys."""
    rng = random.Random(seed)
    papers = []
    for number in range(count):
        topic = rng.choice(TOPICS)
        survey = number % 5 == 0
        title = f"A Survey of {topic}" if survey else f"{topic} for Robot Manipulation"
        abstract = (
            f"We survey recent work on {topic.lower()}."
            if survey
            else f"We propose a method for {topic.lower()} and test it on real robots."
        )
        authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 5))]
        papers.append(paper(f"2602.{number:05d}", title, abstract, authors=authors))
    return papers


@pytest.mark.parametrize(
    ("typed", "display", "key"),
    [
        ("-survey", "-survey", "-survey"),
        (" - Survey ", "-Survey", "-survey"),
        ("−survey papers", "-survey papers", "-survey papers"),
        ('author:"Chelsea Finn"', "author:Chelsea Finn", "author:chelsea finn"),
        ("Author: Chélsea  Finn", "author:Chélsea Finn", "author:chelsea finn"),
        ("author:“C. Finn”", "author:C. Finn", "author:c finn"),
        ('-author:"Sergey Levine"', "-author:Sergey Levine", "-author:sergey levine"),
        ("Vision-Language-Action", "Vision-Language-Action", "vision language action"),
    ],
)
def test_a_keyword_kind_is_in_how_it_is_written(typed: str, display: str, key: str) -> None:
    parsed = parse_keyword(typed)
    assert (parsed.display, parsed.key) == (display, key)
    assert keyword_key(parsed.display) == key  # stored displays give their key back


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("-", EmptyNegative),
        ("- ", EmptyNegative),
        ("--", EmptyNegative),
        ("author:", InvalidAuthor),
        ('author:""', InvalidAuthor),
        ("author:123", InvalidAuthor),
        ("author:" + "x" * 300, InvalidAuthor),
        ("-!!!", InvalidKeyword),
    ],
)
def test_keywords_that_could_never_work_are_refused(typed: str, error: type[DigestError]) -> None:
    with pytest.raises(error):
        parse_keyword(typed)


@pytest.mark.parametrize(
    "name", ["C. Finn", "Chelsea Finn", "chelsea finn", "Chélsea Finn", "Finn"]
)
def test_an_author_keyword_finds_the_author_however_written(name: str) -> None:
    matcher = AuthorMatcher([name])
    assert matcher.match(["Sergey Levine", "Chelsea Finn"]) == {normalize_author(name)}
    assert matcher.match(["CHELSEA FINN"]) == {normalize_author(name)}
    assert matcher.match(["Sergey Levine", "Chelsea Finnegan"]) == set()


def test_given_names_must_agree_where_both_are_spelled_out() -> None:
    matcher = AuthorMatcher(["Chelsea Finn", "J.-B. Mouret"])
    assert matcher.match(["Carl Finn"]) == set()
    assert matcher.match(["C. Finn"]) == {"chelsea finn"}
    assert matcher.match(["Chelsea B. Finn"]) == {"chelsea finn"}
    assert matcher.match(["Jean-Baptiste Mouret"]) == {"j b mouret"}
    assert matcher.match(["Pierre Mouret"]) == set()


def test_a_negative_keyword_drops_what_its_owners_keywords_selected() -> None:
    day = generated_day(200)
    surveys = {p.arxiv_id for p in day if p.title.startswith("A Survey")}
    selector = PaperSelector([["VLA", "diffusion", "-survey"]])

    selected = {p.arxiv_id for p in day if selector.select(p)}
    plain = PaperSelector([["VLA", "diffusion"]])
    without = {p.arxiv_id for p in day if plain.select(p)}

    assert selected == without - surveys
    assert without & surveys  # there were surveys to drop
    assert all(PaperSelector([["-survey"]]).select(p) == [] for p in day)  # selects nothing


def test_negatives_belong_to_their_owner_alone() -> None:
    survey = paper("2602.00001", "A Survey of VLA Models", "We survey VLAs.")
    selector = PaperSelector([["VLA", "-survey"], ["VLA"], ["survey"]])

    assert selector.select_by_owner(survey) == {1: ["vla"], 2: ["survey"]}
    assert selector.select(survey) == ["vla", "survey"]


def test_author_keywords_count_as_matches_and_show_as_typed() -> None:
    finn = paper(
        "2602.00002", "Learning to Grasp", "Grasping.", authors=["Chelsea Finn", "Ada Lovelace"]
    )
    selector = PaperSelector([['author:"C. Finn"', "VLA"], ["-author:Ada Lovelace", "grasp"]])

    assert selector.select_by_owner(finn) == {0: ["author:c finn"]}
    assert selector.display("author:c finn") == "author:C. Finn"
    assert selector.counts([finn]) == {
        "author:c finn": 1,
        "vla": 0,
        "-author:ada lovelace": 1,
        "grasp": 1,
    }


def test_author_keywords_on_a_generated_day() -> None:
    day = generated_day(300, seed=11)
    selector = PaperSelector([["author:C. Finn", "-author:Sergey Levine"]])

    selected = {p.arxiv_id for p in day if selector.select(p)}

    expected = {
        p.arxiv_id for p in day if "Chelsea Finn" in p.authors and "Sergey Levine" not in p.authors
    }
    assert selected == expected and expected
