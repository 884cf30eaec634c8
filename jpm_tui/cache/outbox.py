"""Outbox: every write the board makes, stored durably first, then sent once, in order, never lost.

Life of a command (``jpm_tui.provider.domain`` command dataclasses)::

    enqueue(cmd)  -> row 'pending' (command JSON + the target record's cached modifiedOn as ``base``)
    replay()      -> per row, oldest first:
                       claim it: 'pending' -> 'sending' by this outbox (compare-and-set, see Claims)
                       an earlier attempt may have reached the server (``sent_at`` set): ask the provider
                         whether the command is already there (``Provider.find_applied``: a note with its text,
                         an appointment at its times); found -> 'done', not sent again
                       conflict check: fetch the record; modifiedOn moved past base -> 'conflict' (held)
                       note ``sent_at``, then provider.execute(cmd):
                         done                      -> affected records re-read into the cache, then 'done' + the
                                                      answer and later rows on the same record re-based, in one
                                                      transaction
                         retry (offline, 429, 5xx) -> back to 'pending' with the error; replay stops
                         auth                      -> back to 'pending'; replay stops
                         rejected/not found/409    -> 'failed' with the server's title + field errors
    confirm(id)   -> a 'conflict' row is sent anyway (its base becomes the server's current modifiedOn)
    retry(id)     -> a 'failed' row goes back to 'pending'
    replace(id, cmd) -> a 'failed' row is deleted and cmd queued 'pending' in its place, in one transaction (the
                     dispatcher corrected the refused write)
    drop(id)      -> the row is deleted (the user's explicit decision)

Claims. Several processes may replay one cache at once (the board in two SSH sessions, ``jpm-tui outbox retry``
beside it); each row is sent by one of them:

* A row is claimed by one UPDATE, its own transaction, that compares and sets: 'pending' (or a stale claim, as
  seen) -> 'sending', ``claimed_by`` = this outbox's claimant (``host|pid|token``: the host with its pid
  namespace, a random token per Outbox), ``lease_until`` = now + ``LEASE``. It only matches while no earlier row
  on the same record is pending, sending or held in conflict, so a record's rows go out in id order. It changed
  no row: another process has it, or the record's earlier row is still out.
  On a team's PostgreSQL cache the claim's transaction first reads the row ``FOR UPDATE SKIP LOCKED``: a row
  another sender is claiming at that moment is left to it at once (cache/outbox_sql.py words each statement for
  the store).
* The sender's every later write (sent, done, failed, back to pending) compares ``claimed_by`` too, and clears
  the claim; while the send is in flight it renews the lease every ``LEASE``/4.
* A row held by a live claimant is left alone (``ReplayReport.busy``, with the rows queued behind it on its
  record); unrelated rows are still sent. ``confirm``, ``retry`` and ``drop`` are compare-and-sets on the state
  seen too, and a row a live claimant is sending cannot be dropped.
* A claim is stale when its lease has run out, or its claimant is on this host and its pid is gone
  (``os.kill(pid, 0)``: a crash here is recovered at once, not after the lease), or it has none (a 'sending' row
  of an older version). A stale row is claimed as above and goes through the checks: with ``sent_at`` set, a
  create is looked for first (found: 'done', not made again), an update meets the modifiedOn check, which holds
  it as a conflict if the lost request changed the record.
* ``sent_at`` is noted (a compare-and-set on the claim: a sender that lost it never sends) just before the
  request leaves; kept across answers that leave it unknown whether the server applied it (transport errors,
  429, 5xx) and cleared by those that say it did not (rejected, not found, 409, auth).

Left open: a sender frozen (SIGSTOP, a suspended laptop) longer than a lease exactly between noting ``sent_at``
and its request leaving can be taken over, and then both requests go out. Anything after its request left is
caught (the taker finds the create, or the modifiedOn conflict).

While a row is not done, the board shows it: ``pending_for(kind, id)`` (entries, with ``description``),
``pending_ids(kind)`` (ids with something queued, for a marker in lists) and ``overlay(kind, id)`` (the
domain fields the queued commands will change and their expected values). A row another process is sending
shows as 'sending'.

The answer of the last attempt (``CommandResult.to_dict()``, or the conflict details) is kept as JSON: a done
row's in the ``outbox.result`` column, any other's (retry, failure, conflict) in ``outbox.error``, which is
cleared when the row is done. ``OutboxEntry.answer`` reads whichever applies. Database calls run on the
caller's thread (the store gives each thread its own connection); they are single-row statements.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import getpass
import json
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from jpm_tui.cache.outbox_marks import OPEN_STATES, OutboxState, PendingMark, pending_ids
from jpm_tui.cache.outbox_sql import OutboxConnection, dialect_of
from jpm_tui.cache.outbox_words import describe
from jpm_tui.provider import domain as d
from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.base import CommandResult, Outcome, Provider, ProviderError
from jpm_tui.provider.workflow import Workflow

if TYPE_CHECKING:
    from jpm_tui.cache.store.interface import Store

__all__ = [
    "CLOCK_SKEW",
    "KIND_TABLES",
    "LEASE",
    "OPEN_STATES",
    "Outbox",
    "OutboxEntry",
    "OutboxError",
    "OutboxState",
    "PendingMark",
    "ReplayReport",
    "author_name",
    "describe",
    "row_from_record",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")

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

LEASE = timedelta(seconds=60)
"""How long a claim holds unless renewed. Its sender renews it every LEASE/4 while the row is in flight: a send
is a conflict read, the request and the re-reads, each with the client's timeouts, retries and 429 waits, which
may add up to minutes, and a lease long enough for all of that would leave a crash on another host unrecovered
as long. A claimant on this host that is gone is seen at once (its pid); the lease is for the others."""

CLOCK_SKEW = timedelta(minutes=1)
"""Slack when looking for what a lost attempt made: the server stamps createdOn with its own clock."""


class OutboxError(LookupError):
    """No such outbox row, or the row is not in a state that allows the request."""


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
    claimed_by: str | None = None
    """The claimant sending it (``host|pid|token``), while 'sending'."""
    sent_at: datetime | None = None
    """When a request for it first left without an answer saying whether it was applied; None: none did."""
    author: str | None = None
    """Who queued it: the dispatcher's name (config ``dispatcher_name``, else the OS user); None for a row queued
    before the outbox kept authors."""

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
            "claimed_by": self.claimed_by,
            "sent_at": d.format_datetime(self.sent_at),
            "author": self.author,
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
    busy: list[int] = field(default_factory=list)
    """Rows left to another process: it is sending them, or an earlier row on their record."""
    stopped: str | None = None
    """Why replay stopped early (offline, 5xx, auth): the message; None when it went through."""
    remaining: int = 0
    """Rows still pending after this replay."""

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.failed and not self.conflicts

    def to_dict(self) -> dict[str, Any]:
        return {"done": self.done, "failed": self.failed, "conflicts": self.conflicts, "held": self.held,
                "busy": self.busy, "stopped": self.stopped, "remaining": self.remaining}


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
            value = spec.enums[f.name].verbatim(value)  # a backend's own words, unfolded ("In Progress")
        elif "datetime" in kind and not isinstance(value, datetime):
            value = d.parse_datetime(value)
        elif kind.startswith("tuple") and isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return spec.row_type(**kwargs)


# ============================================================================================ claims


def _host() -> str:
    """This machine, with its pid namespace where there is one: two containers sharing a cache file may have the
    same host name, and each would take the other's pids for gone."""
    try:
        return f"{socket.gethostname()}#{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        return socket.gethostname()


