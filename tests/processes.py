"""Running the command line as a user does: a real process, its settings in the environment."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int | None, str, str]:
    """`arxiv-digest ARGS` in `cwd`; its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arxiv_digest",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, out.decode(), err.decode()
