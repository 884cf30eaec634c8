"""The FSM Navigator sandbox's in-memory world: records by id per kind, a clock, the API key and switches.

Records are wire-shaped dicts (the Jobs API's snake_case fields). A job keeps its asset links in its own
`assets` list; the list endpoint leaves them out, as the reference's list example does.
"""

from __future__ import annotations

import copy
import pickle
from datetime import datetime
from typing import Any

from ..clock import SandboxClock

API_KEY = "fsm_test_sandbox_4b1d8e20c6a94f7e"
"""The sandbox's one valid key; `fsm_test_` is the prefix the reference gives testing keys."""

KINDS = ("technicians", "customers", "locations", "assets", "jobs")

_SETTINGS = ("api_key", "rate_limit", "rate_window", "_frozen")


class FsmState(SandboxClock):
    """Everything the sandbox knows; handlers reach it as `request.app.state.fsm`.

    `now` freezes the clock there (tests; `advance()` moves it), otherwise the wall clock runs. `reset()`
    goes back to the loaded records, the initial clock and settings, and no injected failures.
    `rate_limit` requests per `rate_window` seconds per key (None: no limit).
    """

    def __init__(self, *, api_key: str = API_KEY, rate_limit: int | None = None, rate_window: float = 60.0,
                 now: datetime | None = None, seed: int = 1) -> None:
        self.api_key = api_key
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.seed = seed
        self.set_clock(now)
        self._snapshot = pickle.dumps({kind: [] for kind in KINDS})
        self._settings = {name: copy.copy(getattr(self, name)) for name in _SETTINGS}
        self._restore({kind: [] for kind in KINDS})

    # ----------------------------------------------------------------------------------------- records

    def load(self, data: dict[str, list[dict[str, Any]]]) -> None:
        """Replace every record with `data` (kept as the reset point)."""
        self._snapshot = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        self._restore(data)

    def reset(self) -> None:
        for name, value in self._settings.items():
            setattr(self, name, copy.copy(value))
        self._restore(pickle.loads(self._snapshot))

    def _restore(self, data: dict[str, list[dict[str, Any]]]) -> None:
        id_fields = {"technicians": "technician_id", "customers": "customer_id", "locations": "location_id",
                     "assets": "asset_id", "jobs": "job_id"}
        self.records: dict[str, dict[int, dict[str, Any]]] = {
            kind: {row[id_fields[kind]]: row for row in data.get(kind, [])} for kind in KINDS
        }
        self.fail_next: list[int] = []  # statuses for the next API requests (502, 503, 429...), in order
        self.version = 0  # moves on every change; list answers cache their filtered rows per version
        self.cache: dict[Any, Any] = {}
        self._last_job_id = max(self.records["jobs"], default=10000)

    def changed(self) -> None:
        self.version += 1

    def next_job_id(self) -> int:
        self._last_job_id += 1
        return self._last_job_id

    @property
    def jobs(self) -> dict[int, dict[str, Any]]:
        return self.records["jobs"]
