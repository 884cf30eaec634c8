"""The calendar's model: appointments as items, their signals, technician lanes and their layout.

No Textual here: everything is plain data computed from what the cache holds, the queued writes laid over it
(``Outbox.overlay``) and the app's clock, so the rules and the layout are unit-tested with a frozen clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from ..provider.workflow import FINISHED, NOT_STARTED, OTHER, PriorityLevel, StatusCategory, Workflow, style_key
from .format import local

if TYPE_CHECKING:
    from ..provider import domain as d

__all__ = [
    "BLOCK_CLASSES", "CalendarData", "DAY_END", "DAY_START", "GROUPINGS", "Item", "Lane", "MIN_LENGTH", "SIGNALS",
    "STACK_SHOWN", "UNCONFIRMED_WITHIN", "backend_signals", "block_class", "booked_hours", "build_lanes", "business_span", "day_bounds", "hours_span", "item_signals",
    "items_from",
    "overlap_hours", "place", "signal_words", "span_columns", "stack", "tray_sections", "week_bounds",
    "working_hours",
]

DAY_START, DAY_END = 6, 20
"""The hours the day view spans (local time), unless a lane's shift runs outside them."""
UNCONFIRMED_WITHIN = timedelta(hours=24)
MIN_LENGTH = timedelta(minutes=30)
"""An appointment without an end (or ending before it starts) is drawn, and stacked, this long."""
STACK_SHOWN = 3
"""Sub-rows a lane shows when the cursor is elsewhere; the rest are counted ("+N more") until it is selected."""
GROUPINGS = ("none", "team", "zone")

SIGNALS: dict[str, tuple[str, str]] = {
    "late": ("!", "late: past the arrival window (or start) and not working"),
    "over": ("»", "running over: working past its end"),
    "unconfirmed": ("?", "unconfirmed, starts within 24 h"),
    "hold": ("‖", ""),
    "priority": ("▲", "urgent or high priority job"),
    "pending": ("~", "a change is queued (not sent yet)"),
}
"""Signal -> (mark drawn before the block's text, what it means: the legend). The hold's words are the backend's
own (``signal_words``)."""

_SIGNAL_NEEDS: dict[str, Callable[[Workflow], bool]] = {
    "unconfirmed": lambda workflow: workflow.capabilities.confirmation,
    "hold": lambda workflow: bool(workflow.appointment_values(frozenset({StatusCategory.HELD}))),
    "priority": lambda workflow: any(p.level in (PriorityLevel.URGENT, PriorityLevel.HIGH)
                                     for p in workflow.priorities),
}
"""Signal -> whether the backend can raise it at all (the others always can): the legend lists only those."""


def backend_signals(workflow: Workflow) -> tuple[str, ...]:
    """The ``SIGNALS`` a block can carry on this backend, in legend order."""
    return tuple(name for name in SIGNALS if name not in _SIGNAL_NEEDS or _SIGNAL_NEEDS[name](workflow))


def signal_words(name: str, workflow: Workflow) -> str:
    """What signal ``name`` means on this backend: the hold is said with the backend's labels of its held
    statuses (BigChange's "Suspended", not "on hold"); the other signals are no status, the same everywhere."""
    if name == "hold":
        held = workflow.appointment_values(frozenset({StatusCategory.HELD}))
        return " / ".join(workflow.appointment_status_label(value) for value in held)
    return SIGNALS[name][1]

BLOCK_CLASSES = frozenset(f"calendar--block-{key}" for key in (*StatusCategory, OTHER))
"""An appointment's block is styled by its status's category (``provider.workflow``)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One appointment as the calendar shows it (queued writes already laid over it)."""

    id: int
    job_id: int
    number: str
    job_number: str
    customer: str
    start: datetime | None
    end: datetime | None
    window_start: datetime | None = None
    window_end: datetime | None = None
    status: str = ""
    confirmed: bool = False
    priority: str = ""
    job_status: str = ""
    instructions: str = ""
    technician_ids: tuple[int, ...] = ()
    pending: bool = False
    deleted: bool = False

    @property
    def label(self) -> str:
        """What the block shows: the job number and the customer (never a bare id)."""
        return f"{self.job_number or self.number} {self.customer}".strip()


