"""Outbox: every write the board makes, stored durably first, then sent, replayed in order, never lost.

Life of a command (``jpm_tui.provider.domain`` command dataclasses)::

    enqueue(cmd)  -> row 'pending' (command JSON + the target record's cached modifiedOn as ``base``)
    replay()      -> per row, oldest first:
                       'sending' (committed before the request leaves)
                       conflict check: fetch the record; modifiedOn moved past base -> 'conflict' (held)
                       provider.execute(cmd):
                         done                      -> 'done' + the answer; affected records re-read into
                                                      the cache; later rows on the same record re-based
                         retry (offline, 429, 5xx) -> back to 'pending' with the error; replay stops
                         auth                      -> back to 'pending'; replay stops
                         rejected/not found/409    -> 'failed' with the server's title + field errors
    confirm(id)   -> a 'conflict' row is sent anyway (its base becomes the server's current modifiedOn)
    retry(id)     -> a 'failed' row goes back to 'pending'
    drop(id)      -> the row is deleted (the user's explicit decision)

A row left in 'sending' by a crash is treated as pending; the conflict check then catches a write that did
reach the server (its modifiedOn moved), so nothing is ever applied twice blindly.

Order: rows are sent in id order; a record with a row held in 'conflict' gets none of its later rows sent
until that one is confirmed or dropped. ``replay()`` stops at the first transport/5xx/auth failure.

While a row is not done, the board shows it: ``pending_for(kind, id)`` (entries, with ``description``),
``pending_ids(kind)`` (ids with something queued, for a marker in lists) and ``overlay(kind, id)`` (the
domain fields the queued commands will change and their expected values).

The answer of the last attempt (``CommandResult.to_dict()``, or the conflict details) is kept as JSON: a done
row's in the ``outbox.result`` column, any other's (retry, failure, conflict) in ``outbox.error``, which is
cleared when the row is done. ``OutboxEntry.answer`` reads whichever applies. Database calls run on the
caller's thread (the store gives each thread its own connection); they are single-row statements.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jpm_tui.provider import domain as d
from jpm_tui.provider.base import CommandResult, Outcome, Provider

__all__ = [
    "KIND_TABLES",
    "Outbox",
    "OutboxEntry",
    "OutboxError",
    "OutboxState",
    "ReplayReport",
    "describe",
    "row_from_record",
]

log = logging.getLogger(__name__)

KIND_TABLES: dict[str, str] = {
    "job": "jobs",
    "appointment": "appointments",
    "project": "projects",
    "technician": "technicians",
    "customer": "customers",
    "location": "locations",
}
"""Record kind (``CommandResult.refresh``, ``Command.target``) -> cache table."""

# Feeds worth an incremental sync after a command of this kind is done (what the record re-read misses).
_FOLLOW_UP_FEEDS: dict[str, tuple[str, ...]] = {
    "cancel_job": ("appointments", "job_canceled_logs", "job_history"),
    "remove_cancellation": ("appointments", "job_canceled_logs", "job_history"),
    "assign_technicians": ("appointment_assignments",),
    "unassign_technicians": ("appointment_assignments",),
    "add_job_note": ("job_notes",),
    "add_project_note": ("project_notes",),
    "create_appointment": ("appointments", "appointment_assignments"),
    "delete_appointment": ("appointments", "appointment_assignments"),
    "attach_job_to_project": ("projects",),
    "detach_job_from_project": ("projects",),
    "hold_appointment": ("jobs",),
    "remove_appointment_hold": ("jobs",),
    "reschedule_appointment": ("jobs", "job_history"),
}


class OutboxError(LookupError):
    """No such outbox row, or the row is not in a state that allows the request."""


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"
    CONFLICT = "conflict"


OPEN_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.CONFLICT, OutboxState.FAILED)
"""States the board shows as 'not applied yet' (failed rows stay visible until dropped or retried)."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    created_at: datetime | None
    updated_at: datetime | None
    kind: str
    payload: dict[str, Any]
    state: str
    target_kind: str | None
    target_id: int | None
    base_modified_on: str | None
    answer: dict[str, Any]
    attempts: int

    @property
    def command(self) -> d.Command | None:
        try:
            return d.command_from_dict(self.payload)
        except (ValueError, TypeError):
            return None

    @property
    def description(self) -> str:
        command = self.command
        return describe(command) if command is not None else f"{self.kind} (unreadable: {self.payload!r})"

    @property
    def message(self) -> str:
        return str(self.answer.get("message") or "")

    @property
    def field_errors(self) -> dict[str, list[str]]:
        errors = self.answer.get("field_errors")
        return dict(errors) if isinstance(errors, Mapping) else {}

    @property
    def error_text(self) -> str:
        """The message plus field errors, one line (empty for a done row)."""
        if self.state == OutboxState.DONE:
            return ""
        fields = [f"{name}: {msg}" for name, msgs in self.field_errors.items() for msg in msgs]
        message = self.message.rstrip(".") if fields else self.message  # a title's "." before "; " reads as ".;"
        return "; ".join([message, *fields] if message else fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": d.format_datetime(self.created_at),
            "updated_at": d.format_datetime(self.updated_at),
            "kind": self.kind,
            "description": self.description,
            "state": self.state,
            "target": {"kind": self.target_kind, "id": self.target_id},
            "base_modified_on": self.base_modified_on,
            "attempts": self.attempts,
            "message": self.message,
            "field_errors": self.field_errors,
            "answer": self.answer,
            "result": self.answer if self.state == OutboxState.DONE else None,
            "error": self.answer if self.state != OutboxState.DONE and self.answer else None,
            "command": self.payload,
        }


