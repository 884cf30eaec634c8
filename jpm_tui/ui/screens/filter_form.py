"""'f': the filter form (status, priority, job type, business unit, technician, appointment dates)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from ..format import local
from ..source import JobQuery
from ..text import clean, plain

if TYPE_CHECKING:
    from jpm_tui.provider.workflow import Workflow

__all__ = ["FilterChoices", "FilterForm", "describe_filters", "status_choices"]

V = TypeVar("V")

LookupName = Callable[[str, int], str]

StatusChoice = tuple[tuple[str, ...], str]
"""(the status values it filters on, its label): one status, or several."""

OPEN_JOBS = "Open jobs"
"""The status choice of every job still to be done (``Workflow.open_job_statuses``)."""


def status_choices(workflow: Workflow) -> tuple[StatusChoice, ...]:
    """The status filter's choices, in the order the form lists them and 's' steps through: the open jobs (what
    a dispatcher mostly wants), then each status of the workflow."""
    open_jobs = workflow.open_job_statuses()
    singles = tuple(((s.value,), s.label) for s in workflow.job_statuses)
    return ((open_jobs, OPEN_JOBS), *singles) if open_jobs else singles


@dataclass(frozen=True)
class FilterChoices:
    """(id, name) pairs offered by the form; names are API text (rendered through ``plain``). Statuses are
    ``status_choices``; priorities (value, label) pairs from the backend's workflow, in its order."""

    job_types: Sequence[tuple[int, str]] = ()
    business_units: Sequence[tuple[int, str]] = ()
    technicians: Sequence[tuple[int, str]] = ()
    tz: tzinfo | None = field(default=None)
    statuses: Sequence[StatusChoice] = ()
    priorities: Sequence[tuple[str, str]] = ()


def _names(kind: str, ids: Sequence[int], lookup_name: LookupName) -> str:
    return ", ".join(clean(lookup_name(kind, i)) for i in ids)


def describe_filters(query: JobQuery, lookup_name: LookupName, tz: tzinfo | None = None,
                     status_label: Callable[[str], str] = str, open_statuses: Sequence[str] = ()) -> list[str]:
    """The active filters as short plain-text phrases for the filter bar (statuses by ``status_label``; the
    ``open_statuses`` together as the open jobs)."""
    parts: list[str] = []
    if query.text:
        parts.append(f'"{clean(query.text)}"')
    if query.statuses and set(query.statuses) == set(open_statuses):
        parts.append(OPEN_JOBS.lower())
    elif query.statuses:
        parts.append("status " + ", ".join(clean(status_label(s)) for s in query.statuses))
    if query.priorities:
        parts.append("priority " + ", ".join(clean(p) for p in query.priorities))
    if query.job_type_ids:
        parts.append("type " + _names("job_type", query.job_type_ids, lookup_name))
    if query.business_unit_ids:
        parts.append("BU " + _names("business_unit", query.business_unit_ids, lookup_name))
    if query.technician_ids:
        parts.append("tech " + _names("technician", query.technician_ids, lookup_name))
    if query.appointment_from or query.appointment_to:
        start = local(query.appointment_from, tz).date().isoformat() if query.appointment_from else "…"
        end = (local(query.appointment_to, tz) - timedelta(seconds=1)).date().isoformat() if query.appointment_to else "…"
        parts.append(f"appt {start} – {end}")
    return parts


def _filter(value: object) -> tuple[object, ...]:
    """The values a choice filters on: its own, or those of a choice of several (a tuple: "Open jobs")."""
    return value if isinstance(value, tuple) else (value,)


def _select(id: str, values: Sequence[tuple[object, str]], current: Sequence[object]) -> Select[object]:
    options = [(plain(label), value) for value, label in values]
    value = next((v for v, _ in values if current and set(_filter(v)) == set(current)), Select.NULL)
    return Select(options, prompt="any", value=value, id=id, allow_blank=True)


class FilterForm(ModalScreen[JobQuery | None]):
    """Returns the edited query (ctrl+s / enter) or None (escape)."""

    CSS_PATH = "filter_form.tcss"
    HELP_TITLE = "Filter"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Apply", priority=True, id="apply"),
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+x", "clear", "Clear all", id="clear-filters"),
    ]

    def __init__(self, query: JobQuery, choices: FilterChoices) -> None:
        super().__init__()
        self.original = query
        self.choices = choices

    def compose(self) -> ComposeResult:
        q, c = self.original, self.choices
        with Vertical(id="filter-form") as form:
            form.border_title = "Filter jobs"
            form.border_subtitle = "ctrl+s apply · esc cancel · ctrl+x clear"
            with Grid(id="filter-grid"):
                yield Label("Status")
                yield _select("f-status", c.statuses, q.statuses)
                yield Label("Priority")
                yield _select("f-priority", c.priorities, q.priorities)
                yield Label("Job type")
                yield _select("f-job-type", c.job_types, q.job_type_ids)
                yield Label("Business unit")
                yield _select("f-bu", c.business_units, q.business_unit_ids)
                yield Label("Technician")
                yield _select("f-tech", c.technicians, q.technician_ids)
                yield Label("Appt from")
                yield Input(self._day(q.appointment_from), placeholder="YYYY-MM-DD", id="f-from")
                yield Label("Appt to")
                yield Input(self._day(q.appointment_to, end=True), placeholder="YYYY-MM-DD", id="f-to")
            yield Static(id="filter-error")

    def _day(self, value: datetime | None, *, end: bool = False) -> str:
        if value is None:
            return ""
        value = local(value, self.choices.tz)
        return (value - timedelta(seconds=1) if end else value).date().isoformat()

    def _parse_day(self, input_id: str, *, end: bool = False) -> datetime | None:
        text = self.query_one(f"#{input_id}", Input).value.strip()
        if not text:
            return None
        day = date.fromisoformat(text)  # ValueError is reported by action_apply
        if end:
            day += timedelta(days=1)  # the 'to' day is inclusive: filter up to the next midnight
        start = datetime.combine(day, time())
        tz = self.choices.tz
        return start.replace(tzinfo=tz) if tz is not None else start.astimezone()

    def _value(self, select_id: str, kind: type[V]) -> tuple[V, ...]:
        """The select's choice as a filter, empty when none (``Select.NULL``); ``kind`` is what it was filled with."""
        value = self.query_one(f"#{select_id}", Select).value
        return tuple(v for v in _filter(value) if isinstance(v, kind))

    def action_apply(self) -> None:
        try:
            start = self._parse_day("f-from")
            end = self._parse_day("f-to", end=True)
        except ValueError:
            self.query_one("#filter-error", Static).update(plain("Dates are YYYY-MM-DD, e.g. 2025-05-14."))
            return
        if start and end and end <= start:
            self.query_one("#filter-error", Static).update(plain("'Appt to' is before 'Appt from'."))
            return
        self.dismiss(dataclasses.replace(
            self.original,
            statuses=self._value("f-status", str),
            priorities=self._value("f-priority", str),
            job_type_ids=self._value("f-job-type", int),
            business_unit_ids=self._value("f-bu", int),
            technician_ids=self._value("f-tech", int),
            appointment_from=start,
            appointment_to=end,
        ))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_apply()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_clear(self) -> None:
        for select in self.query(Select):
            select.clear()
        for field_input in self.query(Input):
            field_input.value = ""
