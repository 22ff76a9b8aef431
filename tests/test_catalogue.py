"""Every text a chat user or a report reader sees comes from the catalogue (`domain.messages`).

The sources of `bot/`, `pipeline/`, `arxiv_digest/`, `storage/` and `domain/` (but its
catalogue) are read (ast) and every
string constant or f-string that looks like prose is flagged, apart from what is not for a
chat's users: docstrings, log messages, the LLM's prompt, the message of a built-in exception
(a programmer's or operator's error), the English detail of a technical error of the tree,
SQL and regular expressions, and the short allow-list below.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Imported for their error classes, so that TECHNICAL_ERRORS knows them.
import bot.slack.platform
import bot.telegram.platform  # noqa: F401
import pipeline.feed  # noqa: F401
from bot.platform import PlatformError
from domain.errors import DigestError, TechnicalError

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "pipeline", "arxiv_digest", "storage", "domain")

# Two words of letters in a row ("is not", "Try again"): prose, in any language that spaces
# its words; or two Chinese characters in a row.
PROSE = re.compile(r"[^\W\d_]{2,}[,.:;!?'’)]?\s+\(?[^\W\d_]{2,}|[\u4e00-\u9fff]{2}")
SQL = re.compile(r"^\s*(SELECT|PRAGMA|INSERT|UPDATE|DELETE|CREATE|ALTER|WITH|BEGIN)\b")
LOGGERS = {"log", "logger", "logging"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
REGEX_CALLS = {"compile", "match", "search", "sub", "split", "fullmatch", "findall", "finditer"}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# Their argument is a detail in English by design (an HTTP status, a damaged file, a setting
# to change): shown after a lead from the catalogue, or to the operator only.
TECHNICAL_ERRORS = {
    c.__name__ for c in [TechnicalError, PlatformError] for c in [c, *_subclasses(c)]
}
# What a chat user is told through an error: its words come from the catalogue by key. Any
# other exception (built-in, an SDK's, a private one) is a programmer's or the operator's.
USER_ERRORS = {c.__name__ for c in _subclasses(DigestError)} - TECHNICAL_ERRORS

# The LLM's prompts: read by the model, not by people.
PROMPT_FILES = {"pipeline/prompts.py", "pipeline/qa/prompt.py", "pipeline/qa/archive_prompt.py"}

ALLOWED: dict[str, str] = {
    # file, or file:function/class: why its prose is not the chat's
    "arxiv_digest/cli.py": "the operator's command line: typer help texts and its output",
    "arxiv_digest/health.py": "the operator's health report, for the command line and probes",
    "arxiv_digest/settings.py": "the service's User-Agent sent to arXiv",
    "pipeline/pdf.py:_status_reason": "the English detail of a PdfUnavailable, built apart",
    "pipeline/pdf.py:_not_a_pdf": "the English detail of a PdfUnreadable, built apart",
    "domain/models.py:PaperAnalysis": "the LLM's output schema, part of its prompt",
    "bot/slack/runner.py:_run_socket_mode": "how the bot listens, in the operator's log",
    "bot/telegram/runner.py:_run_polling": "how the bot listens, in the operator's log",
    "bot/telegram/runner.py:webhook_app": "answers to Telegram's servers, not to people",
    "pipeline/qa/retrieval.py": "the words questions are asked in: stop words for the ranker",
    "pipeline/qa/archive_sources.py": "the words of asking an archive: never searched for",
    "pipeline/archive/themes.py": "the words no theme is named by: stop words",
    "storage/search.py": "SQL for the database's own full-text search",
    "storage/migrations/versions/0013_search.py": "SQL: the search index and its triggers",
}


def _call_name(node: ast.Call) -> tuple[str | None, str | None]:
    """("log", "info") for log.info(...), (None, "ValueError") for ValueError(...)."""
    func = node.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def _is_log_call(node: ast.Call) -> bool:
    """log.info(...), logger.warning(...), logging.getLogger(name).info(...)."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in LOG_METHODS):
        return False
    owner = func.value
    if isinstance(owner, ast.Call):
        return _call_name(owner)[1] == "getLogger"
    return isinstance(owner, ast.Name) and owner.id in LOGGERS


def _is_exception_class(node: ast.ClassDef) -> bool:
    """An exception class that is not a user's error: its message is not the chat's."""
    bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
    raising = any(b.endswith(("Error", "Exception")) or b in TECHNICAL_ERRORS for b in bases)
    return raising and node.name not in USER_ERRORS


def _exempt_nodes(tree: ast.Module) -> set[int]:
    """Ids of the nodes whose strings are not for a chat's users (see the module's docstring)."""
    exempt: set[int] = set()

    def whole(node: ast.AST) -> None:
        exempt.update(id(sub) for sub in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                exempt.add(id(first.value))
        if isinstance(node, ast.ClassDef) and _is_exception_class(node):
            whole(node)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if _call_name(node.exc)[1] not in USER_ERRORS:
                whole(node.exc)
        elif isinstance(node, ast.keyword) and node.arg == "name":  # a task's or thread's name
            whole(node)
        elif isinstance(node, ast.Call):
            owner, name = _call_name(node)
            if _is_log_call(node) or (owner == "re" and name in REGEX_CALLS):
                whole(node)
    return exempt


def _allowed_scopes(tree: ast.Module, path: str) -> set[int]:
    """Ids of the nodes inside an allow-listed function or class of `path`."""
    scoped: set[int] = set()
    for node in ast.walk(tree):
        scopes = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, scopes) and f"{path}:{node.name}" in ALLOWED:
            scoped.update(id(sub) for sub in ast.walk(node))
    return scoped


def prose_in(source: str, path: str = "<snippet>") -> list[str]:
    """The prose strings of `source` that should come from the catalogue, as `line: text`."""
    tree = ast.parse(source)
    skip = _exempt_nodes(tree) | _allowed_scopes(tree, path)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.JoinedStr):
            skip.update(id(sub) for sub in ast.walk(node))
            value = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
        else:
            continue
        if PROSE.search(value) and not SQL.match(value):
            found.append((node.lineno, f"{node.lineno}: {value[:60]!r}"))
    return [shown for _, shown in sorted(found)]


def _sources() -> list[str]:
    return sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "messages" not in path.relative_to(ROOT).parts
    )


@pytest.mark.parametrize("path", _sources())
def test_user_facing_words_come_from_the_catalogue(path: str) -> None:
    if path in PROMPT_FILES or path in ALLOWED:
        return
    found = prose_in((ROOT / path).read_text(encoding="utf-8"), path)
    assert not found, f"{path} writes words a user sees; use domain.messages:\n" + "\n".join(found)


def test_the_checker_flags_prose_and_passes_what_is_not_for_users() -> None:
    snippet = '''
"""A docstring is fine."""
import logging, re
log = logging.getLogger(__name__)
PATTERN = re.compile(r"arXiv:(?P<id>\\S+)\\s+Announce Type")
QUERY = "SELECT version_num FROM alembic_version"
NAME = "summarize"
def answer(name: str) -> str:
    log.info("answering %s in the chat", name)
    if not name:
        raise ValueError("a name is needed here")
    if name == "x":
        raise PdfUnreadable("the file is damaged")
    return f"Unknown command {name}. Try help."
GREETING = "你好"
'''
    assert prose_in(snippet) == [
        "14: 'Unknown command {}. Try help.'",
        "15: '你好'",
    ]


def test_the_allow_list_names_files_and_functions_that_exist() -> None:
    for entry in ALLOWED:
        path, _, scope = entry.partition(":")
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not scope or re.search(rf"^\s*(async def|def|class) {scope}\b", source, re.M), entry
