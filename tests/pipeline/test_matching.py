from __future__ import annotations

import random
import re
import unicodedata

import pytest

from domain.errors import DigestError, InvalidKeyword
from pipeline.matching import KeywordMatcher, normalize_keyword


def found(keywords: list[str], text: str) -> list[str]:
    return KeywordMatcher(keywords).match(text)


# Whole words, case


@pytest.mark.parametrize("text", ["NetVLAD", "VLAD features", "avla", "vlan tagging", "VLA2"])
def test_a_keyword_never_matches_inside_a_longer_word(text: str) -> None:
    assert found(["VLA"], text) == []


@pytest.mark.parametrize(
    "text", ["VLA", "vla", "A VLA policy", "(VLA)", "[VLA]", "VLA.", "“VLA”", "$I^2O$: a VLA"]
)
def test_a_keyword_matches_a_whole_word_whatever_its_case_or_surrounding_punctuation(
    text: str,
) -> None:
    assert found(["VLA"], text) == ["vla"]


def test_case_is_compared_by_casefold_not_lower() -> None:
    assert found(["Straße"], "STRASSE NETWORKS") == ["strasse"]


# Separators inside phrases


@pytest.mark.parametrize(
    "text",
    [
        "Vision-Language-Action models",
        "vision–language–action",
        "vision—language—action",
        "Vision  Language\nAction",
        "vision - language - action",
        "vision\u2010language\u00a0action",
    ],
)
def test_whitespace_and_dashes_between_phrase_words_are_equivalent(text: str) -> None:
    assert found(["vision language action"], text) == ["vision language action"]


@pytest.mark.parametrize(
    "text",
    [
        "vision/language/action",
        "vision, language action",
        "vision. Language action",
        "vision (language) action",
        "vision and language action",
        "visionlanguage action",
        "vision language",
    ],
)
def test_a_phrase_does_not_match_across_other_punctuation_or_words(text: str) -> None:
    assert found(["vision-language-action"], text) == []


def test_digits_are_words_of_their_own() -> None:
    assert found(["GPT-4"], "compared with GPT 4 and gpt-4") == ["gpt 4"]
    assert found(["GPT-4"], "GPT-4o and GPT-40") == []


# Plurals


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("VLA", "VLAs"),
        ("process", "Gaussian processes"),
        ("model", "world models"),
        ("vision-language-action model", "vision language action models"),
        ("vision language action model", "Vision-Language-Action Models"),
        ("reward model", "rewards models"),
    ],
)
def test_any_word_of_the_text_may_be_plural(keyword: str, text: str) -> None:
    assert found([keyword], text) == [normalize_keyword(keyword)]


def test_plurals_are_only_removed_from_the_text() -> None:
    assert found(["models"], "a world model") == []


def test_a_plural_ending_must_leave_two_characters() -> None:
    assert found(["a", "i"], "as it is") == []
    assert found(["AI"], "AIs") == ["ai"]


def test_other_endings_are_not_plurals() -> None:
    assert found(["model"], "modeled modelling modelx") == []


# Several keywords


def test_equivalent_keywords_are_one_keyword_shown_as_first_given() -> None:
    matcher = KeywordMatcher(
        ["Vision-Language-Action", "vision language action", "Vision Language Action ", "VLA"]
    )
    assert matcher.keys == ["vision language action", "vla"]
    assert matcher.display("vision language action") == "Vision-Language-Action"
    assert matcher.match("vision–language–action") == ["vision language action"]


def test_the_display_form_is_stripped() -> None:
    assert KeywordMatcher(["  Diffusion Policy \n"]).display("diffusion policy") == (
        "Diffusion Policy"
    )


def test_matches_come_in_first_given_order_each_once() -> None:
    matcher = KeywordMatcher(["diffusion", "VLA", "robot"])
    text = "robot robot VLA robots; a VLA with diffusion and a VLA"
    assert matcher.match(text) == ["diffusion", "vla", "robot"]


def test_a_phrase_and_its_prefix_are_both_found() -> None:
    matcher = KeywordMatcher(["vision language action model", "vision language", "language"])
    assert matcher.match("vision-language-action models") == [
        "vision language action model",
        "vision language",
        "language",
    ]