def author_name(configured: str | None = None) -> str:
    """The name writes are queued under: ``configured`` (config ``dispatcher_name``), else who runs this process,
    by login name."""
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container's numeric user): the uid says who
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _pid_alive(pid: int) -> bool:
    if os.name != "posix":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows: the lease decides there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class _Verdict(enum.Enum):
    """What claiming a row came to."""

    MINE = "mine"
    BUSY = "busy"  # another process is sending it, or an earlier row of its record
    HELD = "held"  # an earlier row of its record is held in conflict
    GONE = "gone"  # done, failed, dropped... since it was listed


# 'pending' (or the stale claim seen) -> 'sending' by us, while no earlier row of the record is still out (pending,
# sending or conflict). Written "NOT IN ('done', 'failed')": with "IN ('pending', 'sending', 'conflict')" SQLite 3.40.1
# searched outbox_target on (target, state, rowid) once the file had statistics (PRAGMA optimize) and answered that
# every row had one, even a record's first: nothing could be claimed.
_CLAIM = (
    "UPDATE outbox SET state = 'sending', claimed_by = ?, lease_until = ?, updated_at = ?, attempts = attempts + 1 "
    "WHERE id = ? AND state = ? AND claimed_by IS ? AND lease_until IS ? AND NOT EXISTS ("
    "SELECT 1 FROM outbox AS earlier WHERE earlier.target_kind = outbox.target_kind "
    "AND earlier.target_id = outbox.target_id AND earlier.id < outbox.id "
    "AND earlier.state NOT IN ('done', 'failed'))"
)


