"""The sandbox's in-memory world: wire-shaped records per collection, a clock, ids and switches.

Records are the dicts ServiceTitan would send (camelCase). Every insert and every change gets a number
from one state-wide sequence; export feeds walk a collection in that order, which is what makes their
continuation tokens monotonic and lets "a record touched again moves to the end" fall out naturally.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import json
import pickle
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

import orjson

from .clock import SandboxClock

if TYPE_CHECKING:
    from .export_workers import ExportWorkers

TENANT = 1234567
CLIENT_ID = "sandbox-client"
CLIENT_SECRET = "sandbox-secret"
APP_KEY = "sandbox-app-key"
USER_ID = 1  # the employee the sandbox acts as (createdById, canceledById, ...)

COLLECTIONS = (
    # jpm
    "jobs", "appointments", "projects", "job_types", "job_cancel_reasons", "job_hold_reasons", "job_notes",
    "project_notes", "job_history", "job_canceled_logs", "job_booked_logs", "project_statuses",
    "project_substatuses", "project_types", "job_custom_field_types", "project_custom_field_types",
    "budget_codes", "wbs_segments", "wbs_segment_items", "appointment_summaries",
    # settings
    "technicians", "employees", "business_units", "tag_types", "user_roles",
    # dispatch
    "appointment_assignments", "technician_shifts", "zones", "teams", "arrival_windows", "business_hours",
    "non_job_appointments",
    # crm
    "customers", "locations", "customer_contacts", "location_contacts", "customer_notes", "location_notes",
    "bookings", "leads",
)


def iso(dt: datetime) -> str:
    """RFC 3339 UTC with a Z, milliseconds only when present (ServiceTitan's style)."""
    dt = dt.astimezone(UTC)
    if dt.microsecond:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime | None:
    """Parse an RFC 3339 / ISO 8601 date or date-time; naive means UTC. None when unparseable."""
    if len(text) == 20 and text[-1] == "Z":  # iso()'s own form, what loading a world parses millions of times
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(text)
    text = text.strip()
    if not text:
        return None
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    head, dot, tail = text.partition(".")
    if dot:  # .NET writes 7 fractional digits; Python accepts at most 6
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[:digits][:6].ljust(6, "0") + tail[digits:]
        text = f"{head}.{tail}"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def json_bytes(obj: Any) -> bytes:
    """A JSON body as Starlette's JSONResponse renders it (compact, UTF-8, no NaN). orjson writes the same bytes
    several times faster (what export feeds at scale spend their time on; floats below 1e-4 aside, which it writes
    with a shorter exponent); what it cannot write (integers past 64 bits, keys that are not strings) goes through
    json."""
    try:
        return orjson.dumps(obj)
    except TypeError:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


class Collection:
    """One wire collection: records by id plus a change log ordered by the state's sequence."""

    def __init__(self, name: str, state: SandboxState) -> None:
        self.name = name
        self._state = state
        self._records: dict[int, dict] = {}
        self._ordered: list[int] | None = []  # ids in id order; None = to be rebuilt
        self._seq: dict[int, int] = {}              # id -> seq of its latest change
        self._changed: dict[int, datetime] = {}      # id -> when that change happened
        # Append-only log of (seq, id); entries superseded by a later change are skipped on read and
        # compacted away now and then, so changed_after() can bisect instead of sorting every call.
        self._log_seqs: list[int] = []
        self._log_ids: list[int] = []
        # id -> (seq, shape, JSON bytes) of the record as an export feed last sent it (``encoded``)
        self._encoded: dict[int, tuple[int, Any, bytes]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def get(self, id: int) -> dict | None:
        return self._records.get(id)

    def known_len(self) -> int | None:
        """How many records, when that is known without making them (None: a sparse generated collection)."""
        return len(self)

    def require(self, id: int, what: str) -> dict:
        record = self.get(id)
        if record is None:
            from .http import ProblemError  # http.py builds on this module, so import late

            raise ProblemError(404, f"{what} with ID {id} not found", {"id": [f"{what} with ID {id} not found."]})
        return record

    def insert(self, record: dict) -> dict:
        """Add a record: id from the state when missing, createdOn/modifiedOn stamped when missing."""
        if record.get("id") is None:
            record["id"] = self._state.next_id()
        else:
            self._state.reserve_id(record["id"])
        now = self._state.now()
        if "createdOn" not in record or "modifiedOn" not in record:
            stamp = iso(now)
            record.setdefault("createdOn", stamp)
            record.setdefault("modifiedOn", stamp)
        if record["id"] not in self._records:
            self._ordered = None
        self._records[record["id"]] = record
        self._log(record, parse_iso(str(record["modifiedOn"])) or now)
        return record

    def touch(self, record: dict) -> dict:
        """Record an in-place change: new modifiedOn and sequence number (moves it to the feed's end)."""
        now = self._state.now()
        record["modifiedOn"] = iso(now)
        self._log(record, now)
        return record

    def delete(self, id: int) -> None:
        if self._records.pop(id, None) is not None:
            self._ordered = None
        self._seq.pop(id, None)
        self._changed.pop(id, None)
        self._encoded.pop(id, None)

    def values(self) -> Iterable[dict]:
        if self._ordered is None:
            self._ordered = sorted(self._records)
        return [self._records[i] for i in self._ordered]

    def where(self, key: str, *values: Any) -> list[dict]:
        """The records whose ``key`` is one of ``values`` (a job's appointments, a customer's contacts), in id
        order."""
        wanted = set(values)
        return [record for record in self.values() if record.get(key) in wanted]

    def changed_after(self, seq: int) -> Iterator[tuple[int, dict]]:
        # walked in place (slicing copied the rest of the log on every page of an export: quadratic in its length);
        # a compaction meanwhile swaps in new lists and leaves these as they were
        seqs, ids, current = self._log_seqs, self._log_ids, self._seq
        for k in range(bisect.bisect_right(seqs, seq), len(seqs)):
            s, i = seqs[k], ids[k]
            if current.get(i) == s:
                yield s, self._records[i]

    def changed_at(self, id: int) -> datetime | None:
        """When the record last changed (for withholding recent changes from export feeds)."""
        return self._changed.get(id)

    def encoded(self, seq: int, record: dict, shape: Callable[[dict], Any] | None) -> bytes:
        """``record`` (at change ``seq``, as ``changed_after`` yields it) projected by ``shape`` as JSON bytes,
        kept until the record changes: a change gets a new seq (insert and touch give one; every in-place change
        goes through touch), so an export page joins stored bytes instead of shaping and serialising every row
        on every request. One entry per record; a different shape object replaces it."""
        hit = self._encoded.get(record["id"])
        if hit is not None and hit[0] == seq and hit[1] is shape:
            return hit[2]
        data = json_bytes(shape(record) if shape else record)
        self._encoded[record["id"]] = (seq, shape, data)
        return data

    async def export_rows(self, seq: int, shape: Callable[[dict], Any] | None, limit: int) -> list[tuple[int, bytes]]:
        """An export page's rows after ``seq`` when it skips none: ``changed_after``'s first ``limit``, each
        ``encoded``, and one more if there is one (whether there are more). Async: a world at scale's are made in
        other processes, and waited for without holding up the event loop."""
        return [(s, self.encoded(s, record, shape)) for s, record in islice(self.changed_after(seq), limit + 1)]

    def _log(self, record: dict, when: datetime) -> None:
        seq = self._state.next_seq()
        self._seq[record["id"]] = seq
        self._changed[record["id"]] = when
        self._log_seqs.append(seq)
        self._log_ids.append(record["id"])
        if len(self._log_seqs) > 2 * len(self._records) + 1024:
            live = sorted((s, i) for i, s in self._seq.items())
            self._log_seqs = [s for s, _ in live]
            self._log_ids = [i for _, i in live]


@dataclass(frozen=True)
class Generated:
    """A collection made on demand instead of held (a world at scale): ``make(id)`` is the record with that id as
    generated (None where the id is unused), ``ids`` every id it may have, in order. The same id gives the same
    record every time."""

    ids: range
    make: Callable[[int], dict | None]
    related: dict[str, Callable[[Any], Iterable[int]]] = field(default_factory=dict)
    """key -> the ids whose record may have that key's value (``where`` reads those, not every record)."""
    count: int | None = None
    """How many ids have a record, when known without making them all (every id, in a dense collection)."""
    make_sent: Callable[[int], dict | None] | None = None
    """``make`` for an export feed, when it costs less: the record with no more than the responses send (keys that
    start with an underscore may be missing)."""


class GeneratedCollection(Collection):
    """A collection over a ``Generated`` base: a record is made from its id when asked for and kept only once it is
    read by id, changed or inserted (the overlay, ``_records``); the rest is made again for each read. The base
    rows come first in the export feed's order, with sequence numbers reserved for them at load, then changes."""

    def __init__(self, name: str, state: SandboxState, base: Generated) -> None:
        super().__init__(name, state)
        self._base = base
        self._first_seq = state._last_seq  # the base row at position p has seq _first_seq + p + 1
        state._last_seq += len(base.ids)
        if base.ids:
            state.reserve_id(base.ids[-1])
        self._gone: set[int] = set()  # base ids deleted
        self._count = base.count  # base rows that exist; when unknown, counted on first need
        self._sent = base.make_sent or base.make

    def __len__(self) -> int:
        if self._count is None:
            self._count = sum(1 for i in self._base.ids if self._base.make(i) is not None)
        in_base = sum(1 for i in self._records if i in self._base.ids)
        return self._count - len(self._gone) + len(self._records) - in_base

    def known_len(self) -> int | None:
        return None if self._count is None else len(self)

    def get(self, id: int) -> dict | None:
        record = self._records.get(id)
        if record is None and id in self._base.ids and id not in self._gone:
            record = self._base.make(id)
            if record is not None:  # kept from now on: a handler may change it in place before touch()
                self._records[id] = record
        return record

    def touch(self, record: dict) -> dict:
        self._records[record["id"]] = record  # a record read through values() joins the overlay here
        return super().touch(record)

    def delete(self, id: int) -> None:
        if id in self._base.ids:
            self._gone.add(id)
        super().delete(id)

    def values(self) -> Iterable[dict]:
        for id in self._base.ids:
            record = self._row(id)
            if record is not None:
                yield record
        yield from (self._records[i] for i in sorted(i for i in self._records if i not in self._base.ids))

    def changed_after(self, seq: int) -> Iterator[tuple[int, dict]]:
        ids, start = self._base.ids, max(0, seq - self._first_seq)
        for position in range(start, len(ids)):
            stands, kept = self._base_standing(ids[position])
            record = (kept or self._sent(ids[position])) if stands else None
            if record is not None:
                yield self._first_seq + position + 1, record
        yield from super().changed_after(seq)

    def _base_standing(self, id: int) -> tuple[bool, dict | None]:
        """Whether base row ``id`` is sent at its base place in the feed (not changed since: it comes with the
        changes; not deleted), and the overlay's record of it (None: made from its id)."""
        if id in self._seq or id in self._gone:
            return False, None
        return True, self._records.get(id)

    def where(self, key: str, *values: Any) -> list[dict]:
        candidates = self._base.related.get(key)
        if candidates is None:
            return super().where(key, *values)
        wanted = set(values)
        ids = {id for value in wanted for id in candidates(value)}
        out = []
        for id in sorted(ids | set(self._records)):  # a kept record may have had the key changed
            record = self._row(id) if id in self._base.ids else self._records.get(id)
            if record is not None and record.get(key) in wanted:
                out.append(record)
        return out

    def changed_at(self, id: int) -> datetime | None:
        changed = super().changed_at(id)
        if changed is None and (record := self._row(id)) is not None:
            changed = parse_iso(str(record.get("modifiedOn") or ""))
        return changed

    def encoded(self, seq: int, record: dict, shape: Callable[[dict], Any] | None) -> bytes:
        if record["id"] in self._seq:
            return super().encoded(seq, record, shape)
        return json_bytes(shape(record) if shape else record)  # a base row: made again next time, not kept

    async def export_rows(self, seq: int, shape: Callable[[dict], Any] | None, limit: int) -> list[tuple[int, bytes]]:
        """The base rows the overlay does not hold are taken from the state's export workers when they are up (made
        ahead in other processes, the same bytes): the first ``limit`` asked of them and waited for here, the one
        after only if they have it at hand."""
        workers, position = self._state.export_workers, max(0, seq - self._first_seq)
        sent = None if workers is None else workers.portable(shape)
        if sent is not None and position < len(self._base.ids):
            await workers.made(self.name, sent, position, limit, len(self._base.ids))
        return list(islice(self._encoded_after(seq, shape, sent, limit), limit + 1))

    def _encoded_after(self, seq: int, shape: Callable[[dict], Any] | None, sent: bytes | None,
                       limit: int) -> Iterator[tuple[int, bytes]]:
        """As ``changed_after`` then ``encoded`` give them, with the workers' rows (made with ``sent``, the shape as
        they are sent it) where they have them."""
        ids, first, workers = self._base.ids, self._first_seq, self._state.export_workers
        position, given = max(0, seq - first), 0
        while position < len(ids):
            # made here when no chunk comes: no worker up, a shape they cannot be sent, a chunk one failed, the row
            # after the page (whether there are more) in a chunk nobody asked for
            chunk = None if sent is None else workers.rows(self.name, sent, position, len(ids), ask=given < limit)
            start, rows = chunk if chunk is not None else (position, None)
            end = position + 1 if rows is None else start + len(rows)
            for at in range(position, end):
                stands, kept = self._base_standing(ids[at])
                if not stands:
                    continue
                if rows is None or kept is not None:
                    record = kept or self._sent(ids[at])
                    row = None if record is None else self.encoded(first + at + 1, record, shape)
                else:
                    row = rows[at - start]
                if row is not None:
                    given += 1
                    yield first + at + 1, row
            position = end
        for s, record in super().changed_after(seq):
            yield s, self.encoded(s, record, shape)

    def _row(self, id: int) -> dict | None:
        """The base record as it stands (kept, or made again whole), None when deleted or unused."""
        if id in self._gone:
            return None
        return self._records.get(id) or self._base.make(id)


World = dict[str, "list[dict] | Generated"]
"""What a world is made of: per collection, its records, or how to make them (``Generated``)."""


@dataclass
class Faults:
    """Fault switches, all off by default. Rates are fractions of API requests (0..1)."""

    latency_ms: int = 0
    error_rate: float = 0.0      # answered 500/502/503
    drop_rate: float = 0.0       # response started, connection dropped before the body ends
    malformed_rate: float = 0.0  # 200 with a truncated JSON body
    fail_next: list[int] = field(default_factory=list)  # exact statuses for the next N API requests

    def update(self, changes: dict[str, Any]) -> None:
        """Apply switches from a JSON object; unknown names or bad values raise ValueError."""
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown fault switch {name!r}")
            if name == "fail_next":
                if not isinstance(value, list) or not all(isinstance(v, int) and 400 <= v <= 599 for v in value):
                    raise ValueError("fail_next must be a list of HTTP error statuses")
                value = list(value)
            elif name == "latency_ms":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError("latency_ms must be a non-negative integer")
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"{name} must be a number between 0 and 1")
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: copy.copy(getattr(self, f.name)) for f in fields(self)}


