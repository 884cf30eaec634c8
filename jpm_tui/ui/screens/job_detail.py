"""One job: every field, appointments, notes, history, cancellations, custom fields and the raw payload."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..format import when
from ..text import clean, plain
from ..widgets.job_table import priority_class, status_class
from .base import BoardScreen

__all__ = ["JOB_ACTIONS", "JOB_ACTION_BINDINGS", "JobDetail", "JobDetailScreen", "load_detail"]

JOB_ACTIONS = Binding.Group("Job actions")
"""Group for the job's write actions (cancel, hold, add note, ...). They arrive with the outbox: each is a
``Binding(key, action, description, group=JOB_ACTIONS)`` appended to ``JOB_ACTION_BINDINGS`` plus an
``action_*`` on ``JobDetailScreen`` that queues a provider command. None exist yet - none are faked."""

JOB_ACTION_BINDINGS: list[BindingType] = []


@dataclass
class JobDetail:
    """Everything the detail screen shows, read in one go on the reader thread."""

    job: Any
    appointments: Sequence[Any] = ()
    notes: Sequence[Any] = ()
    history: Sequence[Any] = ()
    canceled_log: Sequence[Any] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def load_detail(source: Any, job_id: int) -> JobDetail | None:
    job = source.job(job_id)
    if job is None:
        return None
    return JobDetail(
        job=job,
        appointments=source.appointments_for_job(job_id),
        notes=source.notes_for_job(job_id),
        history=source.history_for_job(job_id),
        canceled_log=source.canceled_log_for_job(job_id),
        extra=_people_and_places(source, job),
    )


def _people_and_places(source: Any, job: Any) -> dict[str, Any]:
    """The customer, the location and their contacts, when the source keeps CRM records (the cache does)."""
    if not hasattr(source, "contacts_for"):
        return {}
    customer_id, location_id = _get(job, "customer_id"), _get(job, "location_id")
    customer = source.customer(customer_id) if customer_id else None
    location = source.location(location_id) if location_id else None
    contacts = [*(source.contacts_for("customer", customer_id) if customer_id else ()),
                *(source.contacts_for("location", location_id) if location_id else ())]
    project_id = _get(job, "project_id")
    project = source.project(project_id) if project_id else None
    return {"customer": customer, "location": location, "contacts": contacts, "project": project}


def _address(place: Any) -> str:
    street = " ".join(part for part in (_get(place, "street"), _get(place, "unit")) if part)
    region = " ".join(part for part in (_get(place, "state"), _get(place, "zip")) if part)
    return ", ".join(part for part in (street, _get(place, "city"), region) if part)


def _get(obj: Any, *names: str) -> Any:
    """First present attribute (or mapping key) of ``obj`` among ``names``."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value not in (None, "", ()):
            return value
    return None