# ============================================================================================ outbox


class Outbox:
    """``Outbox(store, provider)``. ``provider`` may be None for a board that is offline from the start
    (enqueue and the views work; ``replay`` needs one). ``workflow``: the backend's, which says what each queued
    command is expected to change (``overlay``) and which feeds to sync once it is done; default: the
    provider's, else the default backend's (what a profile without ``backend`` has). ``sync_engine``
    (optional): after commands are done, an incremental sync of the feeds they touch (assignments, notes, ...)
    runs through it. ``clock``: now, as an aware datetime (leases, ``sent_at``; tests pin it). ``author``: who
    queues through this outbox (config ``dispatcher_name``), kept with each row; default: the OS user."""

    def __init__(self, store: Store, provider: Provider | None = None, *, workflow: Workflow | None = None,
                 sync_engine: Any = None, clock: Callable[[], datetime] | None = None,
                 author: str | None = None) -> None:
        self.store = store
        self.provider = provider
        self.workflow = workflow or getattr(provider, "workflow", None) or workflow_for()
        self.sync_engine = sync_engine
        self.clock = clock or _now
        self._host = _host()
        self._token = secrets.token_hex(6)
        self._replaying: asyncio.Lock | None = None
        self.author = author_name(author)

    @property
    def claimant(self) -> str:
        """What this outbox writes in ``claimed_by`` (the pid read now: a forked child is another claimant)."""
        return f"{self._host}|{os.getpid()}|{self._token}"

    # --------------------------------------------------------------------------------- the store's SQL

    @property
    def _reads(self) -> OutboxConnection:
        """This thread's connection to the store, for reads (see cache/outbox_sql.py)."""
        conn = self.store.conn
        return OutboxConnection(conn, dialect_of(conn))

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[OutboxConnection]:
        """A write transaction of the store (joining the one in progress on this thread, if any)."""
        with self.store.transaction() as conn:
            yield OutboxConnection(conn, dialect_of(conn))

    # --------------------------------------------------------------------------------- reading

    _COLUMNS = ("id, created_at, updated_at, kind, payload, state, target_kind, target_id, base_modified_on, "
                "error, attempts, result, claimed_by, sent_at, author")

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
            base_modified_on=row[8], answer=answer, attempts=int(row[10] or 0), claimed_by=row[12],
            sent_at=d.parse_datetime(row[13]), author=row[14],
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
        return [self._entry(r) for r in self._reads.execute(sql, args)]

    def listing(self, states: Iterable[str] | None = None) -> list[OutboxEntry]:
        """``entries(states)`` with this outbox's author's failures and conflicts first (theirs to decide), then
        the others in id order."""
        rows = self.entries(states)
        first = [e for e in rows if e.author == self.author and e.state in (OutboxState.FAILED, OutboxState.CONFLICT)]
        ids = {e.id for e in first}
        return [*first, *(e for e in rows if e.id not in ids)]

    def get(self, entry_id: int) -> OutboxEntry:
        row = self._reads.execute(f"SELECT {self._COLUMNS} FROM outbox WHERE id = ?", (int(entry_id),)).fetchone()
        if row is None:
            raise OutboxError(f"no outbox entry {entry_id}")
        return self._entry(row)

    def describe(self, entry: OutboxEntry, tz: tzinfo | None = None) -> str:
        """The entry in words with the names the cache knows ("cancel job 41002 (Duplicate job)") and the
        workflow's labels, its times in ``tz`` (the board's zone; None: the machine's)."""
        command = entry.command
        if command is None:
            return entry.description
        return describe(command, self.store.name_of, tz=tz, workflow=self.workflow)

    def counts(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self._reads.execute("SELECT state, count(*) FROM outbox GROUP BY state")}

    def pending_for(self, target_kind: str, target_id: int) -> list[OutboxEntry]:
        """What is queued (pending, sending, conflict, failed) against one record, oldest first."""
        rows = self._reads.execute(
            f"SELECT {self._COLUMNS} FROM outbox WHERE target_kind = ? AND target_id = ? AND state IN "
            f"({', '.join('?' for _ in OPEN_STATES)}) ORDER BY id",
            (target_kind, int(target_id), *[s.value for s in OPEN_STATES]),
        )
        return [self._entry(r) for r in rows]

    def pending_ids(self, target_kind: str) -> dict[int, PendingMark]:
        """Record id -> the most urgent state of its open rows, with who queued them (``outbox_marks``)."""
        return pending_ids(self.store.conn, target_kind)

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
            for key, value in self.workflow.expected_changes(command).items():
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
        row = self._reads.execute(f"SELECT modified_on FROM {table} WHERE id = ?", (int(target_id),)).fetchone()
        if row is None or not row[0]:
            return None
        return str(row[0])

    def enqueue(self, command: d.Command) -> OutboxEntry:
        """Store ``command`` durably as 'pending' (committed when this returns). No network."""
        with self._transaction() as conn:
            entry_id = self._insert(conn, command)
        return self.get(entry_id)

    def replace(self, entry_id: int, command: d.Command) -> OutboxEntry:
        """Queue ``command`` instead of the failed row ``entry_id`` (the dispatcher corrected the refused write):
        the failed row is deleted and ``command`` queued as 'pending' in one transaction, so the record never
        has both, nor neither. A compare-and-set on 'failed': a row retried meanwhile (pending, or being sent by
        any process), dropped or done is not replaced, and nothing is queued (``OutboxError``)."""
        refused = self.get(entry_id)
        if (refused.target_kind, refused.target_id) != (command.target or None, command.target_id):
            raise OutboxError(f"outbox entry {entry_id} is a write on another record")
        with self._transaction() as conn:
            # failed rows are never claimed ('sending' is the claimed state): the state alone is the claim seen
            if conn.execute("DELETE FROM outbox WHERE id = ? AND state = 'failed'", (int(entry_id),)).rowcount != 1:
                raise self._moved(entry_id, "replaced")
            new_id = self._insert(conn, command)
        log.info("outbox entry %s (refused: %s) replaced by %s", entry_id, refused.error_text, new_id)
        return self.get(new_id)

    def _insert(self, conn: OutboxConnection, command: d.Command) -> int:
        """Queue ``command`` as 'pending' in the write transaction ``conn``; its id."""
        if not isinstance(command, d.Command) or not command.kind:
            raise TypeError(f"not a command: {command!r}")
        if conn.dialect.enqueue_lock is not None:
            conn.execute(conn.dialect.enqueue_lock)
        payload = json.dumps(command.to_dict(), separators=(",", ":"), ensure_ascii=False)
        now = _dt_text(self.clock())
        return conn.insert(
            "INSERT INTO outbox (created_at, updated_at, kind, payload, state, target_kind, target_id, "
            "base_modified_on, attempts, author) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, 0, ?)",
            (now, now, command.kind, payload, command.target or None, command.target_id, self._base_for(command),
             self.author),
        )

    def _set(self, entry_id: int, state: str, *, expect: str, claimant: str | None = None,
             answer: Mapping[str, Any] | None = None, base: Any = ..., clear_sent: bool = False) -> bool:
        """Compare-and-set: the row goes from ``expect`` (held by ``claimant`` when given) to ``state``, unclaimed.
        False when it was not so (another process moved it). ``answer``: kept as the row's ``result`` when
        ``state`` is done (its earlier ``error`` is cleared), as its ``error`` otherwise. ``base``: a new
        base_modified_on (str or None); ``...`` leaves it alone. ``clear_sent``: the server said it did not
        apply the request."""
        sets = ["state = ?", "updated_at = ?", "claimed_by = NULL", "lease_until = NULL"]
        args: list[Any] = [str(state), _dt_text(self.clock())]
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
        if clear_sent:
            sets.append("sent_at = NULL")
        where = "id = ? AND state = ?" + (" AND claimed_by = ?" if claimant is not None else "")
        args += [int(entry_id), str(expect), *([claimant] if claimant is not None else [])]
        with self._transaction() as conn:
            return bool(conn.execute(f"UPDATE outbox SET {', '.join(sets)} WHERE {where}", args).rowcount == 1)

    def _moved(self, entry_id: int, action: str) -> OutboxError:
        """The error for a compare-and-set that found the row changed by another process."""
        try:
            now = self.get(entry_id).state
        except OutboxError:
            now = "gone"
        return OutboxError(f"outbox entry {entry_id} changed while it was being {action} (now {now}); look again")

    def drop(self, entry_id: int) -> OutboxEntry:
        """Delete a row (the user decided); returns it as it was. A row a live process is sending cannot be
        dropped; one whose sender is gone can."""
        entry = self.get(entry_id)
        seen = self._claim_of(entry_id)
        if seen is None:
            raise self._moved(entry_id, "dropped")
        if seen[0] == OutboxState.SENDING and not self._stale(seen[1], seen[2]):
            raise OutboxError(f"outbox entry {entry_id} is being sent {_claimant_words(seen[1], self._host)}; "
                              f"wait for it to finish")
        with self._transaction() as conn:
            cur = conn.execute("DELETE FROM outbox WHERE id = ? AND state = ? AND claimed_by IS ? AND lease_until IS ?",
                               (int(entry_id), *seen))
        if cur.rowcount != 1:
            raise self._moved(entry_id, "dropped")
        return entry

    def retry(self, entry_id: int) -> OutboxEntry:
        """A failed row goes back to 'pending' (it will be conflict-checked again). Pending rows stay."""
        entry = self.get(entry_id)
        if entry.state == OutboxState.FAILED:
            if not self._set(entry.id, OutboxState.PENDING, expect=OutboxState.FAILED):
                raise self._moved(entry.id, "put back in the queue")
        elif entry.state == OutboxState.DONE:
            raise OutboxError(f"outbox entry {entry_id} is already done")
        elif entry.state == OutboxState.CONFLICT:
            raise OutboxError(f"outbox entry {entry_id} is a conflict: confirm it (send anyway) or drop it")
        return self.get(entry.id)

    # ------------------------------------------------------------------------------------- claims

    def _claim_of(self, entry_id: int, conn: OutboxConnection | None = None,
                  ) -> tuple[str, str | None, str | None] | None:
        """The row's (state, claimed_by, lease_until) as stored, for a compare-and-set; None when it is gone.
        ``conn``: a claim's transaction, whose read locks the row where the store can (PostgreSQL: None when
        another claimant holds it)."""
        reads = conn or self._reads
        lock = reads.dialect.lock_row if conn is not None else ""
        row = reads.execute("SELECT state, claimed_by, lease_until FROM outbox WHERE id = ?" + lock,
                            (int(entry_id),)).fetchone()
        return None if row is None else (str(row[0]), row[1], row[2])

    def _stale(self, claimed_by: str | None, lease_until: str | None) -> bool:
        """Whether a 'sending' row's claim may be taken over (see the module docstring)."""
        lease = d.parse_datetime(lease_until)
        if claimed_by is None or lease is None or lease < self.clock():
            return True
        host, pid = _claimant_parts(claimed_by)
        return host == self._host and pid is not None and not _pid_alive(pid)

    def _claim(self, entry_id: int) -> tuple[_Verdict, OutboxEntry | None]:
        """Claim the row for this outbox (the compare-and-set ``_CLAIM``): (MINE, the row as claimed), or why not."""
        now = self.clock()
        with self._transaction() as conn:
            seen = self._claim_of(entry_id, conn)
            if seen is not None and seen[0] not in (OutboxState.PENDING, OutboxState.SENDING):
                return _Verdict.GONE, None
            if seen is not None and seen[0] == OutboxState.SENDING and not self._stale(seen[1], seen[2]):
                return _Verdict.BUSY, None
            claimed = seen is not None and conn.execute(
                _CLAIM, (self.claimant, _dt_text(now + LEASE), _dt_text(now), int(entry_id), *seen)).rowcount == 1
        if claimed:
            return _Verdict.MINE, self.get(entry_id)
        return self._blocked(entry_id), None

    def _blocked(self, entry_id: int) -> _Verdict:
        """Why a claim changed nothing."""
        row = self._reads.execute("SELECT state, target_kind, target_id FROM outbox WHERE id = ?",
                                      (int(entry_id),)).fetchone()
        if row is None or row[0] not in (OutboxState.PENDING, OutboxState.SENDING):
            return _Verdict.GONE
        if row[0] == OutboxState.SENDING:
            return _Verdict.BUSY
        held = self._reads.execute(
            "SELECT 1 FROM outbox WHERE target_kind = ? AND target_id = ? AND id < ? AND state = 'conflict' LIMIT 1",
            (row[1], row[2], int(entry_id))).fetchone()
        return _Verdict.HELD if held else _Verdict.BUSY

    def _extend(self, entry_id: int, *, sent: bool = False) -> bool:
        """Renew this outbox's lease on the row (``sent``: and note that its request leaves now); False when
        the row is no longer this outbox's."""
        now = self.clock()
        sets = "lease_until = ?" + (", sent_at = coalesce(sent_at, ?)" if sent else "")
        args = [_dt_text(now + LEASE), *([_dt_text(now)] if sent else [])]
        with self._transaction() as conn:
            return bool(conn.execute(f"UPDATE outbox SET {sets} WHERE id = ? AND state = 'sending' AND claimed_by = ?",
                                     (*args, int(entry_id), self.claimant)).rowcount == 1)

    def _release(self, entry_id: int, state: str, answer: Mapping[str, Any] | None = None, *, base: Any = ...,
                 clear_sent: bool = False) -> bool:
        """This outbox's claimed row leaves 'sending' for ``state``; False (logged) when another process took
        it over meanwhile (this one stalled past its lease), which then has the row."""
        if self._set(entry_id, state, expect=OutboxState.SENDING, claimant=self.claimant, answer=answer, base=base,
                     clear_sent=clear_sent):
            return True
        log.warning("outbox entry %s was taken over by another process while this one sent it", entry_id)
        return False

    @contextlib.asynccontextmanager
    async def _leased(self, entry_id: int) -> AsyncIterator[None]:
        """Renew the claim on the row every LEASE/4 while the block runs."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(LEASE.total_seconds() / 4)
                if not await self._db(self._extend, entry_id):
                    return

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # ------------------------------------------------------------------------------------ sending

    async def submit(self, command: d.Command) -> OutboxEntry:
        """Enqueue, then replay (sends it now when online and nothing is queued ahead of it on the record).
        Returns the row as it ended up (done, pending, conflict or failed; 'sending' while another process has
        it)."""
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
        if not await self._db(self._set, entry.id, OutboxState.PENDING, expect=OutboxState.CONFLICT,
                              base=str(server) if server else None):
            raise self._moved(entry.id, "confirmed")
        if self.provider is not None:
            await self.replay()
        return await self._db(self.get, entry.id)

    def _open_rows(self) -> list[OutboxEntry]:
        return self.entries([OutboxState.PENDING, OutboxState.SENDING])

    async def replay(self) -> ReplayReport:
        """Send every pending row in order (see the module docstring), leaving the rows other processes hold.
        Stops at the first failure that retrying later may fix (offline, 429, 5xx, auth)."""
        if self.provider is None:
            raise OutboxError("no provider: the outbox cannot send")
        if self._replaying is None:
            self._replaying = asyncio.Lock()
        async with self._replaying:  # one replay at a time in this outbox; the claims order the processes
            return await self._replay()

    async def _replay(self) -> ReplayReport:
        report = ReplayReport()
        follow_up: set[str] = set()
        for listed in await self._db(self._open_rows):
            verdict, entry = await self._db(self._claim, listed.id)
            if verdict is _Verdict.BUSY:
                report.busy.append(listed.id)
            elif verdict is _Verdict.HELD:
                report.held.append(listed.id)
            if entry is None:
                continue
            async with self._leased(entry.id):
                stopped = await self._send_one(entry, report, follow_up)
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

    async def _send_one(self, entry: OutboxEntry, report: ReplayReport, follow_up: set[str]) -> bool:
        """Send a row this outbox has claimed. Returns True when replay must stop."""
        assert self.provider is not None
        command = entry.command
        if command is None:
            await self._db(self._release, entry.id, OutboxState.FAILED, {
                "outcome": "rejected", "message": f"this version of jpm-tui cannot read a {entry.kind!r} command"})
            report.failed.append(entry.id)
            return False
        # 0. an earlier attempt may have reached the server: a create it made is found, not made again
        if entry.sent_at is not None:
            try:
                found = await self.provider.find_applied(command, entry.sent_at - CLOCK_SKEW)
            except Exception as exc:  # noqa: BLE001 - offline, 5xx, auth: try again later
                return await self._stop(entry, _result_from_exception(exc), report)
            if found is not None:
                await self._done(entry, command, found, None, report, follow_up)
                return False
        # 1. conflict check against the server's current copy
        server_modified: str | None = None
        if entry.target_kind in KIND_TABLES and entry.target_id is not None:
            try:
                current = await self.provider.fetch_record(entry.target_kind, entry.target_id)
            except Exception as exc:  # noqa: BLE001 - offline, 5xx, auth: try again later
                return await self._stop(entry, _result_from_exception(exc), report)
            if current is None and command.kind != "delete_appointment":
                await self._db(self._release, entry.id, OutboxState.FAILED, {
                    "outcome": Outcome.NOT_FOUND.value,
                    "message": f"{entry.target_kind} {entry.target_id} no longer exists on the server"})
                report.failed.append(entry.id)
                return False
            if current is not None:
                server_modified = _dt_text(d.parse_datetime(current.get("modified_on")))
                if _later(current.get("modified_on"), entry.base_modified_on):
                    await self._db(self._store_record, entry.target_kind, current)
                    await self._db(self._release, entry.id, OutboxState.CONFLICT, {
                        "outcome": Outcome.CONFLICT.value,
                        # by the number the dispatcher knows (job 41004), not the internal id
                        "message": (f"{entry.target_kind} {current.get('number') or entry.target_id} changed on the "
                                    f"server since this was queued; confirm to send it anyway, or drop it"),
                        "base_modified_on": entry.base_modified_on,
                        "server_modified_on": server_modified,
                    })
                    report.conflicts.append(entry.id)
                    return False
        # 2. send (noted first, on our claim: a takeover that happened meanwhile means another process has it)
        if not await self._db(self._extend, entry.id, sent=True):
            report.busy.append(entry.id)
            return False
        try:
            result = await self.provider.execute(command)
        except Exception as exc:  # noqa: BLE001 - providers should not raise, but never lose the row
            result = _result_from_exception(exc)
        if result.outcome is Outcome.DONE:
            await self._done(entry, command, result, server_modified, report, follow_up)
            return False
        if not result.outcome.final:  # RETRY / AUTH: keep it queued, stop
            return await self._stop(entry, result, report)
        await self._db(self._release, entry.id, OutboxState.FAILED, result.to_dict(), clear_sent=True)
        report.failed.append(entry.id)
        return False

    async def _stop(self, entry: OutboxEntry, result: CommandResult, report: ReplayReport) -> bool:
        """Back to 'pending' with the answer; replay stops. Only a RETRY leaves it unknown whether the server
        applied a request (transport error, 5xx): an AUTH refusal says it did not."""
        await self._db(self._release, entry.id, OutboxState.PENDING, result.to_dict(),
                       clear_sent=result.outcome is not Outcome.RETRY)
        report.stopped = result.message or result.outcome.value
        return True

    async def _done(self, entry: OutboxEntry, command: d.Command, result: CommandResult, server_before: str | None,
                    report: ReplayReport, follow_up: set[str]) -> None:
        """The command is on the server: re-read what it changed into the cache, then mark the row done and move
        the base of later rows on its record past this (our own) change, in one transaction, so that no other
        process claims one of them with the old base and takes our change for a conflict."""
        new_base = await self._refresh(entry, command, result)
        old = {base for base in (entry.base_modified_on, server_before) if base is not None}

        def finish() -> bool:
            with self.store.transaction():
                if not self._release(entry.id, OutboxState.DONE, result.to_dict()):
                    return False
                if new_base and old and entry.target_kind is not None and entry.target_id is not None:
                    self._rebase(entry.target_kind, entry.target_id, entry.id, new_base, old)
                return True

        if await self._db(finish):
            report.done.append(entry.id)
            follow_up.update(self.workflow.follow_up_feeds(command.kind))
        else:
            report.busy.append(entry.id)

    async def _refresh(self, entry: OutboxEntry, command: d.Command, result: CommandResult) -> str | None:
        """Re-read the records the command changed into the cache; returns the target's modifiedOn now (None
        when it could not be read)."""
        assert self.provider is not None
        targets = list(result.refresh)
        if entry.target_kind and entry.target_id is not None and (entry.target_kind, entry.target_id) not in targets:
            targets.insert(0, (entry.target_kind, entry.target_id))
        new_base: str | None = None
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
        return new_base

    def _rebase(self, kind: str, record_id: int, after_id: int, new_base: str, old: set[str]) -> None:
        with self._transaction() as conn:
            conn.execute(
                f"UPDATE outbox SET base_modified_on = ? WHERE target_kind = ? AND target_id = ? "
                f"AND id > ? AND state IN ('pending', 'sending') "
                f"AND base_modified_on IN ({', '.join('?' for _ in old)})",
                (new_base, kind, record_id, after_id, *sorted(old)),
            )

    @staticmethod
    async def _db(fn: Callable[_P, _R], *args: _P.args, **kwargs: _P.kwargs) -> _R:
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


def _claimant_parts(claimed_by: str | None) -> tuple[str, int | None]:
    """(host, pid) of a ``host|pid|token`` claimant; ("", None) for anything else."""
    parts = (claimed_by or "").rsplit("|", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return "", None
    return parts[0], int(parts[1])


def _claimant_words(claimed_by: str | None, here: str) -> str:
    """``by process 4242 on this machine`` / ``by process 4242 on host-b``."""
    host, pid = _claimant_parts(claimed_by)
    where = "this machine" if host == here else (host.partition("#")[0] or "another machine")
    return f"by process {pid if pid is not None else '?'} on {where}"


def _result_from_exception(exc: BaseException) -> CommandResult:
    """A provider call that raised as an outcome: a ``ProviderError`` by what it says; anything else (a provider's
    bug) is tried again later, since the row must not be lost."""
    if isinstance(exc, ProviderError):
        outcome = Outcome.AUTH if exc.auth else Outcome.RETRY if exc.retryable else Outcome.REJECTED
        name, message = exc.kind, exc.title
        detail: dict[str, Any] = {"error": name, **({"status": exc.status} if exc.status is not None else {})}
    else:
        outcome, name, message = Outcome.RETRY, type(exc).__name__, str(exc)
        detail = {"error": name}
    return CommandResult(outcome, message=message.splitlines()[0] if message else name, detail=detail)
