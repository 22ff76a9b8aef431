"""Running the command line as a user does: a real process, its settings in the environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from domain.models import AnnounceType, Paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.slack_server import FakeSlack
from tests.fakes.telegram_server import FakeTelegram

GROUP = -100200300  # the Telegram group a process is told to post in
CHANNEL = "C0TEAM"  # the Slack channel a process is told to post in
PAPER = Paper(  # the one paper of DAY the `fakes` fixture serves in cs.AI
    arxiv_id="2602.00780",
    version=1,
    title="EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
    authors=["Yuting Huang"],
    abstract="VLA models are slow; we prune them. Code: https://github.com/OpenGVLab/EcoVLA.",
    categories=["cs.AI"],
    announce_type=AnnounceType.NEW,
)


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


def cli(
    args: list[str], tmp_path: Path, arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str
) -> subprocess.CompletedProcess[str]:
    """`arxiv-digest ARGS` pointed at the fakes, with the digest of cs.AI set up; waits for it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DIGEST_"))}
    env |= {
        "DATABASE_URL": database_url,
        "REPORTS_DIR": str(tmp_path / "reports"),
        "ARXIV_RSS_URL": arxiv.rss_url,
        "ARXIV_API_URL": arxiv.api_url,
        "ARXIV_PDF_URL": arxiv.pdf_url,
        "ARXIV_API_DELAY_SECONDS": "0.01",
        "OPENAI_BASE_URL": llm.base_url,
        "OPENAI_API_KEY": "sk-cli-test",
        "LLM_MODEL": "m",
        "DIGEST_CATEGORIES": "cs.AI",
        "DIGEST_KEYWORDS": "vision language action",
    }
    return subprocess.run(
        [sys.executable, "-m", "arxiv_digest", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_env(
    tmp_path: Path, fake_arxiv: FakeArxiv, fake_llm: FakeOpenAI, database_url: str, **chats: str
) -> dict[str, str]:
    """The environment of a process pointed at the fakes; `chats` adds the chat settings."""
    prefixes = ("OPENAI_", "LLM_", "DIGEST_", "SLACK_", "TELEGRAM_", "BOT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return env | {
        "DATABASE_URL": database_url,
        "REPORTS_DIR": str(tmp_path / "reports"),
        "ARXIV_RSS_URL": fake_arxiv.rss_url,
        "ARXIV_API_URL": fake_arxiv.api_url,
        "ARXIV_PDF_URL": fake_arxiv.pdf_url,
        "ARXIV_API_DELAY_SECONDS": "0.01",
        "OPENAI_BASE_URL": fake_llm.base_url,
        "OPENAI_API_KEY": "sk-cli-test",
        "LLM_MODEL": "m",
        "DIGEST_CATEGORIES": "cs.AI",
        "DIGEST_KEYWORDS": "vision language action",
        "SLACK_MESSAGES_PER_SECOND": "0",
        "TELEGRAM_MESSAGES_PER_SECOND": "0",
        **chats,
    }


def telegram_env(telegram: FakeTelegram) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.base_url,
        "TELEGRAM_CHATS": str(GROUP),
    }


def slack_env(slack: FakeSlack) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.api_url,
        "SLACK_CHANNELS": CHANNEL,
    }
