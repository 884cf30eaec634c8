"""The sandbox world at scale (`sandbox serve --jobs 1000000`, `--demo --demo-jobs 1000000`): made on demand.

`generate(seed, jobs, now, hostile)` makes what is small at once (settings, technicians and their shifts, job types,
projects, bookings, leads) with data.py's generator, and returns the rest as `Generated` collections: a job and
everything that hangs off it (appointment, assignments, notes, history, booked and canceled logs, summaries), or a
customer and its sites, contacts and notes, is a *family* made from its index alone, with a random stream seeded by
(seed, family kind, index), through the same code data.py books a job or a customer with. Nothing is held but the
families read by id or changed (the state's overlay) and a small cache of the last families made, so a million jobs
take seconds and some hundreds of megabytes rather than minutes and gigabytes. An export feed of jobs, their visits
or customers makes a family only as far as its head (`_HEAD_ENDS`): the rest is most of a customer's cost.

What differs from data.py's sequential world, to keep each family independent of every other: each technician's
working days are a fixed grid of slots (four visits a day, one for installers, from 08:00, after the Monday
meeting), and the job in slot `i` is job `i` (today first, then the coming weekdays, then back from yesterday); a job
has one visit and one technician; there are no scenario jobs (late, running over, just booked), no shifts beyond
the three weeks around today, and a job in a project is not listed in the project's `jobIds`.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from . import data
from .data import DAY, HOUR, ID_BASE, SCENARIOS, _JobKind, _World
from .state import Generated, World

Record = dict[str, Any]
Visit = tuple[Any, ...]  # data.py's: start, end, window start and end, slot (technician, day, ...)

AT_SCALE_FROM = 20_000
"""Worlds of this many jobs or more are made on demand (smaller ones, the tests' among them, as data.py makes them)."""

# Ids a family may hand out per collection: the k-th record of family i has id ID_BASE[collection] + i * slots + k + 1.
_JOB_IDS = {"appointments": 1, "appointment_assignments": 2, "appointment_summaries": 1, "job_notes": 3,
            "job_history": 8, "job_booked_logs": 1, "job_canceled_logs": 1}  # job_history: its entries' ids
_CUSTOMER_IDS = {"customers": 1, "locations": 3, "customer_contacts": 3, "location_contacts": 6, "customer_notes": 1,
                 "location_notes": 3}
# The generated collections: which family a record belongs to, and how its id maps to the family's index
# (id base, ids per family). A job's history record has the job's id.
_ROWS: dict[str, tuple[str, int, int]] = {
    "jobs": ("job", ID_BASE["jobs"], 1), "job_history": ("job", ID_BASE["jobs"], 1),
    **{name: ("job", ID_BASE[name], slots) for name, slots in _JOB_IDS.items() if name != "job_history"},
    **{name: ("customer", ID_BASE[name], slots) for name, slots in _CUSTOMER_IDS.items()},
}
_ONE_EACH = {"jobs", "job_history", "job_booked_logs", "appointments", "customers"}  # one record in every family
# The keys that point at a family's parent records (what handlers look records up by: a job's appointments, ...)
_PARENTS = {"job": (("jobId", "jobs"), ("appointmentId", "appointments")),
            "customer": (("customerId", "customers"), ("locationId", "locations"))}
_KINDS = {"job": 1, "customer": 2}  # a family's stream is seeded by (seed, kind, index)
_FAMILIES_KEPT = 16_384  # the last families made: the sync reads its feeds side by side, each family once for all
# A family's head: what it makes up to and including its record of this collection (a job's visits and the job; a
# customer), all an export feed of these collections sends. What comes after (a job's logs, history and notes; a
# customer's contacts and sites) only adds records of other collections, and underscore keys (`_hold`) that no
# response shape sends.
_HEAD_ENDS = {"job": "jobs", "customer": "customers"}
_IN_HEAD = {"jobs", "appointments", "appointment_assignments", "appointment_summaries", "customers"}
_SLOTS = ((8 * HOUR, 150), (10 * HOUR + 1800, 150), (13 * HOUR, 150), (15 * HOUR + 1800, 150))  # start, minutes
_INSTALL_SLOTS = ((8 * HOUR, 540),)


def generate(seed: int, jobs: int, now: datetime, *, hostile: bool = False) -> World:
    """The world at scale for `jobs` jobs as of `now`; same arguments, same world."""
    return _ScaledWorld(seed, jobs, now, hostile).world()


class _FamilyIds:
    """A family's ids: the k-th record of a collection in family `index` (see _JOB_IDS)."""

    def __init__(self, index: int, slots: dict[str, int]) -> None:
        self.index, self.slots, self.used = index, slots, dict.fromkeys(slots, 0)

    def __call__(self, collection: str) -> int:
        k = self.used[collection]
        if k >= self.slots[collection]:
            raise RuntimeError(f"a family has more {collection} than its {self.slots[collection]} ids")
        self.used[collection] = k + 1
        return ID_BASE[collection] + self.index * self.slots[collection] + k + 1


class _HeadMade(Exception):
    """Raised by `add` once a family being made as far as its head has its head's last record."""


class _Fixed:
    """The one job kind a family's slot takes, drawn before _World._job asks for it (it draws nothing more)."""

    def __init__(self, kind: _JobKind) -> None:
        self.kind = kind

    def pick(self, rng: random.Random) -> _JobKind:
        return self.kind


class _Sites(Sequence[Record]):
    """Every customer's first site, made on demand (what a job or a project is booked at). A job reads only the
    ids, which follow from the index: `whole` is off once the projects, which take the site's name, are made. A
    job's site is its customer's (`_ScaledWorld.customer_of_job`), whatever index it drew: jobs in id order then
    go to customers in id order, so the first pages of the jobs and customers feeds go together (the demo's
    board opens on them)."""

    def __init__(self, world: _ScaledWorld) -> None:
        self.world = world
        self.whole = True

    def __len__(self) -> int:
        return self.world.customer_count

    def __getitem__(self, index: Any) -> Any:
        if self.whole:
            return self.world.customer_family(index)["locations"][0]
        customer = index if self.world.customer_of_job is None else self.world.customer_of_job
        return {"id": ID_BASE["locations"] + customer * _CUSTOMER_IDS["locations"] + 1,
                "customerId": ID_BASE["customers"] + customer + 1}


class _ProjectViews(Sequence[Record]):
    """The projects as a job sees them: a copy it may add itself to without changing the project."""

    def __init__(self, projects: list[Record]) -> None:
        self.projects = projects

    def __len__(self) -> int:
        return len(self.projects)

    def __getitem__(self, index: Any) -> Any:
        project = self.projects[index]
        return {**project, "jobIds": [], "businessUnitIds": []}


class _ScaledWorld(_World):
    """data.py's world with its jobs and customers made per family, on demand."""

    def __init__(self, seed: int, jobs: int, now: datetime, hostile: bool) -> None:
        super().__init__(seed, jobs, now, hostile)
        self.seed = seed
        self.customer_count = max(20, self.jobs * 2 // 5)
        self.customer_of_job: int | None = None  # that of the job being made (about 2.5 jobs each, as in data.py)
        self._streams = {kind: random.Random() for kind in _KINDS}
        self._names = {kind: [name for name, (family, _, _) in _ROWS.items() if family == kind] for kind in _KINDS}
        self._makers = {"job": self._job_in_slot, "customer": self._customer}
        self._ids = {"job": _JOB_IDS, "customer": _CUSTOMER_IDS}
        # (kind, index) -> (whole, records): the last families made, least recently read first; a head serves the
        # feeds until the whole family is asked for
        self._kept: OrderedDict[tuple[str, int], tuple[bool, dict[str, list[Record]]]] = OrderedDict()
        self._head_end: str | None = None  # while a head is made: the collection whose record ends it

    def job_family(self, index: int) -> dict[str, list[Record]]:
        return self._made("job", index, whole=True)

    def customer_family(self, index: int) -> dict[str, list[Record]]:
        return self._made("customer", index, whole=True)

    def _made(self, kind: str, index: int, *, whole: bool) -> dict[str, list[Record]]:
        """Family `index` of `kind`, whole or at least its head, kept among the last ones made."""
        key = (kind, index)
        hit = self._kept.get(key)
        if hit is not None and (hit[0] or not whole):
            self._kept.move_to_end(key)
            return hit[1]
        made = self._family(kind, index, None if whole else _HEAD_ENDS[kind])
        self._kept[key] = (whole, made)
        self._kept.move_to_end(key)
        if len(self._kept) > _FAMILIES_KEPT:
            self._kept.popitem(last=False)
        return made

    def add(self, collection: str, record: Record) -> Record:
        super().add(collection, record)
        if collection == self._head_end:
            raise _HeadMade
        return record

    def world(self) -> World:
        self._settings()
        self._dispatch_setup()
        self._jpm_setup()
        self.locations = sites = _Sites(self)
        self._projects()
        sites.whole = False
        self._job_setup()
        self.scenarios = [None] * SCENARIOS
        self._bookings()  # no job is held, so no booking is converted
        self._leads()
        self._grid = [(tech, start, minutes) for tech in self.technicians
                      for start, minutes in (_INSTALL_SLOTS if self._installer(tech) else _SLOTS)]
        self._dates = self._booking_days()
        self._fitting = {(tech["businessUnitId"], minutes): self._kinds_for(tech["businessUnitId"], minutes)
                         for tech, _, minutes in self._grid}
        self.projects = _ProjectViews(self.projects)  # type: ignore[assignment]
        world: World = {name: records for name, records in self.out.items() if name not in _ROWS}
        for name, (family, base, slots) in _ROWS.items():
            count = self.jobs if family == "job" else self.customer_count
            world[name] = Generated(range(base + 1, base + count * slots + 1),
                                    self._maker(name, family, base, slots, whole=True),
                                    {key: self._finder(name, family, parent) for key, parent in _PARENTS[family]},
                                    count if name in _ONE_EACH else None,
                                    self._maker(name, family, base, slots, whole=False) if name in _IN_HEAD else None)
        return world

    def _finder(self, name: str, family: str, parent: str) -> Callable[[Any], list[int]]:
        """The ids of `name` in the family of the `parent` record whose id is given (its only candidates)."""
        made, count = (self.job_family, self.jobs) if family == "job" else (self.customer_family, self.customer_count)
        _, base, slots = _ROWS[parent]

        def find(parent_id: Any) -> list[int]:
            if not isinstance(parent_id, int) or not base < parent_id <= base + count * slots:
                return []
            return [record["id"] for record in made((parent_id - base - 1) // slots)[name]]

        return find

    def _kinds_for(self, bu_id: int, minutes: int) -> list[_JobKind]:
        """The business unit's job kinds that fit a slot of `minutes` with a half hour to spare (all, if none)."""
        kinds = [k for k in self.bookable if k.bu_id == bu_id]
        return [k for k in kinds if k.minutes <= minutes - 30] or kinds

    def _installer(self, tech: Record) -> bool:
        return any(k.bu_id == tech["businessUnitId"] and k.job_class == "Install" for k in self.bookable)

    def _booking_days(self) -> list[int]:
        """Local midnights in booking order: today, the weekdays of the coming three weeks, then weekdays back
        from yesterday, as many as the jobs fill."""
        today, needed = self.clock.today, self.jobs // max(1, len(self._grid)) + 2
        days = [today] + [today + d * DAY for d in range(1, data.FUTURE_DAYS + 1)
                          if self.clock.weekday(today + d * DAY) < 5]
        back = today - DAY
        while len(days) < needed:
            if self.clock.weekday(back) < 5:
                days.append(back)
            back -= DAY
        return days

    def _maker(self, name: str, family: str, base: int, slots: int, *, whole: bool) -> Callable[[int], Record | None]:
        """Record `id` of `name`, made with its whole family or (an export feed's) its family's head."""

        def make(id: int) -> Record | None:
            for record in self._made(family, (id - base - 1) // slots, whole=whole)[name]:
                if record["id"] == id:
                    return record
            return None

        return make

    def _family(self, kind: str, index: int, head_end: str | None) -> dict[str, list[Record]]:
        """Make one family (its head only, when `head_end` names the collection that ends it): its own random stream
        and ids, its records collected apart; what was being made before is put back after (the projects, made at
        the start, make their sites' customers). A kind's stream is one generator seeded again for each family: a
        new one costs more than the seeding. Plain try/finally: a context manager cost a tenth of a job's time."""
        saved = self.rng, self.out, self.id, self._head_end
        self.rng = stream = self._streams[kind]
        stream.seed(self.seed * 100_000_000 + _KINDS[kind] * 10_000_000 + index)
        out: dict[str, list[Record]] = {name: [] for name in self._names[kind]}
        self.out = out
        self.id = _FamilyIds(index, self._ids[kind])  # type: ignore[assignment]
        self._head_end = head_end
        try:
            self._makers[kind](index)
        except _HeadMade:
            pass  # a head: the records made so far are the family's records
        finally:
            self.rng, self.out, self.id, self._head_end = saved
        return out

    def _job_in_slot(self, index: int) -> None:
        """Job `index` in its slot of the grid, with what hangs off it."""
        tech, start, minutes = self._grid[index % len(self._grid)]
        day = self._dates[index // len(self._grid)]
        kind = data._pick(self.rng, self._fitting[(tech["businessUnitId"], minutes)])
        begin = day + start + data._randrange(self.rng, 0, 2) * 900
        self._visits = [(begin, begin + kind.minutes * 60, *self._window(begin, day), (tech, None, 0, 0))]
        self.kinds = _Fixed(kind)  # type: ignore[assignment]
        self.unassigned_due, self.unassigned_owed, self.on_hold = self.rng.random(), 0, 1
        self.customer_of_job = index * self.customer_count // max(1, self.jobs)
        try:
            self._job(index)
        finally:
            self.customer_of_job = None

    # _World's schedule, replaced by the grid: a family's one visit is its slot; no helper joins it, and nothing
    # is given back (no other family books that slot)

    def _book(self, bu_id: int, minutes: int, first: bool) -> list[Visit]:
        return self._visits

    def _tech_day(self, tech: Record, day: int) -> list[int] | None:
        return None

    def _release(self, visit: Visit) -> None:
        return None
