"""Shared fixtures: the network is off except for 127.0.0.1, a migrated database per test, and
the fakes every package talks to, started on ephemeral ports."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from storage.db import Database
from tests.databases import (
    BACKENDS,
    POSTGRES_URL,
    empty_postgres_database,
    migrated_postgres_database,
    migrated_sqlite_file,
)
from tests.daydata import DAY, make_settings
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.pdfgen import make_paper_pdf
from tests.processes import PAPER

if TYPE_CHECKING:
    from bot.core import ChatCore


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        try:
            if ipaddress.ip_address(host).is_loopback:
                return
        except ValueError:
            if host == "localhost":
                return
        raise RuntimeError(f"tests may not leave 127.0.0.1 (tried to reach {host})")


def _guarded_connect(self: socket.socket, address: object) -> None:
    _check_address(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True)
def _no_settings_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings under test come from the test alone, never from the developer's environment."""
    from arxiv_digest.settings import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(autouse=True)
def _network_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a host other than loopback fails loudly (Unix sockets pass)."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


# ---- databases -----------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test that uses a database runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL
    is set."""
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, tmp_path: Path) -> str:
    """The URL of a database of the test's backend at the latest migration, with no rows."""
    if backend == "postgresql":
        return await migrated_postgres_database()
    await migrated_sqlite_file(tmp_path / "test.sqlite3")
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
async def empty_database_url(backend: str, tmp_path: Path) -> str:
    """The URL of a database of the test's backend with nothing in it, not even a schema."""
    if backend == "postgresql":
        return await empty_postgres_database()
    return f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
async def postgres_url() -> str:
    """An empty PostgreSQL database of this test process, for tests only PostgreSQL can run."""
    if POSTGRES_URL is None:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    return await empty_postgres_database()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """`database_url`'s database, open."""
    db = await Database.open(database_url)
    try:
        yield db
    finally:
        await db.close()


# ---- the fakes -----------------------------------------------------------------------------


@pytest.fixture
def arxiv() -> Iterator[FakeArxiv]:
    with FakeArxiv() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def fakes() -> Iterator[tuple[FakeArxiv, FakeOpenAI]]:
    """arXiv announcing PAPER on DAY in cs.AI, and an LLM: what a command-line run needs."""
    with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        arxiv.feeds["cs.AI"] = (DAY, [PAPER])  # type: ignore[attr-defined]
        arxiv.add_paper(PAPER, make_paper_pdf([("3 Method", "We prune. " * 50)]))  # type: ignore[attr-defined]
        yield arxiv, llm  # type: ignore[misc]


# ---- the chat core -------------------------------------------------------------------------


@pytest.fixture
async def core(
    arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str, tmp_path: Path
) -> AsyncIterator[ChatCore]:
    """The chat core on the real Digest, against the fakes; UADMIN is a bot admin."""
    from arxiv_digest.wiring import digest_options, open_digest  # slow to import: when needed
    from bot.core import ChatCore

    settings = make_settings(arxiv, llm, database_url, tmp_path)
    async with open_digest(settings, digest_options(settings)) as digest:
        yield ChatCore(
            db=digest.db,
            digest=digest,
            feeds=digest.feeds,
            line=digest.line,
            admins=["UADMIN"],
        )