@dataclass
class CalendarData:
    """What the reader thread loads for a period."""

    start: datetime
    end: datetime
    items: list[Item] = field(default_factory=list)
    technicians: list[d.Technician] = field(default_factory=list)
    shifts: list[d.Shift] = field(default_factory=list)
    teams: list[d.Team] = field(default_factory=list)
    zones: list[d.Zone] = field(default_factory=list)
    business_hours: d.BusinessHours | None = None
    """The company's cached business hours (``domain.BusinessHours``), or None: the day view's default axis."""
    arrival_windows: list[d.ArrivalWindow] = field(default_factory=list)
    """The cached arrival windows (``domain.ArrivalWindow``): offered by the appointment times form."""


@dataclass
class Lane:
    """A row of the day/week view: one technician, the unassigned appointments, or a group heading."""

    key: str
    title: str
    technician_id: int | None = None
    group: str = ""
    heading: bool = False
    items: list[Item] = field(default_factory=list)
    shifts: list[tuple[datetime, datetime]] = field(default_factory=list)
    slots: list[int] = field(default_factory=list)
    """The sub-row of each of ``items`` (same order): overlapping appointments are stacked, never drawn over
    each other. Filled by :func:`build_lanes` (or :meth:`restack`)."""
    depth: int = 1
    """How many sub-rows the lane's appointments need (at least 1)."""

    def __post_init__(self) -> None:
        if len(self.slots) != len(self.items):
            self.restack()

    def restack(self) -> None:
        self.slots = stack(self.items)
        self.depth = max(self.slots, default=0) + 1

    @property
    def is_unassigned(self) -> bool:
        return self.key == "unassigned"

    def hidden(self, shown: int) -> int:
        """How many appointments are in sub-rows past the first ``shown``."""
        return sum(1 for slot in self.slots if slot >= shown)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def items_from(rows: Iterable[tuple[d.Appointment, str, str, str, str]], assignments: Iterable[tuple[int, int, str]],
               overlays: Mapping[int, Mapping[str, Any]] | None = None) -> list[Item]:
    """Items from the store's calendar rows and assignments, with each queued write's expected change."""
    techs: dict[int, list[int]] = defaultdict(list)
    for appointment_id, technician_id, _status in assignments:
        techs[appointment_id].append(technician_id)
    overlays = overlays or {}
    out: list[Item] = []
    for appointment, job_number, customer, priority, job_status in rows:
        a = appointment
        item = Item(id=a.id, job_id=a.job_id, number=str(a.number or ""), job_number=str(job_number or ""),
                    customer=str(customer or ""), start=_aware(a.start), end=_aware(a.end),
                    window_start=_aware(a.arrival_window_start), window_end=_aware(a.arrival_window_end),
                    status=str(a.status), confirmed=bool(a.confirmed), priority=str(priority or ""),
                    job_status=str(job_status or ""), instructions=str(a.special_instructions or ""),
                    technician_ids=tuple(techs.get(a.id, ())))
        overlay = overlays.get(a.id)
        if overlay:
            item = with_overlay(item, overlay)
        out.append(item)
    return out


def with_overlay(item: Item, overlay: Mapping[str, Any]) -> Item:
    changes: dict[str, Any] = {"pending": True}
    for key, name in (("status", "status"), ("confirmed", "confirmed"), ("start", "start"), ("end", "end"),
                      ("arrival_window_start", "window_start"), ("arrival_window_end", "window_end"),
                      ("special_instructions", "instructions")):
        if key in overlay:
            value = overlay[key]
            changes[name] = _aware(value) if isinstance(value, datetime) else value
    techs = list(item.technician_ids)
    for tid in overlay.get("technician_ids_removed", ()):
        if tid in techs:
            techs.remove(tid)
    for tid in overlay.get("technician_ids_added", ()):
        if tid not in techs:
            techs.append(tid)
    changes["technician_ids"] = tuple(techs)
    if overlay.get("active") is False:
        changes["deleted"] = True
    return replace(item, **changes)


