"""Full-text search over every stored paper, in the database's own engine (migration 0013):
SQLite FTS5 on the embedded default, a weighted `tsvector` on PostgreSQL.

Queries never reach the engine as syntax: the caller's words are reduced to plain terms and
bound as parameters, so quotes, `*`, `NEAR` or a lone `-` are just text. Papers holding all
the terms come first; when fewer than `limit` do, papers holding all but one of them (three
terms or more) fill the rest, so a half-remembered query with one wrong word still finds its
paper. Papers holding just any one term are never ranked: with common words that is most of
the archive, and ranking it all is what makes a search slow.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MAX_TERMS = 12  # a pasted paragraph is cut to its first words, not sent whole
_TERM = re.compile(r"[^\W_]+")
# Title, abstract, analysis: a word in the title says more about the paper than one in its
# analysis (FTS5's bm25 column weights; PostgreSQL weighs them A, B, C).
_FTS5_RANK = "bm25(search_index, 5.0, 2.0, 1.0)"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What narrows a search besides its words; None or empty: no narrowing."""

    since: date | None = None  # first announced on or after
    until: date | None = None  # first announced on or before
    category: str | None = None  # one of the paper's categories, "cs.RO"
    author: str | None = None  # a part of an author's name, any case
    among: Collection[str] | None = None  # only these arXiv ids (liked, posted here)


NO_FILTERS = SearchFilters()


@dataclass(frozen=True, slots=True)
class SearchHit:
    arxiv_id: str
    score: float  # higher is better; only comparable within one search


def search_terms(query: str) -> list[str]:
    """The query's terms, at most MAX_TERMS (see `all_terms`)."""
    return all_terms(query)[:MAX_TERMS]


def all_terms(query: str) -> list[str]:
    """Each word as typed, reduced to its letters and digits, lower-cased, repeats dropped. A
    word of several parts ("KV-cache", "in-the-wild") is one term, searched as a phrase, so it
    finds "KV cache" too and counts once when a query is missing a word."""
    terms = (" ".join(_TERM.findall(word)).lower() for word in query.split())
    return list(dict.fromkeys(term for term in terms if term))


class SearchRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    async def find(
        self, terms: Sequence[str], filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[SearchHit]:
        """The best `limit` papers for the terms (see the module's note), best first."""
        if not terms or limit <= 0 or (filters.among is not None and not filters.among):
            return []
        hits = await self._match([terms], filters, limit)
        if len(hits) < limit and len(terms) >= 3:
            seen = {hit.arxiv_id for hit in hits}
            all_but_one = [[t for t in terms if t != left_out] for left_out in terms]
            more = await self._match(all_but_one, filters, limit + len(hits))
            hits += [hit for hit in more if hit.arxiv_id not in seen][: limit - len(hits)]
        return hits

    async def by_title(self, title: str, among: Sequence[str] | None = None) -> str | None:
        """The paper whose title is exactly this, whatever the case and spacing; `among`
        (a search's hits, where the paper is if it is anywhere) spares reading every title."""
        wanted = " ".join(title.split()).casefold()
        if not wanted or (among is not None and not among):
            return None
        params: dict[str, Any] = {"title": wanted}
        where = "" if among is None else " AND " + _among_sql("arxiv_id", among, params)
        stmt = text(f"SELECT arxiv_id FROM search_documents WHERE lower(title) = :title{where}")
        return (await self._session.execute(stmt.bindparams(**params))).scalars().first()

    async def _match(
        self, groups: Sequence[Sequence[str]], filters: SearchFilters, limit: int
    ) -> list[SearchHit]:
        """Papers holding every term of at least one group, best first."""
        params: dict[str, Any] = {"limit": limit}
        where = _filter_sql(filters, params, postgres=self._postgres)
        if self._postgres:
            sql = _postgres_sql(groups, params, where=where)
        else:
            params["match"] = " OR ".join(
                "(" + " AND ".join(f'"{term}"' for term in group) + ")" for group in groups
            )
            sql = (
                f"SELECT d.arxiv_id, -{_FTS5_RANK} AS score FROM search_index"
                " JOIN search_documents d ON d.id = search_index.rowid"
                " JOIN papers p ON p.arxiv_id = d.arxiv_id"
                f" WHERE search_index MATCH :match{where}"
                f" ORDER BY {_FTS5_RANK} LIMIT :limit"
            )
        rows = (await self._session.execute(text(sql), params)).all()
        return [SearchHit(arxiv_id, float(score)) for arxiv_id, score in rows]


def _postgres_sql(groups: Sequence[Sequence[str]], params: dict[str, Any], *, where: str) -> str:
    """Each term its own `phraseto_tsquery` (stemmed, stop words dropped, no syntax): a group's
    joined by &&, the groups by ||."""
    names: dict[str, str] = {}
    for group in groups:
        for term in group:
            if term not in names:
                names[term] = f"term{len(names)}"
                params[names[term]] = term
    query = " || ".join(
        "(" + " && ".join(f"phraseto_tsquery('english', :{names[t]})" for t in group) + ")"
        for group in groups
    )
    # Normalisation 1 divides by 1 + log(length): a short text holding the words ranks above
    # a long one holding them too, as FTS5's bm25 has it.
    return (
        "SELECT d.arxiv_id, ts_rank(d.document, q.query, 1) AS score"
        f" FROM search_documents d, (SELECT {query} AS query) q,"
        " papers p WHERE p.arxiv_id = d.arxiv_id AND d.document @@ q.query"
        f"{where} ORDER BY score DESC, d.arxiv_id LIMIT :limit"
    )


def _filter_sql(filters: SearchFilters, params: dict[str, Any], *, postgres: bool) -> str:
    """` AND …` conditions on `p` (papers) for the filters set, their values in `params`."""
    conditions = []
    if filters.since is not None:
        params["since"] = filters.since
        conditions.append("p.first_announced_on >= :since")
    if filters.until is not None:
        params["until"] = filters.until
        conditions.append("p.first_announced_on <= :until")
    if filters.category:
        params["category"] = filters.category
        conditions.append(
            "CAST(p.categories AS jsonb) @> jsonb_build_array(CAST(:category AS TEXT))"
            if postgres
            else "EXISTS (SELECT 1 FROM json_each(p.categories) WHERE value = :category)"
        )
    if filters.author:
        params["author"] = f"%{filters.author.casefold()}%"
        conditions.append("lower(CAST(p.authors AS TEXT)) LIKE :author")
    if filters.among is not None:
        conditions.append(_among_sql("p.arxiv_id", filters.among, params))
    return "".join(f" AND {condition}" for condition in conditions)


def _among_sql(column: str, arxiv_ids: Collection[str], params: dict[str, Any]) -> str:
    """`column IN (…)` with each id bound as a parameter in `params`."""
    names = []
    for i, arxiv_id in enumerate(sorted(arxiv_ids)):
        params[f"among{i}"] = arxiv_id
        names.append(f":among{i}")
    return f"{column} IN ({', '.join(names)})"


async def keep_matching(
    session: AsyncSession, arxiv_ids: Sequence[str], filters: SearchFilters
) -> list[str]:
    """Those of `arxiv_ids` the filters keep, in their order (for hits found another way)."""
    if not arxiv_ids:
        return []
    among = set(arxiv_ids) if filters.among is None else set(arxiv_ids) & set(filters.among)
    params: dict[str, Any] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    where = _filter_sql(replace(filters, among=among), params, postgres=postgres)
    rows = await session.execute(
        text(f"SELECT p.arxiv_id FROM papers p WHERE 1 = 1{where}"), params
    )
    kept = {arxiv_id for (arxiv_id,) in rows}
    return [arxiv_id for arxiv_id in arxiv_ids if arxiv_id in kept]


async def newest_matching(session: AsyncSession, filters: SearchFilters, limit: int) -> list[str]:
    """The `limit` papers the filters keep, the most recently announced first: what a search
    with filters but no words lists."""
    params: dict[str, Any] = {"limit": limit}
    postgres = session.get_bind().dialect.name == "postgresql"
    where = _filter_sql(filters, params, postgres=postgres)
    rows = await session.execute(
        text(
            f"SELECT p.arxiv_id FROM papers p WHERE 1 = 1{where}"
            " ORDER BY p.first_announced_on IS NULL, p.first_announced_on DESC, p.arxiv_id DESC"
            " LIMIT :limit"
        ),
        params,
    )
    return [arxiv_id for (arxiv_id,) in rows]


async def analysis_texts(session: AsyncSession, arxiv_ids: Sequence[str]) -> dict[str, str]:
    """The searched analysis text of these papers (summary first), where they have one."""
    if not arxiv_ids:
        return {}
    params = {f"id{i}": arxiv_id for i, arxiv_id in enumerate(arxiv_ids)}
    names = ", ".join(f":{name}" for name in params)
    stmt = text(
        f"SELECT arxiv_id, analysis FROM search_documents WHERE arxiv_id IN ({names})"
        " AND analysis != ''"
    )
    return {arxiv_id: analysis for arxiv_id, analysis in await session.execute(stmt, params)}
