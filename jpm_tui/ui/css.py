"""Widget styles live in ``.tcss`` files next to their module; this reads one for ``DEFAULT_CSS``."""

from __future__ import annotations

from pathlib import Path


def widget_css(module_file: str) -> str:
    """The text of the ``.tcss`` file beside ``module_file`` (``job_table.py`` -> ``job_table.tcss``)."""
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")
