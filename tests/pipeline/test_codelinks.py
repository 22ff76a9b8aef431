from __future__ import annotations

import pytest

from pipeline.codelinks import find_code_links, merge_links


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/OpenGVLab/InternVL",
        "https://gitlab.com/group/sub/project",
        "https://huggingface.co/OpenGVLab/InternVL2-8B",
        "https://bitbucket.org/team/repo",
        "https://codeberg.org/owner/repo",
        "https://someone.github.io/skip-router/",
    ],
)
def test_repository_hosts_are_links_wherever_they_appear(url):
    assert find_code_links(f"We compare with the numbers reported at {url} in Table 2") == [url]


def test_case_is_kept_as_printed():
    assert find_code_links("github.com/OpenGVLab/InternVL") == [
        "https://github.com/OpenGVLab/InternVL"
    ]


def test_a_host_without_a_repository_or_arxivs_own_page_is_not_a_link():
    text = "Hosted on https://github.com/ and https://huggingface.co/papers/2602.00780."
    assert find_code_links(text) == []


def test_a_host_inside_another_name_is_not_that_host():
    assert find_code_links("see https://notgithub.com/foo/bar") == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Code: https://github.com/a/b.", "https://github.com/a/b"),
        ("at https://github.com/a/b, and", "https://github.com/a/b"),
        ("at https://github.com/a/b; and", "https://github.com/a/b"),
        ("(code at https://github.com/a/b)", "https://github.com/a/b"),
        ("[https://github.com/a/b]", "https://github.com/a/b"),
        ('"https://github.com/a/b",', "https://github.com/a/b"),
        ("“https://github.com/a/b”.", "https://github.com/a/b"),
        ("see https://github.com/a/b_(x) now", "https://github.com/a/b_(x)"),
        ("(see https://github.com/a/b_(x)).", "https://github.com/a/b_(x)"),
    ],
)
def test_trailing_punctuation_is_not_part_of_the_address(text, url):
    assert find_code_links(text) == [url]


def test_project_pages_count_when_the_words_around_them_say_so():
    text = (
        "Project page: https://skip-router.example.org/. "
        "Our code is released at https://example.net/tools/skip. "
        "The data comes from https://data.example.com/corpus."
    )
    assert find_code_links(text) == [
        "https://skip-router.example.org/",
        "https://example.net/tools/skip",
    ]


def test_a_project_word_before_another_link_does_not_reach_past_it():
    text = "Code: https://github.com/a/b. Data: https://zenodo.example.org/records/1"
    assert find_code_links(text) == ["https://github.com/a/b"]


def test_code_points_and_code_switching_do_not_make_a_project_page():
    text = (
        "Each paragraph has 371 code points on average, see www.example.org/stats and "
        "the Code-Switched task at http://example.com/cs"
    )
    assert find_code_links(text) == []


def test_publisher_and_preprint_addresses_are_never_project_pages():
    text = "Code and paper: https://arxiv.org/abs/2602.00780 and https://doi.org/10.1/x"
    assert find_code_links(text) == []


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("Code: https://github.com/foo/\nbar-baz for all", "https://github.com/foo/bar-baz"),
        ("Code: https://github.com/foo/bar-\nbaz for all", "https://github.com/foo/bar-baz"),
        ("Code: https://\ngithub.com/foo/bar", "https://github.com/foo/bar"),
        ("Code: https://github.com/foo\n/bar is here", "https://github.com/foo/bar"),
        ("Project page: https://example.org/proj-\npage/ here", "https://example.org/proj-page/"),
    ],
)
def test_addresses_broken_across_lines_are_joined(text, url):
    assert find_code_links(text) == [url]


def test_a_complete_address_at_a_line_end_is_not_joined_with_the_next_words():
    text = "Our code is at https://github.com/foo/bar\nand the models at\nhttps://huggingface.co/foo/m."
    assert find_code_links(text) == ["https://github.com/foo/bar", "https://huggingface.co/foo/m"]


def test_duplicates_are_dropped_keeping_the_first_as_printed():
    links = find_code_links(
        "https://github.com/Foo/Bar",
        "GITHUB.COM/Foo/Bar/ and http://www.github.com/Foo/Bar.git",
        "https://github.com/Foo/Bar.git/",
    )
    assert links == ["https://github.com/Foo/Bar"]


def test_repository_paths_keep_their_case_when_deduplicating():
    assert find_code_links("github.com/foo/bar github.com/Foo/Bar") == [
        "https://github.com/foo/bar",
        "https://github.com/Foo/Bar",
    ]


def test_order_is_first_appearance_across_all_texts():
    abstract = "We release https://github.com/b/two and https://github.com/a/one."
    comments = "Accepted at a conference. Code: https://gitlab.com/c/three"
    front = "https://github.com/a/one\nhttps://codeberg.org/d/four"
    assert find_code_links(abstract, comments, front) == [
        "https://github.com/b/two",
        "https://github.com/a/one",
        "https://gitlab.com/c/three",
        "https://codeberg.org/d/four",
    ]


def test_no_texts_or_no_links_give_nothing():
    assert find_code_links() == []
    assert find_code_links("", "no links here, only words.") == []


def test_links_from_several_places_are_merged_in_order_each_once():
    assert merge_links(
        ["https://github.com/Org/Repo"],
        ["https://www.github.com/Org/Repo.git/", "https://gitlab.com/a/b"],
    ) == ["https://github.com/Org/Repo", "https://gitlab.com/a/b"]