class JobDetailScreen(BoardScreen):
    HELP_TITLE = "Job detail"
    CSS_PATH = "job_detail.tcss"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-detail--label",
        "job-detail--muted",
        "job-detail--heading",
        *(f"job-table--status-{s}" for s in
          ("scheduled", "dispatched", "inprogress", "hold", "completed", "canceled", "other")),
        *(f"job-table--priority-{p}" for p in ("urgent", "high", "normal", "low")),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="back"),
        Binding("r", "toggle_raw", "Raw payload", id="raw"),
        Binding("y", "copy('number')", "Copy job #", id="copy"),
        Binding("a", "copy('address')", "Copy address", id="copy-address"),
        Binding("p", "copy('phone')", "Copy phone", id="copy-phone"),
        Binding("j,down", "scroll('down')", "Scroll down", show=False, id="down"),
        Binding("k,up", "scroll('up')", "Scroll up", show=False, id="up"),
        Binding("pagedown,ctrl+d", "scroll('page_down')", "Page down", show=False, id="page-down"),
        Binding("pageup,ctrl+u", "scroll('page_up')", "Page up", show=False, id="page-up"),
        Binding("home,g", "scroll('home')", "Top", show=False, id="first"),
        Binding("end,G", "scroll('end')", "Bottom", show=False, id="last"),
        *JOB_ACTION_BINDINGS,
    ]

    def __init__(self, job_id: int) -> None:
        super().__init__()
        self.job_id = job_id
        self.detail: JobDetail | None = None
        self.show_raw = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(plain("Loading…"), id="detail-content")

    async def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.detail = await self.board.reader(load_detail, self.board.source, self.job_id)
        # Colours are baked into the Text: draw once this screen's CSS applies, and again on a theme change.
        self.call_after_refresh(self._show)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.call_after_refresh(self._show))

    # ------------------------------------------------------------------ rendering

    def _style(self, name: str) -> Any:
        # partial: only what the component class sets (its colour), not the screen's background
        return self.get_component_rich_style(name, partial=True)

    def _show(self) -> None:
        content = self.query_one("#detail-content", Static)
        if self.detail is None:
            content.update(plain(f"Job {self.job_id} is not in the local cache."))
            return
        if self.show_raw:
            content.update(self._raw())
        else:
            sections = self._sections()
            for section in sections:
                if isinstance(section, Text):
                    section.end = "\n"  # one line (or paragraph) each
            content.update(Group(*sections))

    def _raw(self) -> Text:
        raw = _get(self.detail.job, "raw") or {}
        text = json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        out = Text(end="")
        out.append("Raw payload (r: back to fields)\n\n", self._style("job-detail--heading"))
        out.append_text(plain(text, multiline=True))
        return out

    def _person(self, employee_id: int | None) -> str | None:
        """Who did it, by name: employees first, then technicians (both can write notes and history)."""
        if not employee_id:
            return None
        name = self.board.lookup_name("employee", employee_id)
        return name if not name.startswith("#") else self.board.lookup_name("technician", employee_id)

    def _lookup_name(self, kind: str, item_id: int | None) -> str:
        return self.board.lookup_name(kind, item_id) if item_id else "—"

    def _heading(self, title: str, count: int | None = None) -> Text:
        text = Text(end="")
        text.append(f"\n{title}", self._style("job-detail--heading"))
        if count is not None:
            text.append(f" ({count})", self._style("job-detail--muted"))
        return text

    def _fields(self, rows: Sequence[tuple[str, Any]]) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style=self._style("job-detail--label"), no_wrap=True, min_width=14)
        table.add_column(overflow="fold")
        for label, value in rows:
            table.add_row(Text(label), value if isinstance(value, Text) else plain(value, multiline=True))
        return table

    def _sections(self) -> list[Any]:
        job, detail = self.detail.job, self.detail  # type: ignore[union-attr]
        out: list[Any] = []
        title = Text(end="")
        title.append(f"Job {clean(_get(job, 'number', 'job_number', 'id'))}", self._style("job-detail--heading"))
        status, priority = _get(job, "status"), _get(job, "priority")
        title.append("  ")
        title.append_text(plain(status, self._style(status_class(status))))
        if priority:
            title.append("  ")
            title.append_text(plain(f"{clean(priority)} priority", self._style(priority_class(priority))))
        out.append(title)
        tz = self.board.tz
        people = detail.extra
        customer = _get(people.get("customer"), "name") or _get(job, "customer_name", "customer")
        location = _get(people.get("location"), "name") or _get(job, "location_name", "location")
        address = (_address(people["location"]) if people.get("location") else None) or _get(
            job, "location_address", "address")
        contacts = people.get("contacts") or ()
        phones = ", ".join(dict.fromkeys(clean(c.value) for c in contacts if c.type.is_phone and c.value))
        emails = ", ".join(dict.fromkeys(clean(c.value) for c in contacts if c.type == "Email" and c.value))
        known_project = people.get("project")
        project = (f"{known_project.number} {known_project.name}".strip() if known_project
                   else _get(job, "project_name", "project_number", "project_id"))
        out.append(self._fields([
            ("Summary", _get(job, "summary") or "—"),
            ("Job type", _get(job, "job_type_name", "job_type") or self._lookup_name("job_type", _get(job, "job_type_id"))),
            ("Business unit", _get(job, "business_unit_name", "business_unit")
             or self._lookup_name("business_unit", _get(job, "business_unit_id"))),
            ("Customer", customer or "—"),
            ("Location", location or "—"),
            ("Address", address or "—"),
            ("Phone", phones or "—"),
            ("Email", emails or "—"),
            ("Project", project or "—"),
            ("Campaign", _get(job, "campaign_name", "campaign_id") or "—"),
            ("Created", when(_get(job, "created_on", "created"), tz)),
            ("Modified", when(_get(job, "modified_on", "modified"), tz)),
            ("Completed", when(_get(job, "completed_on"), tz)),
        ]))
        custom = _get(job, "custom_fields") or []
        out.append(self._heading("Custom fields", len(custom)))
        if custom:
            pairs = custom.items() if isinstance(custom, dict) else (
                (_get(f, "name", "type_id", "typeId"), _get(f, "value")) for f in custom)
            out.append(self._fields([(clean(name), value) for name, value in pairs]))
        out.append(self._heading("Appointments", len(detail.appointments)))
        for appt in detail.appointments:
            line = Text(end="")
            line.append(f"{clean(_get(appt, 'number', 'appointment_number', 'id'))}  ", "bold")
            line.append(f"{when(_get(appt, 'start'), tz)} – {when(_get(appt, 'end'), tz)[11:16]}  ")
            appt_status = _get(appt, "status")
            line.append_text(plain(appt_status, self._style(status_class(appt_status))))
            techs = _get(appt, "technician_names", "technicians")
            if isinstance(techs, (list, tuple)):
                techs = ", ".join(clean(_get(t, "name") if not isinstance(t, str) else t) for t in techs)
            line.append("  ")
            line.append_text(plain(techs or "unassigned", self._style("job-detail--muted") if not techs else ""))
            window = (_get(appt, "arrival_window_start"), _get(appt, "arrival_window_end"))
            if window[0]:
                line.append(f"  arrive {when(window[0], tz)[11:16]}–{when(window[1], tz)[11:16]}",
                            self._style("job-detail--muted"))
            out.append(line)
            instructions = _get(appt, "special_instructions")
            if instructions:
                out.append(plain(f"    {clean(instructions, multiline=True)}", self._style("job-detail--muted"),
                                 multiline=True))
        notes = sorted(detail.notes, key=lambda n: str(_get(n, "created_on", "created") or ""), reverse=True)
        out.append(self._heading("Notes", len(notes)))
        for note in notes:
            head = Text(end="")
            head.append(when(_get(note, "created_on", "created"), tz), self._style("job-detail--label"))
            author = _get(note, "created_by_name", "created_by", "author") or self._person(_get(note, "created_by_id"))
            if author:
                head.append("  ")
                head.append_text(plain(author, self._style("job-detail--muted")))
            if _get(note, "pinned", "is_pinned"):
                head.append("  pinned", self._style("job-detail--muted"))
            out.append(head)
            out.append(plain(_get(note, "text") or "", multiline=True))
        history = sorted(detail.history, key=lambda h: str(_get(h, "at", "date", "created_on") or ""))
        out.append(self._heading("History", len(history)))
        for event in history:
            line = Text(end="")
            line.append(when(_get(event, "at", "date", "created_on"), tz), self._style("job-detail--label"))
            line.append("  ")
            line.append_text(plain(_get(event, "event_type", "type", "event") or "event"))
            who = _get(event, "employee_name", "by") or self._person(_get(event, "employee_id"))
            if who:
                line.append("  ")
                line.append_text(plain(who, self._style("job-detail--muted")))
            out.append(line)
        out.append(self._heading("Canceled log", len(detail.canceled_log)))
        for entry in detail.canceled_log:
            line = Text(end="")
            line.append(when(_get(entry, "created_on", "date"), tz), self._style("job-detail--label"))
            line.append("  ")
            reason_id = _get(entry, "reason_id")
            line.append_text(plain(_get(entry, "reason_name", "reason")
                                   or (self.board.lookup_name("cancel_reason", reason_id) if reason_id else "—")))
            memo = _get(entry, "memo")
            if memo:
                line.append("  ")
                line.append_text(plain(memo, self._style("job-detail--muted")))
            out.append(line)
        return out

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_raw(self) -> None:
        self.show_raw = not self.show_raw
        self._show()
        self.query_one("#detail-body", VerticalScroll).scroll_home(animate=False)

    def action_copy(self, what: str = "number") -> None:
        """Copy to the clipboard (OSC 52, so it works over SSH) what a dispatcher pastes into a call or text."""
        if self.detail is None:
            return
        people = self.detail.extra
        values = {
            "number": clean(_get(self.detail.job, "number", "job_number", "id")),
            "address": _address(people["location"]) if people.get("location") else "",
            "phone": next((clean(c.value) for c in people.get("contacts") or () if c.type.is_phone and c.value), ""),
        }
        value = values[what]
        if not value:
            self.notify(f"This job has no {what} to copy", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {what}: {value}", markup=False)

    def action_scroll(self, how: str) -> None:
        body = self.query_one("#detail-body", VerticalScroll)
        {
            "down": lambda: body.scroll_down(animate=False),
            "up": lambda: body.scroll_up(animate=False),
            "page_down": lambda: body.scroll_page_down(animate=False),
            "page_up": lambda: body.scroll_page_up(animate=False),
            "home": lambda: body.scroll_home(animate=False),
            "end": lambda: body.scroll_end(animate=False),
        }[how]()
