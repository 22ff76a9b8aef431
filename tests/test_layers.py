"""The ground floors stay at the bottom: `domain` imports nothing of the project, `storage` only
`domain`; read from the source, as `tests/bot/test_layers.py` reads `bot/`, so an import under
`TYPE_CHECKING` or inside a function counts as much as one at the top."""

from __future__ import annotations

from pathlib import Path

from tests.bot.test_layers import imported_modules, within

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("arxiv_digest", "benchmarks", "bot", "domain", "pipeline", "storage", "tests")


def package_imports(package: str) -> dict[str, set[str]]:
    """Each module of the package (as "storage/records.py") and what it imports."""
    return {
        path.relative_to(ROOT).as_posix(): imported_modules(
            path.read_text(encoding="utf-8"),
            ".".join(path.relative_to(ROOT).with_suffix("").parts),
        )
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def reaching(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """The package's modules that import any of `forbidden`, with what they import of it."""
    found = {
        path: sorted(name for name in names if within(name, forbidden))
        for path, names in package_imports(package).items()
    }
    return {path: names for path, names in found.items() if names}


def test_the_scan_resolves_a_relative_import_out_of_the_package() -> None:
    assert "pipeline.models" in imported_modules(
        "from ..pipeline.models import Paper\n", "storage.records"
    )


def test_domain_imports_nothing_of_the_project() -> None:
    assert {"domain/models.py", "domain/statuses.py"} <= package_imports("domain").keys()
    others = tuple(p for p in PROJECT if p != "domain")
    assert reaching("domain", others) == {}


def test_storage_imports_only_domain_of_the_project() -> None:
    assert {"storage/records.py", "storage/analyses.py"} <= package_imports("storage").keys()
    above = tuple(p for p in PROJECT if p not in ("domain", "storage"))
    assert reaching("storage", above) == {}