# ------------------------------------------------------------------------------------------- signals


def item_signals(item: Item, now: datetime, workflow: Workflow, *,
                 within: timedelta = UNCONFIRMED_WITHIN) -> frozenset[str]:
    """Which of ``SIGNALS`` apply to ``item`` at ``now``, by its status's category in ``workflow`` ("unconfirmed"
    only where the backend confirms appointments)."""
    out: set[str] = set()
    category = workflow.appointment_category(item.status)
    not_started = category in NOT_STARTED
    due = item.window_end or item.start
    if not_started and due is not None and now > due:
        out.add("late")
    if category == StatusCategory.WORKING and item.end is not None and now > item.end:
        out.add("over")
    if (not_started and workflow.capabilities.confirmation and not item.confirmed and item.start is not None
            and now <= item.start <= now + within):
        out.add("unconfirmed")
    if category == StatusCategory.HELD:
        out.add("hold")
    if workflow.priority_level(item.priority) in (PriorityLevel.URGENT, PriorityLevel.HIGH):
        out.add("priority")
    if item.pending:
        out.add("pending")
    return frozenset(out)


def block_class(item: Item, workflow: Workflow) -> str:
    """The component class of ``item``'s block (one of ``BLOCK_CLASSES``)."""
    return f"calendar--block-{style_key(workflow.appointment_category(item.status))}"


def marks(signals: Iterable[str]) -> str:
    return "".join(mark for name, (mark, _words) in SIGNALS.items() if name in signals)


# ------------------------------------------------------------------------------------------- periods


