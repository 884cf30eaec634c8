"""mypy run inside the test process (tests/test_types.py, tests/ui/test_source_seam.py), leaving the process as
it found it: mypy raises the collector's young-generation threshold to 200,000 for its own run and never puts it
back, which a later test of the sync's interpreter tuning (tests/cache/test_sync.py) then reads as its own."""

from __future__ import annotations

import gc
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def run_mypy(*args: str) -> tuple[str, str, int]:
    """``mypy`` with the project's config and cache (``.mypy_cache``, gitignored: a warm check takes about a
    second, a cold one about 8 s) on ``args``: (stdout, stderr, exit status)."""
    threshold = gc.get_threshold()
    try:
        return api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(ROOT / ".mypy_cache"),
                        "--no-error-summary", *args])
    finally:
        gc.set_threshold(*threshold)
