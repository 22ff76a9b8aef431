"""The command line as a user runs it: a real process, settings from the environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI
from tests.processes import PAPER, cli


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
