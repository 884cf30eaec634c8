"""Modules imported on their first attribute access. The board's first paint reads the job list only: the domain
module (building its ~40 dataclasses costs ~35 ms) and the store's modules for writes and other reads load when
first used. Type checkers see the modules themselves::

    if TYPE_CHECKING:
        from jpm_tui.provider import domain as d
    else:
        from jpm_tui.cache.store.deferred import domain as d
"""

from __future__ import annotations

import importlib
from typing import Any


class Deferred:
    """A module imported on its first attribute access. Thread-safe: the import system locks the import; the copied
    attributes are the same objects whichever thread copies."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(self._name)
        vars(self).update(vars(module))
        return getattr(module, attr)


domain: Any = Deferred("jpm_tui.provider.domain")
