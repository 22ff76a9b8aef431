"""The environment a benchmark runs the service's command line in."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine_env() -> dict[str, str]:
    """This machine's environment without any of the app's settings (a developer's exports
    must not leak into a measurement), with this checkout importable."""
    from arxiv_digest.settings import Settings

    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env
