"""Chat commands as typed after the slash, parsed into plain values; no I/O happens here.

`parse_command("keywords add --channel diffusion, VLA")` gives `KeywordsAdd(...)`; anything
that cannot be a command raises `CommandError`, whose catalogue key explains it in one line.
Removing a leading `/` or a trailing `@BotName` is the adapter's business.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from bot.command_forms import (
    Ask,
    Command,
    DigestDm,
    DigestHere,
    DigestOff,
    DigestSettings,
    Export,
    Help,
    Interests,
    InterestsAdd,
    InterestsReset,
    Keyword,
    KeywordsAdd,
    KeywordsList,
    KeywordsRemove,
    Report,
    Saved,
    Search,
    Summarize,
    Why,
)
from bot.export_query import parse_export
from domain.errors import CommandError, DigestError
from pipeline.ids import ArxivId, clean_text, parse_arxiv_id
from pipeline.prompts import LANGUAGES
from pipeline.selection import parse_keyword

if TYPE_CHECKING:
    pass

MAX_KEYWORDS_AT_ONCE = 20
MAX_PAPERS_AT_ONCE = 20  # `interests add`: each unknown one is an arXiv look-up, 3 s apart
MAX_CATEGORIES = 20
DEFAULT = "default"  # `digest settings language=default`: back to the configured value

_KEYWORD_SEPARATORS = re.compile(r"[,，;；、]")
_WORD = re.compile(r"[^\W_]+")
_CHAT_FLAGS = ("--channel", "--chat")
# arXiv categories: cs.AI, math.CO, astro-ph.GA, hep-th, physics.optics, cond-mat.mes-hall
# A word meant as an arXiv id or link: "2602.0078", "arXiv:2602", "cs/99", "arxiv.org/abs/…".
_ID_ATTEMPT = re.compile(
    r"^[<(\[{'\"]*(?:\d{4}\.\d|arxiv:|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?/\d|\S*arxiv\.org/)",
    re.IGNORECASE,
)
_CATEGORY = re.compile(r"^([a-z]+(?:-[a-z]+)*)(?:\.([a-z]+(?:-[a-z]+)*))?$", re.IGNORECASE)


def parse_command(text: str) -> Command:
    """The command in `text`; raises CommandError for anything else.

    What a reader cannot see (zero-width spaces, bidi overrides) is dropped and fullwidth forms
    are folded first, so "summarize ２６０２．００７８０" works and no answer echoes such tricks.
    """
    name, rest = _split(clean_text(text))
    if name in ("", "help"):
        return Help()
    if name == "summarize":
        return _summarize(rest)
    if name == "keywords":
        return _keywords(rest)
    if name == "report":
        return _report(rest)
    if name == "digest":
        return _digest(rest)
    if name == "why":
        return Why(_one_paper(rest, "chat.why.usage", "chat.why.one_paper"))
    if name == "interests":
        return _interests(rest)
    if name == "ask":
        return _ask(rest)
    if name == "search":
        from bot.search_query import parse_search  # it reads categories as this module does

        return Search(parse_search(rest))
    if name == "saved":
        return Saved()
    if name == "export":
        return Export(parse_export(rest))
    raise CommandError("errors.command.unknown", name=_shown(name))


def _split(text: str) -> tuple[str, str]:
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0].lower(), parts[1].strip() if len(parts) > 1 else ""


def _shown(text: str) -> str:
    """User text echoed in a one-line answer: on one line, and short."""
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _summarize(rest: str) -> Summarize:
    return Summarize(_one_paper(rest, "errors.command.summarize_usage", "errors.command.one_paper"))


def _one_paper(rest: str, usage: str, one: str) -> ArxivId:
    if not rest:
        raise CommandError(usage)
    if len(rest.split()) > 1:
        raise CommandError(one)
    try:
        return parse_arxiv_id(rest)
    except DigestError as exc:
        raise CommandError(exc.key, **exc.values) from None


def _ask(rest: str) -> Ask:
    """`ask 2602.00780 what baseline do they beat?`: the paper first, then the question;
    `ask what have we seen on KV-cache compression?`: a question across the archive. A first
    word meant as a paper that is none ("2602.0078") is named, not asked about the archive."""
    parts = rest.split(maxsplit=1)
    if not parts:
        raise CommandError("asking.usage")
    try:
        paper = parse_arxiv_id(parts[0])
    except DigestError as exc:
        if _ID_ATTEMPT.match(parts[0]):
            raise CommandError(exc.key, **exc.values) from None
        return Ask(None, rest.strip())
    if len(parts) < 2 or not parts[1].strip():
        raise CommandError("asking.usage")
    return Ask(paper, parts[1].strip())


def _interests(rest: str) -> Command:
    sub, args = _split(rest)
    if sub in ("", "show", "list") and not args:
        return Interests()
    if sub == "reset" and not args:
        return InterestsReset()
    if sub != "add":
        raise CommandError("chat.interests.unknown", sub=_shown(rest))
    papers = tuple(dict.fromkeys(p for p in re.split(r"[\s,，;；、]+", args) if p))
    if not papers:
        raise CommandError("chat.interests.add_usage")
    if len(papers) > MAX_PAPERS_AT_ONCE:
        raise CommandError("chat.interests.too_many", most=MAX_PAPERS_AT_ONCE)
    return InterestsAdd(papers)


def _keywords(rest: str) -> Command:
    sub, args = _split(rest)
    if sub in ("", "list"):
        if args:
            raise CommandError("errors.command.keywords_list_arguments")
        return KeywordsList()
    if sub not in ("add", "remove"):
        raise CommandError("errors.command.keywords_unknown", sub=_shown(sub))
    for_chat, args = _chat_flag(args)
    keywords = parse_keywords(args)
    if not keywords:
        raise CommandError("errors.command.keywords_usage", sub=sub)
    return KeywordsAdd(keywords, for_chat) if sub == "add" else KeywordsRemove(keywords, for_chat)


def _chat_flag(args: str) -> tuple[bool, str]:
    """`--channel` (or `--chat`) as the first or last word of the arguments."""
    words = args.split()
    if words and words[0].lower() in _CHAT_FLAGS:
        return True, args.split(maxsplit=1)[1] if len(words) > 1 else ""
    if words and words[-1].lower() in _CHAT_FLAGS:
        return True, args.rsplit(maxsplit=1)[0]
    return False, args


def parse_keywords(text: str) -> tuple[Keyword, ...]:
    """Comma-separated keywords, validated and without repeats (equal keys count once).

    Besides words, `-survey` leaves papers out and `author:"Chelsea Finn"` finds an author
    (`pipeline.selection`); the display is the keyword as shown back ("author:Chelsea Finn").
    """
    found: dict[str, Keyword] = {}
    for part in _KEYWORD_SEPARATORS.split(clean_text(text)):
        display = " ".join(part.split())
        if not display:
            continue
        try:
            parsed = parse_keyword(display)
        except DigestError as exc:
            raise CommandError(exc.key, **exc.values) from None
        _refuse_mixed_scripts(parsed.display)
        found.setdefault(parsed.key, Keyword(parsed.display, parsed.key))
        if len(found) > MAX_KEYWORDS_AT_ONCE:  # stop here: 10,000 of them need no more reading
            raise CommandError("errors.command.too_many_keywords", most=MAX_KEYWORDS_AT_ONCE)
    return tuple(found.values())


def _refuse_mixed_scripts(keyword: str) -> None:
    """A word mixing Latin and Cyrillic letters ("vlа" with a Cyrillic "а") looks right and
    never matches: refuse it rather than store a keyword that silently finds nothing."""
    for word in _WORD.findall(keyword):
        scripts = {unicodedata.name(c, "").split(" ", 1)[0] for c in word if c.isalpha()}
        if {"LATIN", "CYRILLIC"} <= scripts:
            cyrillic = "".join(c for c in word if unicodedata.name(c, "").startswith("CYRILLIC"))
            raise CommandError(
                "errors.command.mixed_scripts", word=_shown(word), cyrillic=_shown(cyrillic)
            )


def _report(rest: str) -> Report:
    if rest.lower() in ("", "latest"):
        return Report(None)
    try:
        return Report(date.fromisoformat(rest))
    except ValueError:
        raise CommandError("errors.command.not_a_date", typed=_shown(rest)) from None


def _digest(rest: str) -> Command:
    sub, args = _split(rest)
    if sub in ("", "help") and not args:
        return Help()
    if sub in ("here", "off") and not args:
        return DigestHere() if sub == "here" else DigestOff()
    if sub == "dm" and args.lower() in ("on", "off"):
        return DigestDm(on=args.lower() == "on")
    if sub == "dm":
        raise CommandError("errors.command.dm_usage")
    if sub == "settings":
        return _settings(args)
    raise CommandError("errors.command.digest_unknown", sub=_shown(rest))


def _settings(args: str) -> DigestSettings:
    joined = re.sub(r"\s*([=,])\s*", r"\1", args)
    categories: tuple[str, ...] | None = None
    language: str | None = None
    reset: set[str] = set()
    for item in joined.split():
        name, equals, value = item.partition("=")
        name = name.lower()
        if not equals or not value:
            raise CommandError("errors.command.not_name_value", item=_shown(item))
        if value.lower() == DEFAULT and name in ("categories", "language"):
            reset.add(name)
        elif name == "categories":
            categories = parse_categories(value)
        elif name == "language":
            language = value.lower()
            if language not in LANGUAGES:
                raise CommandError("errors.command.unknown_language", value=_shown(value))
        else:
            raise CommandError("errors.command.unknown_setting", name=_shown(name))
    return DigestSettings(categories, language, frozenset(reset))


def parse_categories(text: str) -> tuple[str, ...]:
    """`cs.ai,CS.RO` → ("cs.AI", "cs.RO"): archives in lower case, two-letter subjects upper."""
    found: dict[str, None] = {}
    for part in text.split(","):
        if not part:
            continue
        match = _CATEGORY.match(part)
        if match is None:
            raise CommandError("errors.command.not_a_category", part=_shown(part))
        archive, subject = match[1].lower(), match[2]
        if subject is not None:
            subject = subject.upper() if len(subject) == 2 else subject.lower()
        found[archive if subject is None else f"{archive}.{subject}"] = None
    if not found:
        raise CommandError("errors.command.no_category")
    if len(found) > MAX_CATEGORIES:
        raise CommandError("errors.command.too_many_categories", most=MAX_CATEGORIES)
    return tuple(found)