def test_a_text_word_that_is_both_a_keyword_word_and_a_plural_matches_both() -> None:
    matcher = KeywordMatcher(["model", "models", "world models fail", "world model"])
    assert matcher.match("world models fail") == [
        "model",
        "models",
        "world models fail",
        "world model",
    ]


def test_keys_cannot_be_changed_from_outside() -> None:
    matcher = KeywordMatcher(["VLA"])
    matcher.keys.append("robot")
    assert matcher.keys == ["vla"]
    assert matcher.match("robot") == []


def test_a_matcher_without_keywords_matches_nothing() -> None:
    assert KeywordMatcher([]).match_paper("VLA", "robots") == []


# Papers


def test_a_paper_matches_in_its_title_or_its_abstract() -> None:
    matcher = KeywordMatcher(["VLA", "diffusion policy"])
    assert matcher.match_paper("A VLA for kitchens", "We cook.") == ["vla"]
    assert matcher.match_paper("Kitchens", "A diffusion-policy baseline.") == ["diffusion policy"]


def test_a_phrase_does_not_match_across_title_and_abstract() -> None:
    matcher = KeywordMatcher(["vision language action"])
    assert matcher.match_paper("Scaling vision language", "action models are...") == []


# Invalid keywords


@pytest.mark.parametrize("keyword", ["", "   ", "---", "!!!", "()", "_", "$^$"])
def test_a_keyword_without_letters_or_digits_is_invalid(keyword: str) -> None:
    with pytest.raises(InvalidKeyword, match="at least one letter or digit"):
        normalize_keyword(keyword)


def test_a_keyword_of_more_than_100_characters_is_invalid() -> None:
    assert normalize_keyword("a" * 100) == "a" * 100
    assert normalize_keyword(" " + "a" * 100 + " ") == "a" * 100
    with pytest.raises(InvalidKeyword, match="at most 100 characters"):
        normalize_keyword("a" * 101)


def test_an_invalid_keyword_fails_the_whole_matcher_as_a_digest_error() -> None:
    with pytest.raises(DigestError) as raised:
        KeywordMatcher(["VLA", "--"])
    assert isinstance(raised.value, InvalidKeyword)
    assert raised.value.keyword == "--"


# Normal form


@pytest.mark.parametrize(
    ("keyword", "key"),
    [
        ("Vision-Language-Action", "vision language action"),
        ("  vision   language–action ", "vision language action"),
        ("GPT-4", "gpt 4"),
        ("(VLA)", "vla"),
        ("ＶＬＡ", "vla"),
        ("强化学习", "强化学习"),
        ("强化 学习", "强化学习"),
        ("GPT强化学习", "gpt 强化学习"),
    ],
)
def test_normalize_keyword(keyword: str, key: str) -> None:
    assert normalize_keyword(keyword) == key


# Unicode


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("强化学习", "基于强化学习的机器人控制"),
        ("强化学习", "强化 学习"),
        ("強化学習", "深層強化学習によるロボット制御"),
        ("ロボット", "深層強化学習によるロボット制御"),
        ("강화학습", "심층 강화학습을 이용한 제어"),
        ("VLA", "基于VLA的模型"),
        ("模型", "基于VLA的模型"),
        ("Schrödinger", "the SCHRÖDINGER equation"),
        ("Schrödinger", "the Schro\u0308dinger equation"),
        ("VLA", "ＶＬＡ"),
        ("language", "lan\u00adguage"),
        ("İstanbul", "ISTANBUL"),
        ("हिन्दी", "हिन्दी भाषा"),
    ],
)
def test_unicode_text_matches(keyword: str, text: str) -> None:
    assert found([keyword], text) == [normalize_keyword(keyword)]


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("强化学习", "强化的学习"),
        ("强化学习", "强化。学习"),
        ("学习", "强化学"),
        ("हि", "हिन्दी भाषा"),
        ("Schrödinger", "Schrodinger"),
    ],
)
def test_unicode_text_does_not_match(keyword: str, text: str) -> None:
    assert found([keyword], text) == []


