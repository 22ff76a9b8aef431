"""The run lock: one holder across processes, released when the holder leaves or dies."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap
from pathlib import Path

import pytest

from storage.db import Database
from storage.locks import lock_file, run_lock

WAIT_SECONDS = 30  # a bound for the helper process, never an expectation of speed


async def test_a_second_acquirer_does_not_get_the_lock(database_url: str) -> None:
    first, second = await Database.open(database_url), await Database.open(database_url)
    try:
        async with run_lock(first, "daily") as held:
            assert held
            async with run_lock(second, "daily") as also:
                assert not also
            async with run_lock(second, "weekly") as other:
                assert other  # another name is another lock
    finally:
        await first.close()
        await second.close()


async def test_the_lock_is_free_again_once_the_holder_leaves(database_url: str) -> None:
    first, second = await Database.open(database_url), await Database.open(database_url)
    try:
        async with run_lock(first, "daily") as held:
            assert held
        async with run_lock(second, "daily") as held_after:
            assert held_after
        async with run_lock(first, "daily") as held_again:
            assert held_again
    finally:
        await first.close()
        await second.close()


async def test_the_lock_is_released_when_its_holder_raises(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with run_lock(database, "daily") as held:
            assert held
            raise RuntimeError("boom")
    async with run_lock(database, "daily") as held:
        assert held


HOLDER = textwrap.dedent(
    """
    import asyncio, sys
    from storage.db import Database
    from storage.locks import run_lock

    async def main() -> None:
        db = await Database.open(sys.argv[1])
        async with run_lock(db, "daily") as held:
            print("held" if held else "not held", flush=True)
            await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


async def test_on_sqlite_a_holder_killed_with_sigkill_releases_the_lock(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    database = await Database.open(url)
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, url, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), WAIT_SECONDS)
        assert line.strip() == b"held"
        async with run_lock(database, "daily") as held:
            assert not held
        holder.send_signal(signal.SIGKILL)
        await asyncio.wait_for(holder.wait(), WAIT_SECONDS)
        async with run_lock(database, "daily") as held:
            assert held
        assert lock_file(database, "daily") == tmp_path / "db.sqlite3.daily.lock"
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
        await database.close()
