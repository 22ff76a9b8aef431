"""Full-text search over every stored paper: title, abstract and analysis, in the database's
own engine (SQLite FTS5 on the embedded default, a weighted `tsvector` with a GIN index on
PostgreSQL). `search_documents` holds one row per paper; triggers keep it in step with
`papers` and `analyses` on every write, so no code path can forget it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The text of an analysis (its five sections) as each database reads PaperAnalysis's JSON.
_SQLITE_ANALYSIS = """
    coalesce(json_extract({row}.content, '$.summary'), '') || ' ' ||
    coalesce(json_extract({row}.content, '$.motivation'), '') || ' ' ||
    coalesce((SELECT group_concat(value, ' ')
              FROM json_each({row}.content, '$.contributions')), '') || ' ' ||
    coalesce(json_extract({row}.content, '$.method'), '') || ' ' ||
    coalesce(json_extract({row}.content, '$.experiments'), '')
"""
_POSTGRES_ANALYSIS = """
    coalesce({row}.content->>'summary', '') || ' ' ||
    coalesce({row}.content->>'motivation', '') || ' ' ||
    coalesce((SELECT string_agg(value, ' ')
              FROM json_array_elements_text({row}.content->'contributions')), '') || ' ' ||
    coalesce({row}.content->>'method', '') || ' ' ||
    coalesce({row}.content->>'experiments', '')
"""

_SQLITE = [
    """CREATE TABLE search_documents (
        id INTEGER PRIMARY KEY,
        arxiv_id VARCHAR(64) NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL DEFAULT '',
        analysis TEXT NOT NULL DEFAULT ''
    )""",
    # An external-content index over search_documents, kept in step by the three triggers
    # SQLite's FTS5 documentation gives for that arrangement.
    """CREATE VIRTUAL TABLE search_index USING fts5(
        title, abstract, analysis, content='search_documents', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_index(rowid, title, abstract, analysis)
        VALUES (new.id, new.title, new.abstract, new.analysis);
    END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_index(search_index, rowid, title, abstract, analysis)
        VALUES ('delete', old.id, old.title, old.abstract, old.analysis);
    END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_index(search_index, rowid, title, abstract, analysis)
        VALUES ('delete', old.id, old.title, old.abstract, old.analysis);
        INSERT INTO search_index(rowid, title, abstract, analysis)
        VALUES (new.id, new.title, new.abstract, new.analysis);
    END""",
    """CREATE TRIGGER search_papers_ai AFTER INSERT ON papers BEGIN
        INSERT INTO search_documents(arxiv_id, title, abstract)
        VALUES (new.arxiv_id, new.title, new.abstract)
        ON CONFLICT(arxiv_id) DO UPDATE SET title = excluded.title, abstract = excluded.abstract;
    END""",
    """CREATE TRIGGER search_papers_au AFTER UPDATE OF title, abstract ON papers
    WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract BEGIN
        UPDATE search_documents SET title = new.title, abstract = new.abstract
        WHERE arxiv_id = new.arxiv_id;
    END""",
    """CREATE TRIGGER search_papers_ad AFTER DELETE ON papers BEGIN
        DELETE FROM search_documents WHERE arxiv_id = old.arxiv_id;
    END""",
    f"""CREATE TRIGGER search_analyses_ai AFTER INSERT ON analyses
    WHEN new.status = 'ok' AND new.content IS NOT NULL BEGIN
        UPDATE search_documents SET analysis = {_SQLITE_ANALYSIS.format(row="new")}
        WHERE arxiv_id = new.arxiv_id;
    END""",
    f"""CREATE TRIGGER search_analyses_au AFTER UPDATE OF status, content ON analyses
    WHEN new.status = 'ok' AND new.content IS NOT NULL BEGIN
        UPDATE search_documents SET analysis = {_SQLITE_ANALYSIS.format(row="new")}
        WHERE arxiv_id = new.arxiv_id;
    END""",
]

_POSTGRES = [
    """CREATE TABLE search_documents (
        arxiv_id VARCHAR(64) PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL DEFAULT '',
        analysis TEXT NOT NULL DEFAULT '',
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A') ||
            setweight(to_tsvector('english', abstract), 'B') ||
            setweight(to_tsvector('english', analysis), 'C')
        ) STORED
    )""",
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
    """CREATE OR REPLACE FUNCTION search_paper_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_documents WHERE arxiv_id = OLD.arxiv_id;
            RETURN OLD;
        END IF;
        INSERT INTO search_documents (arxiv_id, title, abstract)
        VALUES (NEW.arxiv_id, NEW.title, NEW.abstract)
        ON CONFLICT (arxiv_id) DO UPDATE
        SET title = EXCLUDED.title, abstract = EXCLUDED.abstract
        WHERE search_documents.title IS DISTINCT FROM EXCLUDED.title
           OR search_documents.abstract IS DISTINCT FROM EXCLUDED.abstract;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_papers AFTER INSERT OR UPDATE OF title, abstract OR DELETE
    ON papers FOR EACH ROW EXECUTE FUNCTION search_paper_changed()""",
    f"""CREATE OR REPLACE FUNCTION search_analysis_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE search_documents SET analysis = {_POSTGRES_ANALYSIS.format(row="NEW")}
        WHERE arxiv_id = NEW.arxiv_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER search_analyses AFTER INSERT OR UPDATE OF status, content ON analyses
    FOR EACH ROW WHEN (NEW.status = 'ok' AND NEW.content IS NOT NULL)
    EXECUTE FUNCTION search_analysis_changed()""",
]


def _fill(analysis: str) -> str:
    """Every paper stored so far, with its latest successful analysis."""
    return f"""INSERT INTO search_documents (arxiv_id, title, abstract, analysis)
    SELECT p.arxiv_id, p.title, p.abstract, coalesce((
        SELECT {analysis.format(row="a")} FROM analyses a
        WHERE a.arxiv_id = p.arxiv_id AND a.status = 'ok' AND a.content IS NOT NULL
        ORDER BY a.updated_at DESC LIMIT 1), '')
    FROM papers p"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)
    op.execute(_fill(_POSTGRES_ANALYSIS if postgres else _SQLITE_ANALYSIS))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS search_analyses ON analyses")
        op.execute("DROP TRIGGER IF EXISTS search_papers ON papers")
        op.execute("DROP FUNCTION IF EXISTS search_analysis_changed()")
        op.execute("DROP FUNCTION IF EXISTS search_paper_changed()")
        op.execute("DROP TABLE search_documents")
        return
    for trigger in ("analyses_au", "analyses_ai", "papers_ad", "papers_au", "papers_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS search_{trigger}")
    op.execute("DROP TABLE search_index")
    op.execute("DROP TABLE search_documents")