# Against a slow, obviously correct reference

_CJK_SAMPLE = "强化学习模型机"
_WORDS = ["ab", "abs", "abes", "a", "as", "b", "bs", "cd", "cds", "vla", "vlas", "netvla"]
_WORDS += ["x1", "1", "s", "es", *_CJK_SAMPLE, "强化", "学习"]
_GAPS = [" ", " ", " ", "-", "–", "—", "\n", "  ", " - ", "", ", ", "/", "(", ")", ". ", "_"]
_KEYWORD_WORDS = ["ab", "abs", "a", "b", "cd", "vla", "x1", "1", "s", *_CJK_SAMPLE, "化学"]
_JOINER = "[\\s\\-–—]"
_WORD_CHAR = "[^\\W_\u4e00-\u9fff]"  # a letter or digit that is not CJK


def _reference_units(keyword: str) -> tuple[str, ...]:
    """Letter/digit runs, with every CJK character standing alone."""
    folded = unicodedata.normalize("NFKC", keyword).casefold()
    units: list[str] = []
    for run in re.findall(r"[^\W_]+", folded):
        units += re.findall("[\u4e00-\u9fff]|[^\u4e00-\u9fff]+", run)
    return tuple(units)


def _reference_pattern(units: tuple[str, ...]) -> re.Pattern[str]:
    def cjk(unit: str) -> bool:
        return "\u4e00" <= unit <= "\u9fff"

    pattern = "" if cjk(units[0]) else f"(?<!{_WORD_CHAR})"
    for index, unit in enumerate(units):
        if index:
            pattern += _JOINER + ("*" if cjk(unit) or cjk(units[index - 1]) else "+")
        pattern += re.escape(unit)
        if not cjk(unit) and len(unit) >= 2:
            pattern += "(?:s|es)?"
    return re.compile(pattern if cjk(units[-1]) else pattern + f"(?!{_WORD_CHAR})")


def _reference_match(keywords: list[str], texts: list[str]) -> list[str]:
    """Displays of the first keyword of each distinct unit sequence found in any of the texts."""
    firsts: dict[tuple[str, ...], str] = {}
    for keyword in keywords:
        firsts.setdefault(_reference_units(keyword), keyword.strip())
    folded = [unicodedata.normalize("NFKC", text).casefold() for text in texts]
    return [
        display
        for units, display in firsts.items()
        if any(_reference_pattern(units).search(text) for text in folded)
    ]


def _random_text(rng: random.Random, words: list[str], gaps: list[str], size: int) -> str:
    text = rng.choice(words)
    for _ in range(size - 1):
        text += rng.choice(gaps) + rng.choice(words)
    return "".join(char.upper() if rng.random() < 0.2 else char for char in text)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
def test_the_matcher_agrees_with_a_slow_reference_on_random_cases(ascii_only: bool) -> None:
    rng = random.Random(4)
    words, keyword_words, gaps = _WORDS, _KEYWORD_WORDS, _GAPS
    if ascii_only:  # ASCII text takes a faster path through the tokeniser
        words, keyword_words, gaps = (
            [x for x in pool if x.isascii()] for pool in (_WORDS, _KEYWORD_WORDS, _GAPS)
        )
    matched = 0
    for _ in range(300):
        keywords = [
            _random_text(rng, keyword_words, gaps, rng.choice((1, 2, 2, 3)))
            for _ in range(rng.randint(1, 25))
        ]
        keywords = [keyword for keyword in keywords if _reference_units(keyword)]
        matcher = KeywordMatcher(keywords)
        title = _random_text(rng, words, gaps, rng.randint(1, 8))
        abstract = _random_text(rng, words, gaps, rng.randint(1, 20))

        expected = _reference_match(keywords, [abstract])
        assert [matcher.display(key) for key in matcher.match(abstract)] == expected, (
            keywords,
            abstract,
        )
        expected = _reference_match(keywords, [title, abstract])
        actual = [matcher.display(key) for key in matcher.match_paper(title, abstract)]
        assert actual == expected, (keywords, title, abstract)
        matched += bool(expected)
    assert matched > 100  # the cases exercise matches, not only misses
