"""Jobs made ready to write (``prepare_jobs``): a chunk of them as the few JSON and byte parameters of the jobs
table's one-statement write (``derived.JOB_PAGE_UPSERT``), with the counter groups they will have. Pure Python, no
database: the sync engine prepares a page on another thread than the one that writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from jpm_tui.cache.store.derived import JOB_COLUMNS
from jpm_tui.cache.store.rows import datetime_cell, number_key
from jpm_tui.cache.store.sql_text import json_text

if TYPE_CHECKING:
    from jpm_tui.provider import domain as d

@dataclass(frozen=True, slots=True)
class JobChunk:
    id_set: frozenset[int]
    """The chunk's job ids (distinct: for a job named twice the last row wins)."""
    ids: str
    """The same as a JSON list."""
    values: str
    """JSON array of their ``job_values`` rows."""
    raw_lengths: str
    """JSON array of [id, length in bytes of its payload in ``raw``], in ``raw``'s order."""
    raw: bytes
    """The payloads' JSON (UTF-8; a job's ``raw_json`` when it has one, else ``raw`` encoded compactly), one after
    the other: SQLite cuts each out of it without parsing it."""
    counts: str
    """JSON array of [active, status, priority, job type, business unit, n]: the counter groups of the chunk's jobs
    once written (``derived.COUNT_ADD``)."""


def join_jobs(chunks: Sequence[JobChunk]) -> JobChunk:
    """Chunks with no job in common as one (their order does not matter then): each text joined once."""
    if len(chunks) == 1:
        return chunks[0]
    return JobChunk(frozenset().union(*(c.id_set for c in chunks)), _json_join([c.ids for c in chunks]),
                    _json_join([c.values for c in chunks]), _json_join([c.raw_lengths for c in chunks]),
                    b"".join(c.raw for c in chunks), _json_join([c.counts for c in chunks]))


def _json_join(arrays: Sequence[str]) -> str:
    """JSON arrays as one."""
    return "[" + ",".join(a[1:-1] for a in arrays if a != "[]") + "]"


_ENUM_CELLS: dict[type, dict[int, tuple[str, int]]] = {}


def _enum_cells(member: d.OpenEnum) -> tuple[str, int]:
    """(value, rank) of a status or priority, memoised (``rank`` walks the members on every call). Keyed by the
    member itself: a backend's pseudo-member equals a member of the same words but has its own rank."""
    cache = _ENUM_CELLS.setdefault(type(member), {})
    cells = cache.get(id(member))
    if cells is None:
        cells = cache[id(member)] = (member.value, member.rank)
    return cells


def job_values(job: d.Job) -> tuple[Any, ...]:
    summary = job.summary or ""
    status, status_rank = _enum_cells(job.status)
    priority, priority_rank = _enum_cells(job.priority)
    return (
        job.id, job.number, number_key(job.number), status, status_rank, priority, priority_rank,
        job.job_type_id, job.business_unit_id, job.customer_id, job.location_id, job.project_id, summary,
        summary[:40].casefold(), datetime_cell(job.created_on) or "", datetime_cell(job.modified_on) or "",
        datetime_cell(job.completed_on), int(job.active),
    )


_COUNTED_CELLS = itemgetter(*(JOB_COLUMNS.index(c) for c in ("active", "status", "priority", "job_type_id",
                                                             "business_unit_id")))
"""A ``job_values`` row's cells of its counter group (``derived.COUNT_JOBS``' first five, before coalesce)."""


def prepare_jobs(rows: list[d.Job]) -> JobChunk:
    last = {j.id: j for j in rows}  # a job named twice: its last row, as row-by-row upserts would leave it
    jobs = list(last.values())
    values = [job_values(j) for j in jobs]
    groups: dict[tuple[Any, ...], int] = {}
    for v in values:  # the groups COUNT_JOBS finds once they are written
        active, status, priority, job_type_id, business_unit_id = _COUNTED_CELLS(v)
        key = (active, status, priority, -1 if job_type_id is None else job_type_id,
               -1 if business_unit_id is None else business_unit_id)
        groups[key] = groups.get(key, 0) + 1
    # the payload's text as received when the row has it: exact, and no second encoding of every payload
    payloads = [(json_text(j.raw) if j.raw_json is None else j.raw_json).encode() for j in jobs]
    return JobChunk(frozenset(last), json_text(list(last)), json_text(values),
                    json_text([(j.id, len(p)) for j, p in zip(jobs, payloads, strict=True)]), b"".join(payloads),
                    json_text([(*key, n) for key, n in groups.items()]))