def day_bounds(day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    zone = tz or datetime.now().astimezone().tzinfo
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_bounds(day: date, tz: tzinfo | None) -> tuple[date, datetime, datetime]:
    """The Monday of ``day``'s week and the week's bounds."""
    monday = day - timedelta(days=day.weekday())
    start, _ = day_bounds(monday, tz)
    end, _ = day_bounds(monday + timedelta(days=7), tz)
    return monday, start, end


def local_day(value: datetime, tz: tzinfo | None) -> date:
    return local(value, tz).date()


# ------------------------------------------------------------------------------------------- lanes


def _zone_of(technician: d.Technician, zone_names: Mapping[int, str]) -> str:
    raw = getattr(technician, "raw", None) or {}
    main = raw.get("mainZoneId") if isinstance(raw, dict) else None
    zone_ids = [main] if main else list(getattr(technician, "zone_ids", ()) or ())
    for zone_id in zone_ids:
        if zone_id in zone_names:
            return zone_names[zone_id]
    return "No zone"


def group_of(technician: d.Technician, grouping: str, zone_names: Mapping[int, str]) -> str:
    if grouping == "team":
        return str(getattr(technician, "team", "") or "") or "No team"
    if grouping == "zone":
        return _zone_of(technician, zone_names)
    return ""


def build_lanes(data: CalendarData, workflow: Workflow, *, grouping: str = "none",
                only: tuple[str, str] | None = None, include_unassigned: bool = True) -> list[Lane]:
    """One lane per active technician (by name; under group headings when grouped), then "Unassigned".

    ``only``: ("team" | "zone", name) keeps the technicians of that team or zone. Canceled and deleted
    appointments are not in lanes (the tray lists canceled ones)."""
    zone_names = {z.id: str(z.name) for z in data.zones}
    shifts: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for shift in data.shifts:
        if shift.start is not None and shift.end is not None:
            shifts[shift.technician_id].append((_aware(shift.start), _aware(shift.end)))  # type: ignore[arg-type]
    by_tech: dict[int, list[Item]] = defaultdict(list)
    unassigned: list[Item] = []
    for item in data.items:
        if workflow.appointment_category(item.status) == StatusCategory.CANCELED or item.deleted:
            continue
        if not item.technician_ids:
            unassigned.append(item)
        for tid in item.technician_ids:
            by_tech[tid].append(item)
    technicians = [t for t in data.technicians if getattr(t, "active", True)]
    if only is not None:
        kind, name = only
        technicians = [t for t in technicians if group_of(t, kind, zone_names) == name]
    technicians.sort(key=lambda t: (group_of(t, grouping, zone_names).lower(), str(t.name).lower(), t.id))
    lanes: list[Lane] = []
    current: str | None = None
    for tech in technicians:
        group = group_of(tech, grouping, zone_names)
        if grouping != "none" and group != current:
            members = sum(1 for t in technicians if group_of(t, grouping, zone_names) == group)
            lanes.append(Lane(key=f"group:{group}", title=f"{group} ({members})", group=group, heading=True))
            current = group
        items = sorted(by_tech.get(tech.id, ()), key=_order)
        lanes.append(Lane(key=f"tech:{tech.id}", title=str(tech.name), technician_id=tech.id, group=group,
                          items=items, shifts=sorted(shifts.get(tech.id, ()))))
    if include_unassigned and only is None:
        lanes.append(Lane(key="unassigned", title="Unassigned", items=sorted(unassigned, key=_order)))
    return lanes


def _extent(item: Item) -> tuple[datetime, datetime] | None:
    if item.start is None:
        return None
    end = item.end if item.end is not None and item.end > item.start else item.start + MIN_LENGTH
    return item.start, end


def stack(items: Sequence[Item]) -> list[int]:
    """The sub-row of each item (in the given order) so that no two items of a sub-row overlap in time.

    Greedy interval partitioning in start order (first sub-row that is free again), which uses as many
    sub-rows as the largest number of appointments at one moment. Items without a start go in sub-row 0 (they
    are not on the timeline)."""
    order = sorted(range(len(items)), key=lambda n: _order(items[n]))
    ends: list[datetime] = []  # per sub-row: when its last appointment ends
    out = [0] * len(items)
    for n in order:
        extent = _extent(items[n])
        if extent is None:
            continue
        start, end = extent
        for row, busy_until in enumerate(ends):
            if busy_until <= start:
                ends[row] = end
                out[n] = row
                break
        else:
            out[n] = len(ends)
            ends.append(end)
    return out


def _order(item: Item) -> tuple[bool, datetime, int]:
    return (item.start is None, item.start or datetime.min.replace(tzinfo=UTC), item.id)


def working_hours(lane: Lane, start: datetime, end: datetime) -> float:
    """Hours of the lane's shifts inside [start, end)."""
    total = 0.0
    for s, e in lane.shifts:
        lo, hi = max(s, start), min(e, end)
        if hi > lo:
            total += (hi - lo).total_seconds() / 3600
    return total


def booked_hours(lane: Lane, start: datetime, end: datetime) -> float:
    """Hours of the lane's appointments inside [start, end): an appointment running past midnight counts only
    its part in the day; two at once both count (a double booking shows as more booked hours)."""
    return sum(overlap_hours(item, start, end) for item in lane.items)


def hours_span(lanes: Sequence[Lane], day_start: datetime, tz: tzinfo | None,
               day_end: datetime | None = None, base: tuple[int, int] | None = None) -> tuple[int, int]:
    """The hours the day view spans: ``base`` (the day's business hours, when the company has any that day;
    else 06-20), widened to the earliest start and the latest end of the lanes' shifts and appointments within
    the day (whole hours from local midnight; 0-24 at most). Parts outside the day (an appointment running
    past midnight) are clipped, and the calendar marks them.

    ``day_end``: the day's end (a DST day is 23 or 25 hours); default 24 hours after ``day_start``."""
    day_end = day_end if day_end is not None else day_start + timedelta(days=1)
    total = max(1, round((day_end - day_start).total_seconds() / 3600))
    first, last = DAY_START, DAY_END
    if base is not None and 0 <= base[0] < base[1]:
        first, last = base[0], min(base[1], total)
    spans: list[tuple[datetime, datetime]] = []
    for lane in lanes:
        spans.extend(lane.shifts)
        spans.extend(extent for extent in map(_extent, lane.items) if extent is not None)
    for s, e in spans:
        if e <= day_start or s >= day_end:
            continue
        lo, hi = max(s, day_start), min(e, day_end)
        first = min(first, int((lo - day_start).total_seconds() // 3600))
        last = max(last, -int(-(hi - day_start).total_seconds() // 3600))  # rounded up to the hour
    return max(0, first), min(total, last)


def business_span(hours: d.BusinessHours | None, day: date) -> tuple[int, int] | None:
    """(first, last) open hour of ``day`` from cached business hours (``domain.BusinessHours``), or None when
    there are none or the company is closed that day."""
    if hours is None:
        return None
    try:
        span: tuple[int, int] | None = hours.span(day.weekday())
        return span
    except (AttributeError, TypeError, ValueError):
        return None


def span_columns(start: datetime | None, end: datetime | None, origin: datetime, hours: int,
                 width: int) -> tuple[int, int] | None:
    """The columns [a, b) that [start, end) covers on a timeline of ``width`` columns for ``hours`` hours
    from ``origin``; at least one column wide; None when it is off the timeline."""
    if start is None or width <= 0:
        return None
    end = end if end is not None and end > start else start + timedelta(minutes=30)
    total = hours * 3600
    a = (start - origin).total_seconds() / total * width
    b = (end - origin).total_seconds() / total * width
    if b <= 0 or a >= width:
        return None
    lo = max(0, int(a))
    hi = min(width, max(lo + 1, int(round(b))))
    return lo, hi


def place(start: datetime | None, end: datetime | None, origin: datetime, hours: int,
          width: int) -> tuple[int, int, bool, bool] | None:
    """Where an appointment goes on the timeline: (first column, end column, clipped on the left, clipped on
    the right). Unlike :func:`span_columns` it is never None for a timed appointment: one that is off the
    timeline entirely is pinned to the edge it lies beyond (one column, marked clipped), so it stays visible
    and the cursor can land on it."""
    if start is None or width <= 0:
        return None
    end = end if end is not None and end > start else start + MIN_LENGTH
    total = hours * 3600
    a = (start - origin).total_seconds() / total * width
    b = (end - origin).total_seconds() / total * width
    if b <= 0:
        return 0, 1, True, False
    if a >= width:
        return width - 1, width, False, True
    # both edges rounded the same way: back-to-back appointments meet, and never share a column
    lo = min(width - 1, max(0, int(round(a))))
    hi = min(width, max(lo + 1, int(round(b))))
    return lo, hi, a < 0, b > width


def overlap_hours(item: Item, start: datetime, end: datetime) -> float:
    """Hours of ``item`` inside [start, end) (0 without a start or an end)."""
    if item.start is None or item.end is None:
        return 0.0
    lo, hi = max(item.start, start), min(item.end, end)
    return max(0.0, (hi - lo).total_seconds() / 3600)


# ------------------------------------------------------------------------------------------- tray

def tray_sections(items: Sequence[Item], workflow: Workflow) -> dict[str, list[Item]]:
    """The appointments of the period a dispatcher still has to deal with: the workflow's tray sections
    (title -> items, in its order)."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(items, key=_order):
        if item.deleted:
            continue
        category = workflow.appointment_category(item.status)
        if category == StatusCategory.CANCELED:
            by_kind["canceled"].append(item)
            continue
        if category == StatusCategory.HELD:
            by_kind["held"].append(item)
        if not item.technician_ids and category not in FINISHED:
            by_kind["unassigned"].append(item)
        if not item.confirmed and category in NOT_STARTED:
            by_kind["unconfirmed"].append(item)
    return {section.title: by_kind[section.kind] for section in workflow.tray}