@dataclass(slots=True)
class ReplayReport:
    done: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    """Pending rows not sent because an earlier row on the same record is held in conflict."""
    stopped: str | None = None
    """Why replay stopped early (offline, 5xx, auth): the message; None when it went through."""
    remaining: int = 0
    """Rows still pending after this replay."""

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.failed and not self.conflicts

    def to_dict(self) -> dict[str, Any]:
        return {"done": self.done, "failed": self.failed, "conflicts": self.conflicts, "held": self.held,
                "stopped": self.stopped, "remaining": self.remaining}


# ============================================================================================ words


def _when(value: datetime | None) -> str:
    if value is None:
        return "?"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _quote(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


Names = Callable[[str, int], "str | None"]
"""(kind, id) -> the name a dispatcher knows it by, or None; kinds: job, appointment, project, technician,
cancel_reason, hold_reason, job_type, business_unit."""


def _no_names(_kind: str, _id: int) -> None:
    return None


def describe(command: d.Command, names: Names = _no_names) -> str:
    """The command in words, for lists and confirmations: ``cancel job 123 (reason 4)``, or with ``names``
    ``cancel job J-1001 (Customer changed mind)``."""
    c: Any = command

    def name(kind: str, item_id: int | None) -> str:
        known = names(kind, item_id) if item_id is not None else None
        return known or f"{kind.replace('_', ' ')} {item_id}"

    def reason(kind: str, item_id: int) -> str:
        known = names(kind, item_id)
        return f"({known})" if known else f"(reason {item_id})"

    def techs(ids: Sequence[int]) -> str:
        return ", ".join(name("technician", i) for i in ids)

    memo = f": {_quote(c.memo)}" if getattr(c, "memo", "") else ""
    match command.kind:
        case "cancel_job":
            return f"cancel {name('job', c.job_id)} {reason('cancel_reason', c.reason_id)}{memo}"
        case "remove_cancellation":
            return f"remove the cancellation of {name('job', c.job_id)}"
        case "hold_appointment":
            return f"put {name('appointment', c.appointment_id)} on hold {reason('hold_reason', c.reason_id)}{memo}"
        case "remove_appointment_hold":
            return f"remove the hold on {name('appointment', c.appointment_id)}"
        case "confirm_appointment":
            return f"confirm {name('appointment', c.appointment_id)}"
        case "unconfirm_appointment":
            return f"unconfirm {name('appointment', c.appointment_id)}"
        case "reschedule_appointment":
            return f"reschedule {name('appointment', c.appointment_id)} to {_when(c.start)} – {_when(c.end)}"
        case "assign_technicians":
            return f"assign {techs(c.technician_ids)} to {name('appointment', c.appointment_id)}"
        case "unassign_technicians":
            return f"unassign {techs(c.technician_ids)} from {name('appointment', c.appointment_id)}"
        case "add_job_note":
            return f"add a note to {name('job', c.job_id)}: {_quote(c.text)}" + (" (pinned)" if c.pin_to_top else "")
        case "add_project_note":
            return (f"add a note to {name('project', c.project_id)}: {_quote(c.text)}"
                    + (" (pinned)" if c.pin_to_top else ""))
        case "set_special_instructions":
            return f"set the special instructions of {name('appointment', c.appointment_id)}: {_quote(c.text)}"
        case "edit_job":
            changes = ", ".join(_change(k, v, name) for k, v in sorted(c.changes.items())) or "nothing"
            return f"edit {name('job', c.job_id)}: {changes}"
        case "attach_job_to_project":
            return f"attach {name('job', c.job_id)} to {name('project', c.project_id)}"
        case "detach_job_from_project":
            return f"detach {name('job', c.job_id)} from its project"
        case "create_appointment":
            extra = f" with {techs(c.technician_ids)}" if c.technician_ids else ""
            return f"create an appointment for {name('job', c.job_id)} at {_when(c.start)} – {_when(c.end)}{extra}"
        case "delete_appointment":
            return f"delete {name('appointment', c.appointment_id)}"
    return f"{command.kind} {command.target} {command.target_id}"


def _change(key: str, value: Any, name: Callable[[str, int | None], str]) -> str:
    if key in ("job_type_id", "business_unit_id") and value is not None:
        return f"{key.removesuffix('_id').replace('_', ' ')} = {name(key.removesuffix('_id'), value)}"
    if key == "summary":
        return f"summary = {_quote(value)}"
    return f"{key.replace('_', ' ')} = {value}"


def _expected_changes(command: d.Command) -> dict[str, Any]:
    """Domain fields of the target record the command is expected to change, with their new values."""
    c: Any = command
    match command.kind:
        case "cancel_job":
            return {"status": d.JobStatus.CANCELED.value}
        case "hold_appointment":
            return {"status": d.AppointmentStatus.HOLD.value}
        case "confirm_appointment":
            return {"confirmed": True}
        case "unconfirm_appointment":
            return {"confirmed": False}
        case "reschedule_appointment":
            out = {"start": c.start, "end": c.end}
            if c.arrival_window_start is not None:
                out["arrival_window_start"] = c.arrival_window_start
            if c.arrival_window_end is not None:
                out["arrival_window_end"] = c.arrival_window_end
            return out
        case "set_special_instructions":
            return {"special_instructions": c.text}
        case "edit_job":
            return dict(c.changes)
        case "attach_job_to_project":
            return {"project_id": c.project_id}
        case "detach_job_from_project":
            return {"project_id": None}
        case "delete_appointment":
            return {"active": False}
        case "assign_technicians":
            return {"technician_ids_added": list(c.technician_ids)}
        case "unassign_technicians":
            return {"technician_ids_removed": list(c.technician_ids)}
        case "add_job_note" | "add_project_note":
            return {"notes_added": [c.text]}
        case "create_appointment":
            return {"appointments_added": [{"start": c.start, "end": c.end}]}
    return {}


# ====================================================================================== conversions


def _now() -> datetime:
    return datetime.now(UTC)


def _dt_text(value: datetime | None) -> str | None:
    return d.format_datetime(value)


def _later(server: Any, base: str | None) -> bool:
    """True when the server's modifiedOn is past ``base`` (both ISO text or datetimes)."""
    if base is None:
        return False
    s, b = d.parse_datetime(server), d.parse_datetime(base)
    if s is None or b is None:
        return s is not None and b is None
    return s > b


def row_from_record(table: str, record: Mapping[str, Any]) -> Any:
    """A domain row for ``table`` from ``Provider.fetch_record``'s dict (domain field names; datetimes as
    ISO text, enums as text, tuples as lists)."""
    from jpm_tui.cache.store import TABLES, row_fields

    spec = TABLES[table]
    kwargs: dict[str, Any] = {}
    for f in row_fields(spec.row_type):
        if f.name not in record:
            continue
        value = record[f.name]
        kind = str(f.type)
        if f.name in spec.enums and value is not None:
            value = spec.enums[f.name](value)
        elif "datetime" in kind and not isinstance(value, datetime):
            value = d.parse_datetime(value)
        elif kind.startswith("tuple") and isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return spec.row_type(**kwargs)


# ============================================================================================ outbox


class Outbox:
    """``Outbox(store, provider)``. ``provider`` may be None for a board that is offline from the start
    (enqueue and the views work; ``replay`` needs one). ``sync_engine`` (optional): after commands are done,
    an incremental sync of the feeds they touch (assignments, notes, ...) runs through it."""

    def __init__(self, store: Any, provider: Provider | None = None, *, sync_engine: Any = None) -> None:
        self.store = store
        self.provider = provider
        self.sync_engine = sync_engine
        self._replaying: asyncio.Lock | None = None

    # --------------------------------------------------------------------------------- reading

    _COLUMNS = ("id, created_at, updated_at, kind, payload, state, target_kind, target_id, base_modified_on, "
                "error, attempts, result")

    @staticmethod
    def _entry(row: Sequence[Any]) -> OutboxEntry:
        try:
            payload = json.loads(row[4]) if row[4] else {}
        except ValueError:
            payload = {"kind": row[3], "unreadable": row[4]}
        # a done row's answer is its result; any other row's, its last error
        text = row[11] if row[5] == OutboxState.DONE and row[11] is not None else row[9]
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = {"message": str(text)}
        if not isinstance(answer, dict):
            answer = {"message": str(answer)}
        return OutboxEntry(
            id=int(row[0]), created_at=d.parse_datetime(row[1]), updated_at=d.parse_datetime(row[2]),
            kind=row[3], payload=payload, state=row[5], target_kind=row[6], target_id=row[7],
            base_modified_on=row[8], answer=answer, attempts=int(row[10] or 0),
        )

    def entries(self, states: Iterable[str] | None = None, *, limit: int | None = None) -> list[OutboxEntry]:
        """Rows in id order (oldest first), optionally only some states."""
        sql = f"SELECT {self._COLUMNS} FROM outbox"
        args: list[Any] = []
        if states is not None:
            states = [str(s) for s in states]
            sql += f" WHERE state IN ({', '.join('?' for _ in states)})"
            args.extend(states)
        sql += " ORDER BY id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [self._entry(r) for r in self.store.conn.execute(sql, args)]

    def get(self, entry_id: int) -> OutboxEntry:
        row = self.store.conn.execute(f"SELECT {self._COLUMNS} FROM outbox WHERE id = ?", (int(entry_id),)).fetchone()
        if row is None:
            raise OutboxError(f"no outbox entry {entry_id}")
        return self._entry(row)

    def describe(self, entry: OutboxEntry) -> str:
        """The entry in words with the names the cache knows ("cancel job 41002 (Duplicate job)")."""
        command = entry.command
        return describe(command, self.store.name_of) if command is not None else entry.description

    def counts(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.store.conn.execute("SELECT state, count(*) FROM outbox GROUP BY state")}

    def pending_for(self, target_kind: str, target_id: int) -> list[OutboxEntry]:
        """What is queued (pending, sending, conflict, failed) against one record, oldest first."""
        rows = self.store.conn.execute(
            f"SELECT {self._COLUMNS} FROM outbox WHERE target_kind = ? AND target_id = ? AND state IN "
            f"({', '.join('?' for _ in OPEN_STATES)}) ORDER BY id",
            (target_kind, int(target_id), *[s.value for s in OPEN_STATES]),
        )
        return [self._entry(r) for r in rows]

    def pending_ids(self, target_kind: str) -> dict[int, str]:
        """Record id -> the most urgent state of its open rows (conflict > failed > sending > pending), for
        a marker in the job list."""
        rank = {"conflict": 0, "failed": 1, "sending": 2, "pending": 3}
        out: dict[int, str] = {}
        for rid, state in self.store.conn.execute(
            f"SELECT target_id, state FROM outbox WHERE target_kind = ? AND target_id IS NOT NULL AND state IN "
            f"({', '.join('?' for _ in OPEN_STATES)})",
            (target_kind, *[s.value for s in OPEN_STATES]),
        ):
            if rid not in out or rank.get(state, 9) < rank.get(out[rid], 9):
                out[int(rid)] = state
        return out

    def overlay(self, target_kind: str, target_id: int) -> dict[str, Any]:
        """The record's domain fields as the queued (not failed) commands will leave them: field -> value,
        later commands winning; list-valued keys (``notes_added``, ``technician_ids_added``, ...) accumulate.
        Empty when nothing is queued."""
        out: dict[str, Any] = {}
        for entry in self.pending_for(target_kind, target_id):
            if entry.state == OutboxState.FAILED:
                continue
            command = entry.command
            if command is None:
                continue
            for key, value in _expected_changes(command).items():
                if isinstance(value, list) and isinstance(out.get(key), list):
                    out[key] = out[key] + value
                else:
                    out[key] = value
        return out

    # --------------------------------------------------------------------------------- writing

    def _base_for(self, command: d.Command) -> str | None:
        table = KIND_TABLES.get(command.target)
        target_id = command.target_id
        if table is None or target_id is None:
            return None
        row = self.store.conn.execute(f"SELECT modified_on FROM {table} WHERE id = ?", (int(target_id),)).fetchone()
        if row is None or not row[0]:
            return None
        return str(row[0])

    def enqueue(self, command: d.Command) -> OutboxEntry:
        """Store ``command`` durably as 'pending' (committed when this returns). No network."""
        if not isinstance(command, d.Command) or not command.kind:
            raise TypeError(f"not a command: {command!r}")
        payload = json.dumps(command.to_dict(), separators=(",", ":"), ensure_ascii=False)
        now = _dt_text(_now())
        with self.store.transaction() as conn:
            base = self._base_for(command)
            cur = conn.execute(
                "INSERT INTO outbox (created_at, updated_at, kind, payload, state, target_kind, target_id, "
                "base_modified_on, attempts) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, 0)",
                (now, now, command.kind, payload, command.target or None, command.target_id, base),
            )
            entry_id = int(cur.lastrowid)
        return self.get(entry_id)

    def _set(self, entry_id: int, state: str, *, answer: Mapping[str, Any] | None = None,
             base: Any = ..., attempt: bool = False) -> None:
        """``answer``: kept as the row's ``result`` when ``state`` is done (its earlier ``error`` is cleared),
        as its ``error`` otherwise. ``base``: a new base_modified_on (str or None); ``...`` leaves it alone."""
        sets = ["state = ?", "updated_at = ?"]
        args: list[Any] = [str(state), _dt_text(_now())]
        if answer is not None:
            text = json.dumps(answer, separators=(",", ":"), ensure_ascii=False, default=str)
            if state == OutboxState.DONE:
                sets += ["result = ?", "error = NULL"]
            else:
                sets.append("error = ?")
            args.append(text)
        if base is not ...:
            sets.append("base_modified_on = ?")
            args.append(base)
        if attempt:
            sets.append("attempts = attempts + 1")
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE outbox SET {', '.join(sets)} WHERE id = ?", (*args, int(entry_id)))

    def drop(self, entry_id: int) -> OutboxEntry:
        """Delete a row that is not done (the user decided); returns it as it was. A row being sent cannot
        be dropped."""
        entry = self.get(entry_id)
        if entry.state == OutboxState.SENDING:
            raise OutboxError(f"outbox entry {entry_id} is being sent; wait for it to finish")
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM outbox WHERE id = ?", (int(entry_id),))
        return entry

    def retry(self, entry_id: int) -> OutboxEntry:
        """A failed row goes back to 'pending' (it will be conflict-checked again). Pending rows stay."""
        entry = self.get(entry_id)
        if entry.state == OutboxState.FAILED:
            self._set(entry.id, OutboxState.PENDING)
        elif entry.state == OutboxState.DONE:
            raise OutboxError(f"outbox entry {entry_id} is already done")
        elif entry.state == OutboxState.CONFLICT:
            raise OutboxError(f"outbox entry {entry_id} is a conflict: confirm it (send anyway) or drop it")
        return self.get(entry.id)

    def clear_done(self) -> int:
        """Delete done rows (housekeeping); returns how many."""
        with self.store.transaction() as conn:
            return conn.execute("DELETE FROM outbox WHERE state = 'done'").rowcount

    # ------------------------------------------------------------------------------------ sending

    async def submit(self, command: d.Command) -> OutboxEntry:
        """Enqueue, then replay (sends it now when online and nothing is queued ahead of it on the record).
        Returns the row as it ended up (done, pending, conflict or failed)."""
        entry = await self._db(self.enqueue, command)
        if self.provider is not None:
            await self.replay()
        return await self._db(self.get, entry.id)

    async def confirm(self, entry_id: int) -> OutboxEntry:
        """Send a conflict row anyway: its base becomes the server's modifiedOn seen at the conflict check
        (so a further change made after that is caught again), then replay."""
        entry = await self._db(self.get, entry_id)
        if entry.state != OutboxState.CONFLICT:
            raise OutboxError(f"outbox entry {entry_id} is {entry.state}, not a conflict")
        server = entry.answer.get("server_modified_on")
        await self._db(self._set, entry.id, OutboxState.PENDING, base=str(server) if server else None)
        if self.provider is not None:
            await self.replay()
        return await self._db(self.get, entry.id)

    def _open_rows(self) -> list[OutboxEntry]:
        return self.entries([OutboxState.PENDING, OutboxState.SENDING])

    async def replay(self) -> ReplayReport:
        """Send every pending row in order (see the module docstring). Stops at the first failure that
        retrying later may fix (offline, 429, 5xx, auth)."""
        if self.provider is None:
            raise OutboxError("no provider: the outbox cannot send")
        if self._replaying is None:
            self._replaying = asyncio.Lock()
        async with self._replaying:  # one replay at a time: a row is never sent twice concurrently
            return await self._replay()

    async def _replay(self) -> ReplayReport:
        report = ReplayReport()
        held: set[tuple[str | None, int | None]] = {
            (e.target_kind, e.target_id) for e in await self._db(self.entries, [OutboxState.CONFLICT])
        }
        follow_up: set[str] = set()
        for listed in await self._db(self._open_rows):
            try:
                # fresh: an earlier row may have moved its base, or it was dropped
                entry = await self._db(self.get, listed.id)
            except OutboxError:
                continue
            if entry.state not in (OutboxState.PENDING, OutboxState.SENDING):
                continue
            target = (entry.target_kind, entry.target_id)
            if entry.target_id is not None and target in held:
                report.held.append(entry.id)
                continue
            command = entry.command
            if command is None:
                await self._db(self._set, entry.id, OutboxState.FAILED, answer={
                    "outcome": "rejected", "message": f"this version of jpm-tui cannot read a {entry.kind!r} command"})
                report.failed.append(entry.id)
                continue
            stopped = await self._send_one(entry, command, report, held, follow_up)
            if stopped:
                break
        report.remaining = len(await self._db(self._open_rows))
        if follow_up and self.sync_engine is not None and not getattr(self.sync_engine, "running", False):
            try:
                names = [n for n in self.sync_engine.feed_names() if n in follow_up]
                if names:
                    await self.sync_engine.run(names)
            except Exception:  # noqa: BLE001 - the next regular sync catches up
                log.warning("follow-up sync after outbox replay failed", exc_info=True)
        return report

    async def _send_one(self, entry: OutboxEntry, command: d.Command, report: ReplayReport,
                        held: set[tuple[str | None, int | None]], follow_up: set[str]) -> bool:
        """Returns True when replay must stop."""
        assert self.provider is not None
        await self._db(self._set, entry.id, OutboxState.SENDING, attempt=True)
        # 1. conflict check against the server's current copy
        server_modified: str | None = None
        if entry.target_kind in KIND_TABLES and entry.target_id is not None:
            try:
                current = await self.provider.fetch_record(entry.target_kind, entry.target_id)
            except Exception as exc:  # noqa: BLE001 - offline, 5xx, auth: try again later
                result = _result_from_exception(exc)
                await self._db(self._set, entry.id, OutboxState.PENDING, answer=result.to_dict())
                report.stopped = result.message
                return True
            if current is None and command.kind != "delete_appointment":
                await self._db(self._set, entry.id, OutboxState.FAILED, answer={
                    "outcome": Outcome.NOT_FOUND.value,
                    "message": f"{entry.target_kind} {entry.target_id} no longer exists on the server"})
                report.failed.append(entry.id)
                return False
            if current is not None:
                server_modified = _dt_text(d.parse_datetime(current.get("modified_on")))
                if _later(current.get("modified_on"), entry.base_modified_on):
                    await self._db(self._set, entry.id, OutboxState.CONFLICT, answer={
                        "outcome": Outcome.CONFLICT.value,
                        # by the number the dispatcher knows (job 41004), not the internal id
                        "message": (f"{entry.target_kind} {current.get('number') or entry.target_id} changed on the "
                                    f"server since this was queued; confirm to send it anyway, or drop it"),
                        "base_modified_on": entry.base_modified_on,
                        "server_modified_on": server_modified,
                    })
                    await self._db(self._store_record, entry.target_kind, current)
                    report.conflicts.append(entry.id)
                    held.add((entry.target_kind, entry.target_id))
                    return False
        # 2. send
        try:
            result = await self.provider.execute(command)
        except Exception as exc:  # noqa: BLE001 - providers should not raise, but never lose the row
            result = _result_from_exception(exc)
        if result.outcome is Outcome.DONE:
            await self._db(self._set, entry.id, OutboxState.DONE, answer=result.to_dict())
            report.done.append(entry.id)
            follow_up.update(_FOLLOW_UP_FEEDS.get(command.kind, ()))
            await self._refresh(entry, command, result, server_modified)
            return False
        if not result.outcome.final:  # RETRY / AUTH: keep it queued, stop
            await self._db(self._set, entry.id, OutboxState.PENDING, answer=result.to_dict())
            report.stopped = result.message or result.outcome.value
            return True
        await self._db(self._set, entry.id, OutboxState.FAILED, answer=result.to_dict())
        report.failed.append(entry.id)
        return False

    async def _refresh(self, entry: OutboxEntry, command: d.Command, result: CommandResult,
                       server_before: str | None) -> None:
        """Re-read the records the command changed into the cache, and move the base of later rows on
        the same record past this (our own) change so they are not mistaken for conflicts."""
        assert self.provider is not None
        targets = list(result.refresh)
        if entry.target_kind and entry.target_id is not None and (entry.target_kind, entry.target_id) not in targets:
            targets.insert(0, (entry.target_kind, entry.target_id))
        for kind, rid in targets:
            if kind not in KIND_TABLES:
                continue
            try:
                record = await self.provider.fetch_record(kind, rid)
            except Exception:  # noqa: BLE001 - the next sync refreshes it
                log.info("could not re-read %s %s after %s", kind, rid, command.kind, exc_info=True)
                continue
            if record is None:
                continue
            await self._db(self._store_record, kind, record)
            if (kind, rid) == (entry.target_kind, entry.target_id):
                new_base = _dt_text(d.parse_datetime(record.get("modified_on")))
                old = {entry.base_modified_on, server_before} - {None}
                if new_base and old:
                    await self._db(self._rebase, kind, rid, entry.id, new_base, old)

    def _rebase(self, kind: str, record_id: int, after_id: int, new_base: str, old: set[str]) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                f"UPDATE outbox SET base_modified_on = ? WHERE target_kind = ? AND target_id = ? "
                f"AND id > ? AND state IN ('pending', 'sending') "
                f"AND base_modified_on IN ({', '.join('?' for _ in old)})",
                (new_base, kind, record_id, after_id, *sorted(old)),
            )

    @staticmethod
    async def _db(fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run one of the outbox's SQL calls on a worker thread: replay runs on the board's event loop (the
        UI thread), and a write there would wait out a sync's commit with the screen frozen."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def _store_record(self, kind: str | None, record: Mapping[str, Any]) -> None:
        table = KIND_TABLES.get(kind or "")
        if table is None:
            return
        try:
            row = row_from_record(table, record)
            self.store.upsert(table, [row])
        except Exception:  # noqa: BLE001 - a cache refresh is best effort; the next sync repairs it
            log.warning("could not store refreshed %s %s", kind, record.get("id"), exc_info=True)


def _result_from_exception(exc: BaseException) -> CommandResult:
    """A provider call that raised (fetch_record does for transport errors) as an outcome."""
    name = type(exc).__name__
    status = getattr(exc, "status", None)
    message = str(getattr(exc, "title", None) or exc) or name
    if name == "AuthError" or status in (401, 403):
        outcome = Outcome.AUTH
    elif name == "TransportError" or status is None or status == 429 or (isinstance(status, int) and status >= 500):
        outcome = Outcome.RETRY
    else:
        outcome = Outcome.REJECTED
    return CommandResult(outcome, message=message.splitlines()[0] if message else name,
                         detail={"error": name, **({"status": status} if status is not None else {})})
