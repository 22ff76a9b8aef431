"""Chat commands as typed after the slash, parsed into plain values; no I/O happens here.

`parse_command("keywords add --channel diffusion, VLA")` gives `KeywordsAdd(...)`; anything
that cannot be a command raises `CommandError` with a one-line explanation for the user.
Removing a leading `/` or a trailing `@BotName` is the adapter's business.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from pipeline.errors import DigestError
from pipeline.ids import ArxivId, clean_text, parse_arxiv_id
from pipeline.matching import normalize_keyword
from pipeline.prompts import LANGUAGES

MAX_KEYWORDS_AT_ONCE = 20
MAX_CATEGORIES = 20
DEFAULT = "default"  # `digest settings language=default`: back to the configured value

_KEYWORD_SEPARATORS = re.compile(r"[,，;；、]")
_WORD = re.compile(r"[^\W_]+")
_CHAT_FLAGS = ("--channel", "--chat")
# arXiv categories: cs.AI, math.CO, astro-ph.GA, hep-th, physics.optics, cond-mat.mes-hall
_CATEGORY = re.compile(r"^([a-z]+(?:-[a-z]+)*)(?:\.([a-z]+(?:-[a-z]+)*))?$", re.IGNORECASE)

HELP = (
    "Commands:",
    "summarize <arXiv id or URL>: the full analysis of one paper",
    "keywords add [--channel] <kw1, kw2, …>: your keywords here (--channel: this chat's, admins)",
    "keywords remove [--channel] <kw1, kw2, …>: stop following keywords",
    "keywords list: your keywords and this chat's, with matches on the latest day",
    "report [YYYY-MM-DD | latest]: a stored daily report",
    "digest here | digest off: post the daily digest in this chat, or stop (admins)",
    "digest settings [categories=cs.AI,cs.RO] [language=en|zh]: show or change them (admins)",
    "digest dm on | digest dm off: your own keywords' digest by direct message",
    "help: this list",
)


class CommandError(DigestError):
    """A command that cannot be run as typed; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class Help:
    pass


@dataclass(frozen=True, slots=True)
class Summarize:
    paper: ArxivId


@dataclass(frozen=True, slots=True)
class Keyword:
    display: str  # as typed, stripped
    key: str  # normalize_keyword(display): equal keys are the same keyword


@dataclass(frozen=True, slots=True)
class KeywordsAdd:
    keywords: tuple[Keyword, ...]
    for_chat: bool = False  # the chat's own keywords rather than the caller's


@dataclass(frozen=True, slots=True)
class KeywordsRemove:
    keywords: tuple[Keyword, ...]
    for_chat: bool = False


@dataclass(frozen=True, slots=True)
class KeywordsList:
    pass


@dataclass(frozen=True, slots=True)
class Report:
    day: date | None  # None: the latest


@dataclass(frozen=True, slots=True)
class DigestHere:
    pass


@dataclass(frozen=True, slots=True)
class DigestOff:
    pass


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """Nothing set and nothing reset: show the settings."""

    categories: tuple[str, ...] | None = None  # None: unchanged
    language: str | None = None  # None: unchanged
    reset: frozenset[str] = frozenset()  # "categories", "language": back to the configured

    @property
    def changes(self) -> bool:
        return self.categories is not None or self.language is not None or bool(self.reset)


@dataclass(frozen=True, slots=True)
class DigestDm:
    on: bool


Command = (
    Help
    | Summarize
    | KeywordsAdd
    | KeywordsRemove
    | KeywordsList
    | Report
    | DigestHere
    | DigestOff
    | DigestSettings
    | DigestDm
)


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
    raise CommandError(f"Unknown command '{_shown(name)}'. Try 'help'.")


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
    if not rest:
        raise CommandError("Usage: summarize <arXiv id or URL>, e.g. summarize 2602.00780")
    if len(rest.split()) > 1:
        raise CommandError("One paper at a time: summarize <arXiv id or URL>")
    try:
        return Summarize(parse_arxiv_id(rest))
    except DigestError as exc:
        raise CommandError(str(exc)) from None