class SandboxState(SandboxClock):
    """Everything the sandbox knows. Handlers reach it as `request.app.state.sandbox`.

    `now` freezes the clock at that instant (tests); otherwise the wall clock is used. `advance()` moves
    a frozen clock. `reset()` returns data, clock, switches and settings to how they were after `load()`.
    """

    def __init__(
        self,
        *,
        tenant: int = TENANT,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        app_key: str = APP_KEY,
        token_lifetime: int = 900,
        rate_limit: float | None = 60.0,
        export_page_size: int = 1000,
        recent_changes_delay: float = 0.0,
        now: datetime | None = None,
        seed: int = 1,
    ) -> None:
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.app_key = app_key
        self.token_lifetime = token_lifetime
        self.rate_limit = rate_limit
        self.export_page_size = export_page_size
        self.recent_changes_delay = recent_changes_delay
        self.seed = seed
        self.user_id = USER_ID
        self.tokens: dict[str, datetime] = {}  # access token -> expiry (survives reset)
        # processes making the export rows of the world load() was given (app.build_state; survives reset, which
        # makes the same world again)
        self.export_workers: ExportWorkers | None = None
        self.set_clock(now)
        self._initial_data: bytes | None = None
        self._again: Callable[[], World] | None = None
        self._restore_point(None)
        self._settings = self._snapshot_settings()

    # ---------------------------------------------------------------------------------------------- ids

    def next_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def reserve_id(self, id: int) -> None:
        """Keep generated ids clear of ids that arrived with the data."""
        if isinstance(id, int) and id > self._last_id:
            self._last_id = id

    def next_seq(self) -> int:
        self._last_seq += 1
        return self._last_seq

    # ------------------------------------------------------------------------------------ collections

    def __getitem__(self, name: str) -> Collection:
        collection = self.collections.get(name)
        if collection is None:  # a route family may keep rows the shared list does not name yet
            collection = self.collections[name] = Collection(name, self)
        return collection

    def load(self, data: World, *, again: Callable[[], World] | None = None) -> None:
        """Replace all records with `data` (kept as the reset point). Rows enter each collection in
        modifiedOn order so the export feeds see history in the order it happened; a generated collection's in
        id order. `again`, when given, makes the
        same data anew (a seeded generator): reset() calls it instead of keeping a copy."""
        # A pickled snapshot is the reset point: an order of magnitude faster than deepcopy at 200k jobs. Data that
        # can be made again needs none: the snapshot of a million-job world took a minute and held 1.6 GB.
        self._again = again
        self._initial_data = None if again else pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        self._restore_point(data)  # the caller hands the records over; reset() makes or unpickles a fresh copy

    def reset(self) -> None:
        """Back to the loaded data, initial clock, settings and no faults; issued tokens stay valid."""
        for name, value in self._settings.items():
            setattr(self, name, copy.copy(value))
        for name in [n for n in self.__dict__ if n not in self._core_attributes]:
            del self.__dict__[name]  # anything routes stashed on the state
        if self._again is not None:
            self._restore_point(self._again())
        else:
            self._restore_point(pickle.loads(self._initial_data) if self._initial_data else None)

    def _restore_point(self, data: World | None) -> None:
        self._last_id = 0
        self._last_seq = 0
        self.faults = Faults()
        self.rng = random.Random(self.seed)
        self.collections: dict[str, Collection] = {name: Collection(name, self) for name in COLLECTIONS}
        for name, records in (data or {}).items():
            if isinstance(records, Generated):
                self.collections[name] = GeneratedCollection(name, self, records)
                continue
            for record in sorted(records, key=_modified_key):
                self[name].insert(record)
        self._core_attributes = set(self.__dict__) | {"_core_attributes", "_settings"}

    def _snapshot_settings(self) -> dict[str, Any]:
        names = ("tenant", "client_id", "client_secret", "app_key", "token_lifetime", "rate_limit",
                 "export_page_size", "recent_changes_delay", "user_id", "_frozen")
        return {n: copy.copy(getattr(self, n)) for n in names}

    # ------------------------------------------------------------------------------------ domain rules

    def can_unassign(self, assignment: dict) -> bool:
        """ServiceTitan refuses to unassign a technician who is Working or Done on an appointment."""
        return assignment.get("status") not in ("Working", "Done")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _modified_key(record: dict) -> tuple[datetime, int]:
    return (parse_iso(str(record.get("modifiedOn") or "")) or _EPOCH, record.get("id") or 0)

