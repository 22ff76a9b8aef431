"""Dependencies point one way: the chat packages never reach up into the composition root, and
the core knows no platform; read from the source, so an import under `TYPE_CHECKING` or inside
a function counts as much as one at the top."""

from __future__ import annotations

import ast
from pathlib import Path

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import chat_platforms

BOT = Path(__file__).resolve().parents[2] / "bot"
ADAPTERS = ("slack", "telegram")
CHAT_SDKS = ("slack_sdk", "slack_bolt", "telegram")


def imported_modules(source: str, module: str) -> set[str]:
    """Every module `source` imports, wherever the import stands; relative ones resolved
    against `module` (the dotted name of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".")[: -node.level] if node.level else []
            found.add(".".join([*base, node.module or ""]).strip("."))
    return found


def bot_imports() -> dict[str, set[str]]:
    """Each module of bot/ (as "bot/slack/app.py") and what it imports."""
    root = BOT.parent
    return {
        path.relative_to(root).as_posix(): imported_modules(
            path.read_text(encoding="utf-8"),
            ".".join(path.relative_to(root).with_suffix("").parts),
        )
        for path in sorted(BOT.rglob("*.py"))
    }


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_the_scan_sees_imports_for_type_checking_inside_functions_and_relative() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from arxiv_digest.settings import Settings\n"
        "def f():\n    import arxiv_digest.wiring\n"
        "from . import render\n"
    )
    assert imported_modules(source, "bot.slack.app") >= {
        "arxiv_digest.settings",
        "arxiv_digest.wiring",
        "bot.slack",
    }


def test_no_module_of_bot_imports_the_composition_root() -> None:
    modules = bot_imports()
    assert {"bot/slack/platform.py", "bot/telegram/platform.py"} <= modules.keys()
    upward = {
        path: sorted(n for n in names if within(n, ("arxiv_digest",)))
        for path, names in modules.items()
    }
    assert {path: names for path, names in upward.items() if names} == {}


def test_the_chat_core_imports_no_platform_and_no_chat_sdk() -> None:
    adapters = tuple(f"bot.{name}" for name in ADAPTERS)
    core = {
        path: sorted(n for n in names if within(n, adapters + CHAT_SDKS))
        for path, names in bot_imports().items()
        if not path.startswith(tuple(f"bot/{name}/" for name in ADAPTERS))
    }
    assert {path: names for path, names in core.items() if names} == {}


def test_the_composition_root_lists_each_configured_platform_once() -> None:
    nothing = Settings(_env_file=None)  # type: ignore[call-arg]
    both = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-a-token",  # type: ignore[arg-type]
        telegram_bot_token="1:a-token",  # type: ignore[arg-type]
    )
    only_telegram = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token="1:a-token",  # type: ignore[arg-type]
    )

    assert chat_platforms(nothing) == []
    assert [p.name for p in chat_platforms(both)] == ["Slack", "Telegram"]
    assert [p.name for p in chat_platforms(only_telegram)] == ["Telegram"]