def _keywords(rest: str) -> Command:
    sub, args = _split(rest)
    if sub in ("", "list"):
        if args:
            raise CommandError("'keywords list' takes no arguments")
        return KeywordsList()
    if sub not in ("add", "remove"):
        raise CommandError(f"Unknown keywords subcommand '{_shown(sub)}': use add, remove or list")
    for_chat, args = _chat_flag(args)
    keywords = parse_keywords(args)
    if not keywords:
        raise CommandError(f"Usage: keywords {sub} [--channel] <keyword>, <keyword>, …")
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
    """Comma-separated keywords, validated and without repeats (equal keys count once)."""
    found: dict[str, Keyword] = {}
    for part in _KEYWORD_SEPARATORS.split(clean_text(text)):
        display = " ".join(part.split())
        if not display:
            continue
        try:
            key = normalize_keyword(display)
        except DigestError as exc:
            raise CommandError(str(exc)) from None
        _refuse_mixed_scripts(display)
        found.setdefault(key, Keyword(display, key))
        if len(found) > MAX_KEYWORDS_AT_ONCE:  # stop here: 10,000 of them need no more reading
            raise CommandError(f"At most {MAX_KEYWORDS_AT_ONCE} keywords at once, please.")
    return tuple(found.values())


def _refuse_mixed_scripts(keyword: str) -> None:
    """A word mixing Latin and Cyrillic letters ("vlа" with a Cyrillic "а") looks right and
    never matches: refuse it rather than store a keyword that silently finds nothing."""
    for word in _WORD.findall(keyword):
        scripts = {unicodedata.name(c, "").split(" ", 1)[0] for c in word if c.isalpha()}
        if {"LATIN", "CYRILLIC"} <= scripts:
            cyrillic = "".join(c for c in word if unicodedata.name(c, "").startswith("CYRILLIC"))
            raise CommandError(
                f"'{_shown(word)}' mixes Latin and Cyrillic letters ({_shown(cyrillic)} "
                "Cyrillic); retype it in one alphabet."
            )


def _report(rest: str) -> Report:
    if rest.lower() in ("", "latest"):
        return Report(None)
    try:
        return Report(date.fromisoformat(rest))
    except ValueError:
        raise CommandError(
            f"'{_shown(rest)}' is not a date: use YYYY-MM-DD (e.g. 2026-02-04) or 'latest'"
        ) from None


def _digest(rest: str) -> Command:
    sub, args = _split(rest)
    if sub in ("", "help") and not args:
        return Help()
    if sub in ("here", "off") and not args:
        return DigestHere() if sub == "here" else DigestOff()
    if sub == "dm" and args.lower() in ("on", "off"):
        return DigestDm(on=args.lower() == "on")
    if sub == "dm":
        raise CommandError("Usage: digest dm on | digest dm off")
    if sub == "settings":
        return _settings(args)
    raise CommandError(
        f"Unknown digest subcommand '{_shown(rest)}': use here, off, settings or dm on|off"
    )


def _settings(args: str) -> DigestSettings:
    joined = re.sub(r"\s*([=,])\s*", r"\1", args)
    categories: tuple[str, ...] | None = None
    language: str | None = None
    reset: set[str] = set()
    for item in joined.split():
        name, equals, value = item.partition("=")
        name = name.lower()
        if not equals or not value:
            raise CommandError(f"'{_shown(item)}' is not name=value, e.g. language=zh")
        if value.lower() == DEFAULT and name in ("categories", "language"):
            reset.add(name)
        elif name == "categories":
            categories = parse_categories(value)
        elif name == "language":
            language = value.lower()
            if language not in LANGUAGES:
                raise CommandError(
                    f"Unknown language '{_shown(value)}': use {' or '.join(LANGUAGES)}"
                )
        else:
            raise CommandError(f"Unknown setting '{_shown(name)}': use categories or language")
    return DigestSettings(categories, language, frozenset(reset))


def parse_categories(text: str) -> tuple[str, ...]:
    """`cs.ai,CS.RO` → ("cs.AI", "cs.RO"): archives in lower case, two-letter subjects upper."""
    found: dict[str, None] = {}
    for part in text.split(","):
        if not part:
            continue
        match = _CATEGORY.match(part)
        if match is None:
            raise CommandError(f"'{_shown(part)}' is not an arXiv category (e.g. cs.AI, hep-th)")
        archive, subject = match[1].lower(), match[2]
        if subject is not None:
            subject = subject.upper() if len(subject) == 2 else subject.lower()
        found[archive if subject is None else f"{archive}.{subject}"] = None
    if not found:
        raise CommandError("Give at least one category, e.g. categories=cs.AI,cs.RO")
    if len(found) > MAX_CATEGORIES:
        raise CommandError(f"At most {MAX_CATEGORIES} categories, please.")
    return tuple(found)
