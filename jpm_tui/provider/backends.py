"""The backends a profile can name (``backend = "..."``) and the workflow of each (what else a backend brings,
above the provider layer: ``jpm_tui/backends.py``).

Each entry imports its workflow when asked, so naming one backend loads nothing of the others; a workflow module
imports no HTTP code, so the board builds its screens from it before the network stack loads.
"""

from __future__ import annotations

from collections.abc import Callable

from .workflow import Workflow

__all__ = ["DEFAULT_BACKEND", "WORKFLOWS", "workflow_for"]

DEFAULT_BACKEND = "servicetitan"
"""What a profile without ``backend`` uses (every config written before there were others)."""


def _servicetitan() -> Workflow:
    from .servicetitan_workflow import WORKFLOW

    return WORKFLOW


def _fsm_navigator() -> Workflow:
    from .fsm_navigator.workflow import WORKFLOW

    return WORKFLOW


def _bigchange() -> Workflow:
    from .bigchange.workflow import WORKFLOW

    return WORKFLOW


WORKFLOWS: dict[str, Callable[[], Workflow]] = {
    "servicetitan": _servicetitan,
    "fsm-navigator": _fsm_navigator,
    "bigchange": _bigchange,
}
"""Backend name -> its workflow."""


def workflow_for(backend: str = DEFAULT_BACKEND) -> Workflow:
    """The workflow of ``backend``; a name not listed raises ``KeyError`` naming the ones that are."""
    factory = WORKFLOWS.get(backend)
    if factory is None:
        raise KeyError(f"unknown backend {backend!r} (known: {', '.join(sorted(WORKFLOWS))})")
    return factory()
