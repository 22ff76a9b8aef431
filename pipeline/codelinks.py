"""Links to a paper's code and project page, found in its abstract, comments and first pages.

Repository hosts count wherever they appear; any other address counts when the words around it
say it is the code, the project page or the website. PDF text breaks long addresses across
lines, so an address that stops at a line end on "/" or "-" continues on the next line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_REPO_HOSTS = r"github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|codeberg\.org"
_PATH_CHARS = r"[^\s<>\"'`{}|\\^\[\]]"  # what may follow the host: not a space, bracket, quote
_REPO = re.compile(
    rf"(?<![\w.\-@/])(?:https?://)?(?:www\.)?"
    rf"(?:(?:{_REPO_HOSTS})/{_PATH_CHARS}+|[\w\-]+\.github\.io\b{_PATH_CHARS}*)",
    re.IGNORECASE,
)
_ANY_URL = re.compile(
    rf"(?<![\w.\-@/])(?:https?://|www\.)[\w\-.]+\.[a-z]{{2,}}(?:[/?#]{_PATH_CHARS}*)?", re.I
)
_PROJECT_WORDS = re.compile(
    r"project\s*(?:page|site|website|homepage)|\bcodes?\b(?!-|\s+points?)|web\s*site|homepage"
    r"|web\s*page"
    r"|implementation",
    re.IGNORECASE,
)
_NOT_PROJECTS = re.compile(
    r"(?:^|\.|//)(?:arxiv\.org|doi\.org|dx\.doi\.org|creativecommons\.org|orcid\.org|acm\.org"
    r"|ieee\.org|aclanthology\.org|openreview\.net)(?:/|$)",
    re.IGNORECASE,
)
_NOT_REPOS = re.compile(r"huggingface\.co/papers/", re.IGNORECASE)  # arXiv's own page there
# An address cut after one of these goes on at the next line's start. Not ".": that ends sentences.
_CONTINUES = ("/", "-", "_", "~", "=", "&", "#", "://")
_NEXT_PART = re.compile(rf"{_PATH_CHARS}+")
_TRAILING = ".,;:!?'\"”’»]}>*"
_BEFORE, _AFTER = 80, 40  # how far around an address to look for "code", "project page"…


def find_code_links(*texts: str) -> list[str]:
    """Repository and project-page URLs in the order they first appear, each once.

    Case is kept as printed (`github.com/OpenGVLab/InternVL`), "https://" is added when the
    text left it out, and trailing punctuation is not part of an address.
    """
    return merge_links(*(_links_in(_join_broken_urls(text)) for text in texts))


def merge_links(*groups: Sequence[str]) -> list[str]:
    """Links found in several places, in order, each once: as `find_code_links` of all the
    texts would list them."""
    found: list[str] = []
    seen: set[str] = set()
    for url in (url for group in groups for url in group):
        if (key := _identity(url)) not in seen:
            seen.add(key)
            found.append(url)
    return found


def _links_in(text: str) -> list[str]:
    repos = [m for m in _REPO.finditer(text)]
    others = [m for m in _ANY_URL.finditer(text) if not any(_overlap(m, r) for r in repos)]
    spans = sorted(m.span() for m in repos + others)
    hits: list[tuple[int, str]] = []
    for m in repos:
        url = _clean(m.group())
        if url and not _NOT_REPOS.search(url) and _has_path_or_pages(url):
            hits.append((m.start(), url))
    for m in others:
        url = _clean(m.group())
        if not url or _NOT_PROJECTS.search(url):
            continue
        # The words between this address and its neighbours, so "Code: <a>. Data: <b>" is one hit.
        before = max([0, m.start() - _BEFORE] + [end for _, end in spans if end <= m.start()])
        after = min([m.end() + _AFTER] + [start for start, _ in spans if start >= m.end()])
        if _PROJECT_WORDS.search(text[before : m.start()] + " " + text[m.end() : after]):
            hits.append((m.start(), url))
    hits.sort()
    return [_with_scheme(url) for _, url in hits]


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _join_broken_urls(text: str) -> str:
    """Glue "https://github.com/foo/" + newline + "bar-baz" back together."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        previous, following = out[-1].rstrip(), line.lstrip()
        if _NEXT_PART.match(following) and _ends_in_cut_url(previous, following):
            out[-1] = previous + following
        else:
            out.append(line)
    return "\n".join(out)


def _ends_in_cut_url(line: str, following: str) -> bool:
    if line.endswith(("https://", "http://")):
        return True
    ends_in_url = any(
        m.end() == len(line) for pattern in (_REPO, _ANY_URL) for m in pattern.finditer(line)
    )
    if not ends_in_url:
        return False
    return line.endswith(_CONTINUES) or following.startswith("/")


def _clean(url: str) -> str:
    """Strip what ends a sentence, not an address: ".", ",", a closing quote, an unmatched ")"."""
    while url:
        unmatched = url[-1] == ")" and url.count(")") > url.count("(")
        if url[-1] in _TRAILING or unmatched:
            url = url[:-1]
        else:
            break
    return url


def _has_path_or_pages(url: str) -> bool:
    """ "github.com/" alone is not a repository; "foo.github.io" is a project page on its own."""
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I)
    host, _, path = bare.partition("/")
    return bool(path.strip("/")) or host.lower().endswith(".github.io")


def _with_scheme(url: str) -> str:
    return url if re.match(r"https?://", url, re.I) else f"https://{url}"


def _identity(url: str) -> str:
    """Same repository: host case and "www." ignored, as are a trailing "/" and ".git"."""
    bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.I)
    host, _, path = bare.partition("/")
    path = path.rstrip("/")
    path = path.removesuffix(".git").rstrip("/")
    return f"{host.lower()}/{path}"
