"""The command line as a user runs it: a real process, settings from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pipeline.models import AnnounceType, Paper
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.pdfgen import make_paper_pdf

DAY = date(2026, 2, 4)
PAPER = Paper(
    arxiv_id="2602.00780",
    version=1,
    title="EcoVLA: Adaptive Pruning for Vision-Language-Action Models",
    authors=["Yuting Huang"],
    abstract="VLA models are slow; we prune them. Code: https://github.com/OpenGVLab/EcoVLA.",
    categories=["cs.AI"],
    announce_type=AnnounceType.NEW,
)


@pytest.fixture
def fakes() -> Iterator[tuple[FakeArxiv, FakeOpenAI]]:
    with FakeArxiv() as arxiv, FakeOpenAI() as llm:
        arxiv.feeds["cs.AI"] = (DAY, [PAPER])  # type: ignore[attr-defined]
        arxiv.add_paper(PAPER, make_paper_pdf([("3 Method", "We prune. " * 50)]))  # type: ignore[attr-defined]
        yield arxiv, llm  # type: ignore[misc]


def cli(
    args: list[str], tmp_path: Path, arxiv: FakeArxiv, llm: FakeOpenAI, database_url: str
) -> subprocess.CompletedProcess[str]:
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


def test_help_lists_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "arxiv_digest", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for command in ("digest", "summarize", "report"):
        assert command in result.stdout


def test_digest_writes_the_report_and_report_prints_it(
    fakes: tuple[FakeArxiv, FakeOpenAI], tmp_path: Path, database_url: str
) -> None:
    arxiv, llm = fakes
    result = cli(["digest"], tmp_path, arxiv, llm, database_url)

    assert result.returncode == 0, result.stderr
    report_path = tmp_path / "reports" / "2026-02-04.md"
    assert f"Report: {report_path}" in result.stdout
    assert "1 matching of 1 announced" in result.stdout
    markdown = report_path.read_text()
    assert PAPER.title in markdown and "<https://github.com/OpenGVLab/EcoVLA>" in markdown

    for arg in ("2026-02-04", "latest"):
        shown = cli(["report", arg], tmp_path, arxiv, llm, database_url)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == markdown


def test_summarize_prints_the_analysis_as_markdown(
    fakes: tuple[FakeArxiv, FakeOpenAI], tmp_path: Path, database_url: str
) -> None:
    arxiv, llm = fakes
    result = cli(
        ["summarize", "https://arxiv.org/abs/2602.00780"], tmp_path, arxiv, llm, database_url
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"# {PAPER.title}")
    assert "#### Summary" in result.stdout and "#### Experiments" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summarize", "../../etc/passwd"], "is not an arXiv id"),
        (["summarize", "2602.99999"], "arXiv has no paper 2602.99999"),
        (["report", "2026-01-01"], "no report for 2026-01-01"),
        (["report", "yesterday"], "is not a date"),
        (["digest", "--date", "2026-13-01"], "is not a date"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(
    fakes: tuple[FakeArxiv, FakeOpenAI],
    tmp_path: Path,
    database_url: str,
    args: list[str],
    message: str,
) -> None:
    arxiv, llm = fakes
    result = cli(args, tmp_path, arxiv, llm, database_url)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_secrets_never_reach_the_output(
    fakes: tuple[FakeArxiv, FakeOpenAI], tmp_path: Path, database_url: str
) -> None:
    arxiv, llm = fakes
    llm.default = "server_error"
    result = cli(["digest", "-v"], tmp_path, arxiv, llm, database_url)

    assert result.returncode == 0, result.stderr
    assert "sk-cli-test" not in result.stdout + result.stderr
    assert "failed" in result.stdout + result.stderr
