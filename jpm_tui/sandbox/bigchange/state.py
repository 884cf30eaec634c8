"""The BigChange sandbox's world: wire-shaped records by table, a clock, issued tokens, switches, and what the
PATCH endpoint received (so a test or a demo can check the exact bodies that came in).

Records are the dicts BigChange sends (camelCase); a job carries the names of its type, contact, person and
resource beside their ids, as the reference's job object does (`typeName`, `contactName`, ...).
"""

from __future__ import annotations

import copy
import pickle
import random
from datetime import datetime
from typing import Any

from ..clock import SandboxClock
from ..state import Faults, iso

CUSTOMER_ID = 14532  # the customer id of the reference's example request
CLIENT_ID = "sandbox-bigchange-client"
CLIENT_SECRET = "sandbox-bigchange-secret"
TIMEZONE = "Europe/London"  # a West Yorkshire company: its times are shown in its own zone

TABLES = ("contacts", "persons", "resources", "job_types", "custom_field_definitions", "jobs", "status_history")

WORK_STATUSES = frozenset({"started", "suspended"})
DONE_STATUSES = frozenset({"completedOk", "completedWithIssues"})


class BigChangeState(SandboxClock):
    """Everything the BigChange sandbox knows; handlers reach it as `request.app.state.sandbox`.

    `now` freezes the clock there (tests); otherwise the wall clock runs. `reset()` returns data, clock,
    switches and settings to how they were after `load()`; issued tokens stay valid.
    """

    def __init__(
        self,
        *,
        customer_id: int = CUSTOMER_ID,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        token_lifetime: int = 3600,
        rate_limit: float | None = 20.0,
        now: datetime | None = None,
        seed: int = 1,
    ) -> None:
        self.customer_id = customer_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.rate_limit = rate_limit
        self.seed = seed
        self.tokens: dict[str, datetime] = {}  # access token -> expiry
        self.set_clock(now)
        self._settings = {name: copy.copy(getattr(self, name)) for name in self._SETTINGS}
        self._initial: bytes | None = None
        self._restore({})

    _SETTINGS = ("customer_id", "client_id", "client_secret", "token_lifetime", "rate_limit", "_frozen")

    # -------------------------------------------------------------------------------------------- data

    def load(self, data: dict[str, list[dict]]) -> None:
        """Replace every record with `data` (kept, pickled, as the reset point)."""
        self._initial = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        self._restore(data)

    def reset(self) -> None:
        for name, value in self._settings.items():
            setattr(self, name, copy.copy(value))
        self._restore(pickle.loads(self._initial) if self._initial else {})

    def _restore(self, data: dict[str, list[dict]]) -> None:
        self.tables: dict[str, dict[Any, dict]] = {name: {} for name in TABLES}
        for name, records in data.items():
            self.tables[name] = {record["id"]: record for record in records}
        self.faults = Faults()
        self.rng = random.Random(self.seed)
        self.received_patches: list[tuple[int, bytes]] = []
        """(job id, body as it arrived) of every PATCH that reached the update rules, in order."""
        self._last_history_id = max(self.tables["status_history"], default=0)

    def history_of(self, job_id: int) -> list[dict]:
        return [row for row in self.tables["status_history"].values() if row["jobId"] == job_id]

    # -------------------------------------------------------------------------------------- job status

    def set_job_status(self, job_id: int, status: str, comment: str | None = None) -> dict:
        """Move a job to `status` as a resource's device would, recording it in the job's status history and
        stamping the real start (first `started`) and end (completion) times."""
        job = self.tables["jobs"][job_id]
        stamp = iso(self.now())
        if status in WORK_STATUSES and not job.get("realStartAt"):
            job["realStartAt"] = stamp
        if status in DONE_STATUSES:
            job["realStartAt"] = job.get("realStartAt") or stamp
            job["realEndAt"] = stamp
        job["status"] = status
        self._last_history_id += 1
        row = {"id": self._last_history_id, "jobId": job_id, "status": status, "createdAt": stamp,
               "comment": comment}
        self.tables["status_history"][row["id"]] = row
        return row
