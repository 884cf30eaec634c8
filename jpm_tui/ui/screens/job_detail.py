"""One job: every field, appointments, notes, who booked it, history, cancellations, custom fields and the raw
payload.

The booked log has no feed: opening a job online reads it into the cache in the background
(``JpmApp.read_opened_job``), and the detail reloads from the cache when it lands. Offline it shows what
the cache has, or says the booked log is not cached yet."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...cache.outbox import Outbox, OutboxEntry, OutboxState
from ...cache.store import ProjectListRow, ProjectQuery
from ...provider import domain as d
from ...provider.workflow import FormContext
from ..commands import binding_help
from ..format import EMPTY, local, phone, short_when, when, when_time
from ..planned_vs_real import planned_vs_real
from ..source import JobDetailSource
from ..text import clean, plain
from ..widgets.virtual_table import PRIORITY_CLASSES, STATUS_CLASSES, priority_class, status_class
from ..writes import Writes
from .modals import Choice, ConfirmScreen, PickerScreen, TextEntryScreen, ask
from .record import RecordScreen

__all__ = ["JOB_ACTIONS", "JOB_ACTION_BINDINGS", "JobDetail", "JobDetailScreen", "load_detail"]

JOB_ACTIONS = Binding.Group("Job actions")
"""The job's writes. Each queues a command in the outbox; a state that forbids one greys its key and the
screen says why (``Workflow.job_refusals``); an action the backend lacks (not in its workflow) has no key."""

JOB_ACTION_BINDINGS: list[BindingType] = [
    Binding("c", "cancel_job", "Cancel job", group=JOB_ACTIONS, id="cancel-job"),
    Binding("u", "remove_cancellation", "Remove cancellation", group=JOB_ACTIONS, show=False,
            id="remove-cancellation"),
    Binding("h", "hold", "Hold", group=JOB_ACTIONS, id="hold"),
    Binding("H", "remove_hold", "Remove hold", group=JOB_ACTIONS, show=False, id="remove-hold"),
    Binding("n", "add_note", "Note", group=JOB_ACTIONS, id="add-note"),
    Binding("e", "edit_summary", "Edit summary", group=JOB_ACTIONS, id="edit-summary"),
    Binding("exclamation_mark", "edit_priority", "Priority", group=JOB_ACTIONS, show=False, id="edit-priority"),
    Binding("t", "edit_job_type", "Job type", group=JOB_ACTIONS, show=False, id="edit-job-type"),
    Binding("b", "edit_business_unit", "Business unit", group=JOB_ACTIONS, show=False, id="edit-business-unit"),
    Binding("A", "attach_project", "Attach to project", group=JOB_ACTIONS, show=False, id="attach-project"),
    Binding("D", "detach_project", "Detach from project", group=JOB_ACTIONS, show=False, id="detach-project"),
    Binding("N", "new_appointment", "New appointment", group=JOB_ACTIONS, show=False, id="new-appointment"),
    # A backend with one window and one technician per job, and a transition table (FSM Navigator).
    Binding("s", "change_status", "Status", group=JOB_ACTIONS, id="change-status"),
    Binding("d", "edit_description", "Description", group=JOB_ACTIONS, show=False, id="edit-description"),
    Binding("T", "assign_technician", "Technician", group=JOB_ACTIONS, id="assign-technician"),
    Binding("R", "reschedule_job", "Reschedule", group=JOB_ACTIONS, show=False, id="reschedule-job"),
    Binding("l", "link_assets", "Link assets", group=JOB_ACTIONS, show=False, id="link-assets"),
    Binding("L", "unlink_assets", "Unlink assets", group=JOB_ACTIONS, show=False, id="unlink-assets"),
    Binding("E", "edit_job_fields", "Edit job", group=JOB_ACTIONS, id="edit-job-fields"),
]

log = logging.getLogger(__name__)

_ACTION_WORDS = {b.action: b.description for b in JOB_ACTION_BINDINGS if isinstance(b, Binding)}

_Recall = Callable[[Any], tuple[Mapping[str, str], tuple[str, ...]] | None]
"""(a queued command) -> the dialog's answer it was made of ((changes, cleared)), or None for another command."""


def _one_change(name: str) -> _Recall:
    """Reads back an ``EditJob`` of only the field ``name``: what the job's one-field dialogs (summary, priority)
    queue, on every backend that has them."""

    def recall(command: Any) -> tuple[Mapping[str, str], tuple[str, ...]] | None:
        if isinstance(command, d.EditJob) and set(command.changes) == {name}:
            return {name: str(command.changes[name])}, ()
        return None

    return recall
_JOB_ACTION_NAMES = frozenset(_ACTION_WORDS)


@dataclass
class JobDetail:
    """Everything the detail screen shows, read in one go on the reader thread."""

    job: d.Job
    appointments: Sequence[d.Appointment] = ()
    technicians: Mapping[int, str] = field(default_factory=dict)
    """The technicians' names on each appointment, by appointment id."""
    notes: Sequence[d.Note] = ()
    history: Sequence[d.HistoryEntry] = ()
    canceled_log: Sequence[d.CanceledLogEntry] = ()
    booked_log: d.BookedLogEntry | None = None
    """The job's booked log as cached (None: none, or not read yet; ``booked_log_read_on`` tells which)."""
    booked_log_read_on: datetime | None = None
    """When the cache last read the booked log from the server (None: never, so "not cached yet")."""
    extra: dict[str, Any] = field(default_factory=dict)
    pending: Sequence[OutboxEntry] = ()
    """Writes queued against the job or its appointments and not done yet (failed ones included)."""
    overlay: dict[str, Any] = field(default_factory=dict)
    appointment_overlays: dict[int, dict[str, Any]] = field(default_factory=dict)
    customer_projects: Sequence[ProjectListRow] = ()


def load_detail(source: JobDetailSource, job_id: int, outbox: Outbox | None = None) -> JobDetail | None:
    job = source.job(job_id)
    if job is None:
        return None
    appointments = source.appointments_for_job(job_id)
    detail = JobDetail(
        job=job,
        appointments=appointments,
        technicians=source.appointment_technicians(job_id),
        notes=source.notes_for_job(job_id),
        history=source.history_for_job(job_id),
        canceled_log=source.canceled_log_for_job(job_id),
        extra=(extra := _people_and_places(source, job)),
        customer_projects=_customer_projects(source, job.customer_id),
        booked_log=source.booked_log_for_job(job_id),
        booked_log_read_on=source.booked_log_read_on(job_id),
    )
    extra["tags"] = _tags(source, job, extra.get("customer"), extra.get("location"))
    extra["custom_field_definitions"] = source.custom_field_definitions(include_inactive=True)
    extra["people"] = source.people_of(job.customer_id) if job.customer_id else []
    if outbox is not None:
        detail.pending = [*outbox.pending_for("job", job_id),
                          *(e for a in appointments for e in outbox.pending_for("appointment", a.id))]
        detail.pending = sorted(detail.pending, key=lambda e: e.id)
        detail.overlay = outbox.overlay("job", job_id)
        detail.appointment_overlays = {a.id: o for a in appointments if (o := outbox.overlay("appointment", a.id))}
    return detail


def _people_and_places(source: JobDetailSource, job: d.Job) -> dict[str, Any]:
    """The customer, the location, their contacts and the job's project."""
    customer_id, location_id = job.customer_id, job.location_id
    customer = source.customer(customer_id) if customer_id else None
    location = source.location(location_id) if location_id else None
    contacts = [*(source.contacts_for("customer", customer_id) if customer_id else ()),
                *(source.contacts_for("location", location_id) if location_id else ())]
    project_id = job.project_id
    project = source.project(project_id) if project_id else None
    return {"customer": customer, "location": location, "contacts": contacts, "project": project}


def _tags(source: JobDetailSource, job: d.Job, customer: d.Customer | None, location: d.Location | None) -> dict[str, list[str]]:
    """Tag names on the job, its customer and its location (``d.tag_ids``), by the cached tag types; an id
    the cache does not know shows as ``#id``. Inactive tag types still name the tags that use them."""
    names = {t.id: t.name for t in source.tag_types(include_inactive=True)}
    return {owner: [names.get(i) or f"#{i}" for i in d.tag_ids(record)]
            for owner, record in (("job", job), ("customer", customer), ("location", location))
            if record is not None}


def _address(place: d.Location) -> str:
    street = " ".join(part for part in (place.street, place.unit) if part)
    region = " ".join(part for part in (place.state, place.zip) if part)
    return ", ".join(part for part in (street, place.city, region) if part)


_FIELD_KEYS = {"Summary": "summary", "Priority": "priority", "Job type": "job_type_id",
               "Business unit": "business_unit_id", "Project": "project_id"}
"""Detail label -> the domain field a write changes (its folded form matches the wire name of a field error)."""


class JobDetailScreen(RecordScreen):
    HELP_TITLE = "Job detail"
    CSS_PATH = "job_detail.tcss"
    STYLE = "job-detail"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "job-detail--label",
        "job-detail--muted",
        "job-detail--heading",
        "job-detail--error",
        "job-detail--pending",
        *STATUS_CLASSES,
        *PRIORITY_CLASSES,
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="back"),
        Binding("r", "toggle_raw", "Raw payload", id="raw"),
        Binding("y", "copy('number')", "Copy job #", id="copy"),
        Binding("a", "copy('address')", "Copy address", id="copy-address"),
        Binding("p", "copy('phone')", "Copy phone", id="copy-phone"),
        Binding("o", "open_link", "Open in browser", show=False, id="open-link"),
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
        self.refusals: dict[str, str] | None = None
        """Job action -> why not (None until the job is read: every action waits)."""
        self.show_raw = False
        self.booked_reading = False
        """The booked log is being read from the server right now."""
        self.writes = Writes(self.board, _JOB_ACTION_NAMES)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(plain("Loading…"), id="detail-content")

    async def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        await self._load()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.call_after_refresh(self._show))
        self.watch(self.app, "data_version", lambda _version: self._reload(), init=False)
        live = self.board.live
        if self.detail is not None and live is not None and live.reads_from_server:
            self.booked_reading = True
            refresh: Callable[[], Awaitable[None]] = self._read_opened_job
            self.run_worker(refresh, group="booked-log")

    async def _read_opened_job(self) -> None:
        """Once per opening, online: the job's booked log (and what else no feed carries) from the server into the
        cache. When it is stored the app bumps ``data_version`` and the detail reloads; otherwise (an error,
        logged) it stays as it was."""
        stored = False
        try:
            stored = await self.board.read_opened_job(self.job_id)
        except Exception:  # noqa: BLE001 - never break the detail over the booked log
            log.exception("reading the booked log of job %s", self.job_id)
        finally:
            self.booked_reading = False
        if not stored and self.is_attached:
            self.call_after_refresh(self._show)

    async def _load(self) -> None:
        live = self.board.live
        read = await self.board.read_kept(load_detail, self.board.source, self.job_id,
                                          live.outbox if live is not None else None)
        if read is None:  # a team's database out of reach (said): what is shown stays; its return reloads it
            return
        (self.detail,) = read
        self.refusals = self._refusals()
        self._remember_names()
        self.refresh_bindings()
        # Colours are baked into the Text: draw once this screen's CSS applies, and again on a theme change.
        self.call_after_refresh(self._show)

    def _reload(self) -> None:
        load: Callable[[], Awaitable[None]] = self._load
        self.run_worker(load, exclusive=True, group="detail-load")

    def _refusals(self) -> dict[str, str]:
        if self.detail is None:
            return dict.fromkeys(_JOB_ACTION_NAMES, f"job {self.job_id} is not in the local cache")
        refusals = self.board.workflow.job_refusals(
            self.detail.job, self.detail.overlay, self.detail.appointments, self.detail.appointment_overlays,
            writable=self.board.read_only_reason, has_cancel_reasons=bool(self.board.named("cancel_reason")),
            has_hold_reasons=bool(self.board.named("hold_reason")), has_projects=bool(self.detail.customer_projects))
        if not d.linked_assets(self.detail.job) and not self.board.read_only_reason:
            refusals["unlink_assets"] = "the job has no linked assets"
        return refusals

    def _remember_names(self) -> None:
        if self.detail is None:
            return
        self.board.remember_name("job", self.job_id, self._job_words)
        for appointment in self.detail.appointments:
            number = appointment.number or appointment.id
            self.board.remember_name("appointment", appointment.id, f"appointment {clean(number)}")
        project = self.detail.extra.get("project")
        if project is not None:
            self.board.remember_name("project", project.id, f"project {clean(project.number)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.writes.check(action, self.refusals)

    # ------------------------------------------------------------------ rendering

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
        assert self.detail is not None
        text = json.dumps(self.detail.job.raw, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        out = Text(end="")
        out.append("Raw payload (r: back to fields)\n\n", self._style("job-detail--heading"))
        out.append_text(plain(text, multiline=True))
        return out

    def _lookup_name(self, kind: str, item_id: int | None) -> str:
        return self.board.lookup_name(kind, item_id) if item_id else EMPTY

    def _fields(self, rows: Sequence[tuple[str, Any]], *, queued: set[str] = frozenset(),  # type: ignore[assignment]
                errors: dict[str, str] | None = None) -> Table:
        """Label/value rows; a value a queued write changes says so, and a refused write's field error is
        shown under the field it concerns."""
        table = Table.grid(padding=(0, 2))
        table.add_column(style=self._style("job-detail--label"), no_wrap=True, min_width=14)
        table.add_column(overflow="fold")
        for label, value in rows:
            text = value if isinstance(value, Text) else plain(value, multiline=True)
            if _FIELD_KEYS.get(label) in queued:
                text.append(" (queued)", self._style("job-detail--pending"))
            table.add_row(Text(label), text)
            error = (errors or {}).get(d.fold(_FIELD_KEYS.get(label, label)))
            if error:
                table.add_row(Text(""), plain(f"✗ {error}", self._style("job-detail--error"), multiline=True))
        return table

    def _tags_text(self, tags: dict[str, list[str]]) -> Text:
        """``VIP, Warranty · customer tag: Member · location tags: Pets On Site, Gate`` (the job's own, or ``EMPTY``;
        owners without tags left out)."""
        out = Text(end="")
        out.append_text(plain(", ".join(clean(n) for n in tags.get("job", ())) or EMPTY))
        for owner in ("customer", "location"):
            if tags.get(owner):
                out.append(f" · {owner} tag{'s' if len(tags[owner]) > 1 else ''}: ", self._style("job-detail--muted"))
                out.append_text(plain(", ".join(clean(n) for n in tags[owner])))
        return out

    def _server_errors(self) -> dict[str, str]:
        """Field name as the backend gave it -> the server's messages, from this job's refused writes."""
        out: dict[str, str] = {}
        for entry in self.detail.pending if self.detail is not None else ():
            if entry.state == OutboxState.FAILED:
                for name, messages in entry.field_errors.items():
                    out[name] = "; ".join(str(m) for m in messages)
        return out

    def _field_errors(self) -> dict[str, str]:
        """Folded wire field name -> the server's messages, from this job's refused writes."""
        return {d.fold(name): messages for name, messages in self._server_errors().items()}

    def _unavailable_lines(self) -> list[Any]:
        refused = [(action, why) for action, why in (self.refusals or {}).items()
                   if action in _ACTION_WORDS and self.board.workflow.supports(action)]
        if not refused or self.board.read_only_reason:
            return [self._heading(f"Actions: {self.board.read_only_reason}")] if self.board.read_only_reason else []
        out: list[Any] = [self._heading("Not possible now")]
        keys = {entry.action: entry.keys[0] for entry in binding_help(self)}
        for action, why in refused:
            words = _ACTION_WORDS[action]
            line = Text(end="")
            line.append(f"{keys.get(action, '')} {words}: ", self._style("job-detail--label"))
            line.append(why, self._style("job-detail--muted"))
            out.append(line)
        return out

    def _booked_lines(self) -> list[Any]:
        """Who booked the job, when, and the appointment booked (its start and arrival window), as cached."""
        detail = self.detail
        if detail is None or not self.board.workflow.capabilities.booked_log:
            return []
        out: list[Any] = [self._heading("Booked")]
        entry = detail.booked_log
        if entry is None:
            if detail.booked_log_read_on is not None:
                words = "The server has no booked log for this job."
            elif self.booked_reading:
                words = "Reading the booked log from the server…"
            else:
                words = "The booked log is not cached yet (it is read when the job is opened online)."
            out.append(plain(words, self._style("job-detail--muted")))
            return out
        tz = self.board.tz
        appointment_id = entry.appointment_id
        appointment = next((a for a in detail.appointments if a.id == appointment_id), None)
        number = appointment.number if appointment is not None else None
        booked = f"{clean(number)}  " if number else (f"#{appointment_id}  " if appointment_id else "")
        booked += when(entry.start, tz)
        window = (entry.arrival_window_start, entry.arrival_window_end)
        if window[0] and window[1]:
            booked += f"  arrive {when_time(window[0], tz)}–{when_time(window[1], tz)}"
        out.append(self._fields([
            ("Booked by", self.board.person_name(entry.created_by_id) or EMPTY),
            ("Booked on", when(entry.created_on, tz)),
            ("Appointment", booked),
        ]))
        return out

    def _sections(self) -> list[Any]:
        detail = self.detail
        assert detail is not None
        job = detail.job
        out: list[Any] = []
        title = Text(end="")
        title.append(f"Job {clean(job.number or job.id)}", self._style("job-detail--heading"))
        overlay = detail.overlay
        status = overlay.get("status") or job.status
        priority = overlay.get("priority") or job.priority
        title.append("  ")
        title.append_text(plain(self.board.workflow.status_label(status),
                                self._style(status_class(self.board.workflow.category(status)))))
        if "status" in overlay:
            title.append(" (queued)", self._style("job-detail--pending"))
        if priority and self.board.workflow.job_column("priority"):  # a backend without priorities: none shown
            title.append("  ")
            level = self.board.workflow.priority_level(priority)
            title.append_text(plain(f"{clean(priority)} priority", self._style(priority_class(level))))
        out.append(title)
        out.extend(self._pending_lines())
        tz = self.board.tz
        people = detail.extra
        known_customer: d.Customer | None = people.get("customer")
        known_location: d.Location | None = people.get("location")
        customer = known_customer.name if known_customer else None
        location = known_location.name if known_location else None
        address = _address(known_location) if known_location else None
        contacts = people.get("contacts") or ()
        phones = ", ".join(dict.fromkeys(phone(clean(c.value)) for c in contacts if c.type.is_phone and c.value))
        emails = ", ".join(dict.fromkeys(clean(c.value) for c in contacts if c.type == "Email" and c.value))
        known_project = people.get("project")
        project = (f"{known_project.number} {known_project.name}".strip() if known_project
                   else job.project_id)
        job_type_id = overlay.get("job_type_id") or job.job_type_id
        business_unit_id = overlay.get("business_unit_id") or job.business_unit_id
        if "project_id" in overlay:
            project = (self.board.name_of("project", overlay["project_id"]) or f"project {overlay['project_id']}"
                       if overlay["project_id"] else EMPTY)
        workflow = self.board.workflow
        absent = {label for label, has in (("Priority", workflow.job_column("priority")),
                                           ("Job type", workflow.job_column("job_type")),
                                           ("Business unit", workflow.job_column("business_unit")),
                                           ("Project", workflow.capabilities.projects)) if not has}
        fields = [
            ("Summary", overlay.get("summary") or job.summary or EMPTY),
            ("Priority", priority or EMPTY),
            ("Job type", self._lookup_name("job_type", job_type_id)),
            ("Business unit", self._lookup_name("business_unit", business_unit_id)),
            ("Tags", self._tags_text(people.get("tags") or {})),
            ("Customer", customer or EMPTY),
            ("Location", location or EMPTY),
            ("Address", address or EMPTY),
            ("Phone", phones or EMPTY),
            ("Email", emails or EMPTY),
            ("Project", project or EMPTY),
            ("Created", when(job.created_on, tz)),
            ("Modified", when(job.modified_on, tz)),
            ("Completed", when(job.completed_on, tz)),
        ]
        out.append(self._fields([f for f in fields if f[0] not in absent], queued=set(overlay),
                                errors=self._field_errors()))
        out.extend(self._planned_vs_real_lines(job))
        out.extend(self._one_window_lines(job, overlay))
        custom = d.custom_fields(job, {f.id: f.name for f in people.get("custom_field_definitions", ())})
        out.append(self._heading("Custom fields", len(custom)))
        if custom:
            out.append(self._fields([(clean(name), value) for name, value in custom]))
        out.append(self._heading("Appointments", len(detail.appointments)))
        for appt in detail.appointments:
            line = Text(end="")
            line.append(f"{clean(appt.number or appt.id)}  ", "bold")
            line.append(f"{when(appt.start, tz)} – {when_time(appt.end, tz)}  ")
            appt_status = appt.status
            category = self.board.workflow.appointment_category(appt_status)
            line.append_text(plain(self.board.workflow.appointment_status_label(appt_status),
                                   self._style(status_class(category))))
            techs = detail.technicians.get(appt.id, "")
            line.append("  ")
            # "unassigned", not EMPTY: a dispatcher acts on it (the calendar's tray lists it), it is no missing value
            line.append_text(plain(techs or "unassigned", self._style("job-detail--muted") if not techs else ""))
            window = (appt.arrival_window_start, appt.arrival_window_end)
            if window[0]:
                line.append(f"  arrive {when_time(window[0], tz)}–{when_time(window[1], tz)}",
                            self._style("job-detail--muted"))
            out.append(line)
            instructions = appt.special_instructions
            if instructions:
                out.append(plain(f"    {clean(instructions, multiline=True)}", self._style("job-detail--muted"),
                                 multiline=True))
        out.extend(self._note_lines())
        out.extend(self._booked_lines())
        history = sorted(detail.history, key=lambda h: str(h.at or ""))
        out.append(self._heading("History", len(history)))
        for event in history:
            line = Text(end="")
            line.append(when(event.at, tz), self._style("job-detail--label"))
            line.append("  ")
            line.append_text(plain(event.event or EMPTY))
            who = self.board.person_name(event.employee_id)
            if who:
                line.append("  ")
                line.append_text(plain(who, self._style("job-detail--muted")))
            out.append(line)
        out.extend(self._canceled_lines())
        out.extend(self._unavailable_lines())
        return out

    def _note_lines(self) -> list[Any]:
        """The job's notes, newest first, for a backend that keeps notes."""
        detail = self.detail
        if detail is None or not self.board.workflow.capabilities.notes:
            return []
        notes = sorted(detail.notes, key=lambda n: str(n.created_on or ""), reverse=True)
        out: list[Any] = [self._heading("Notes", len(notes))]
        for note in notes:
            out.extend(self._note_entry(note))
        return out

    def _canceled_lines(self) -> list[Any]:
        """The job's cancellations with their reasons, for a backend that cancels with a reason."""
        detail, tz = self.detail, self.board.tz
        if detail is None or not self.board.workflow.capabilities.cancel_reasons:
            return []
        out: list[Any] = [self._heading("Canceled log", len(detail.canceled_log))]
        for entry in detail.canceled_log:
            line = Text(end="")
            line.append(when(entry.created_on, tz), self._style("job-detail--label"))
            line.append("  ")
            line.append_text(plain(self._lookup_name("cancel_reason", entry.reason_id)))
            memo = entry.memo
            if memo:
                line.append("  ")
                line.append_text(plain(memo, self._style("job-detail--muted")))
            out.append(line)
        return out

    def _planned_vs_real_lines(self, job: d.Job) -> list[Any]:
        """The planned-vs-real line, for a backend that records both (``Workflow.job_times``)."""
        job_times = self.board.workflow.job_times
        if job_times is None:
            return []
        return [self._fields([("Plan vs real", planned_vs_real(job_times(job), self.board.tz))])]

    def _one_window_lines(self, job: d.Job, overlay: Mapping[str, Any]) -> list[Any]:
        """The description and the linked assets (with their relationship types), for a backend that has them."""
        workflow, out = self.board.workflow, []
        if workflow.supports("edit_description"):
            description = overlay.get("description") or job.raw.get("job_description")
            out.append(self._heading("Description"))
            out.append(plain(description or EMPTY, multiline=True))
        if workflow.supports("link_assets"):
            links = d.linked_assets(job)
            out.append(self._heading("Linked assets", len(links or ())))
            if links is None:
                out.append(plain("Not read yet (the sync reads an open job's links).",
                                 self._style("job-detail--muted")))
            for link in links or ():
                line = Text(end="")
                line.append_text(plain(f"{link.get('asset_tag') or link.get('asset_id')}  ", "bold"))
                line.append_text(plain(link.get("asset_name") or ""))
                line.append("  ")
                line.append_text(plain(link.get("relationship_type") or EMPTY, self._style("job-detail--muted")))
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
            "number": clean(self.detail.job.number or self.detail.job.id),
            "address": _address(people["location"]) if people.get("location") else "",
            "phone": next((clean(c.value) for c in people.get("contacts") or () if c.type.is_phone and c.value), ""),
        }
        value = values[what]
        if not value:
            self.notify(f"This job has no {what} to copy", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {what}: {value}", markup=False)

    def action_open_link(self) -> None:
        self.board.open_record("job", self.job_id)

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

    # ------------------------------------------------------------------ job actions (through the outbox)

    @property
    def _job_words(self) -> str:
        number = self.detail.job.number if self.detail is not None else None
        return f"job {clean(number or self.job_id)}"

    def action_cancel_job(self) -> None:
        self.writes.ask(PickerScreen(f"Cancel {self._job_words}: why?", self.writes.choices("cancel_reason"),
                                     memo="Memo"),
                        lambda picked: d.CancelJob(self.job_id, int(picked.value), picked.memo))

    def action_remove_cancellation(self) -> None:
        self.writes.ask(ConfirmScreen("Remove cancellation", f"Bring {self._job_words} back from canceled?"),
                        lambda _yes: d.RemoveCancellation(self.job_id))

    def action_hold(self) -> None:
        assert self.detail is not None
        appointment = self.board.workflow.holdable_appointment(self.detail.appointments,
                                                               self.detail.appointment_overlays)
        if appointment is None:
            return
        when_text = when(appointment.start, self.board.tz)
        self.writes.ask(PickerScreen(f"Hold appointment {clean(appointment.number)} ({when_text}): why?",
                                     self.writes.choices("hold_reason"), memo="Memo"),
                        lambda picked: d.HoldAppointment(appointment.id, int(picked.value), picked.memo))

    def action_remove_hold(self) -> None:
        assert self.detail is not None
        appointment = self.board.workflow.held_appointment(self.detail.appointments, self.detail.appointment_overlays)
        if appointment is None:
            return
        self.writes.ask(ConfirmScreen("Remove hold", f"Take appointment {clean(appointment.number)} off hold?"),
                        lambda _yes: d.RemoveAppointmentHold(appointment.id))

    def action_add_note(self) -> None:
        self.writes.ask(TextEntryScreen(f"Note on {self._job_words}", multiline=True, flag="Pin to top"),
                        lambda written: d.AddJobNote(self.job_id, written.text, pin_to_top=written.flag))

    def _edit(self, **changes: Any) -> d.EditJob:
        return d.EditJob(self.job_id, changes)

    def _edit_text(self, name: str, title: str, current: str) -> None:
        """Edit one text field of the job (an ``EditJob`` of ``name``); a refused edit of it reopens as typed then,
        and sending replaces it."""
        replaces, refused, _, intro = self._correction(_one_change(name))
        self.writes.ask(TextEntryScreen(f"{title} of {self._job_words}", initial=refused.get(name) or current,
                                        multiline=True, intro=intro),
                        lambda written: self._edit(**{name: written.text}), replaces=replaces)

    def action_edit_summary(self) -> None:
        assert self.detail is not None
        self._edit_text("summary", "Summary", self.detail.overlay.get("summary") or self.detail.job.summary)

    def _pick(self, name: str, title: str, choices: list[Choice], value: Callable[[Any], Any]) -> None:
        """Pick one field of the job (an ``EditJob`` of ``name`` = ``value(picked)``); a refused edit of it is
        said above the choices, and picking replaces it."""
        replaces, _, _, intro = self._correction(_one_change(name))
        self.writes.ask(PickerScreen(f"{title} of {self._job_words}", choices, warning=intro),
                        lambda picked: self._edit(**{name: value(picked.value)}), replaces=replaces)

    def action_edit_priority(self) -> None:
        choices = [Choice(p.value, p.label) for p in reversed(self.board.workflow.priorities_by_rank)]
        self._pick("priority", "Priority", choices, str)

    def action_edit_job_type(self) -> None:
        self._pick("job_type_id", "Job type", self.writes.choices("job_type"), int)

    def action_edit_business_unit(self) -> None:
        self._pick("business_unit_id", "Business unit", self.writes.choices("business_unit"), int)

    def action_attach_project(self) -> None:
        assert self.detail is not None
        projects = self.detail.customer_projects
        for project in projects:
            self.board.remember_name("project", project.id, f"project {clean(project.number)}")
        choices = [Choice(p.id, f"{p.number} {p.name}".strip(), f"{p.status} · {p.customer}") for p in projects]
        self.writes.ask(PickerScreen(f"Attach {self._job_words} to project", choices),
                        lambda picked: d.AttachJobToProject(self.job_id, int(picked.value)))

    def action_new_appointment(self) -> None:
        """Book another visit (or the first one for a job that has none): tomorrow 08:00-10:00 local to start
        from, arriving in that window."""
        from .appointment_form import Times, TimesFormScreen

        start = local(self.board.clock(), self.board.tz).replace(hour=8, minute=0, second=0, microsecond=0)
        start = (start + timedelta(days=1)).astimezone(UTC)
        end = start + timedelta(hours=2)
        self.writes.ask(TimesFormScreen(f"New appointment for {self._job_words}", Times(start, end, start, end),
                                        self.board.tz),
                        lambda times: d.CreateAppointment(self.job_id, times.start, times.end,
                                                          times.window_start, times.window_end))

    def action_edit_job_fields(self) -> None:
        """The backend's edit form of the job (``Workflow.forms``): its fields, those the job's state forbids
        read-only with the reason, and the messages of a refused earlier edit under their fields."""
        from .edit_form import EditFormScreen

        assert self.detail is not None
        workflow = self.board.workflow
        form = workflow.forms["edit_job_fields"]
        status = self.detail.overlay.get("status") or self.detail.job.status
        extra = self.detail.extra
        context = FormContext(extra.get("custom_field_definitions", ()), extra.get("people", ()))
        for definition in context.custom_field_definitions:  # the confirmation names them as the form does
            if definition.name:
                self.board.remember_name("custom_field", definition.id, definition.name)
        fields = form.fields(self.detail.job, workflow.category(status), context)
        replaces, changes, cleared, intro = self._correction(form.recall)
        self.writes.ask(EditFormScreen(f"Edit {self._job_words}", fields, self._server_errors(),
                                       typed={**changes, **dict.fromkeys(cleared, "")}, intro=intro),
                        lambda answer: form.command(self.job_id, answer.changes, answer.cleared), replaces=replaces)

    def _correction(self, recall: _Recall | None) -> tuple[int | None, Mapping[str, str], tuple[str, ...], str]:
        """What a dialog starts from when the job has a refused (failed) write that ``recall`` reads back as its
        answer (the latest): (that write's outbox id, which sending the dialog replaces and Esc keeps; its changes
        and cleared fields as typed then; the line that says so). (None, {}, (), "") when there is none."""
        for entry in reversed(self.detail.pending if self.detail is not None and recall is not None else ()):
            command = entry.command
            answer = recall(command) if recall is not None and command is not None else None
            if entry.state == OutboxState.FAILED and entry.target_kind == "job" and answer is not None:
                intro = (f"Correcting the change refused {self._refused_when(entry.updated_at)}: "
                         f"{entry.message or entry.error_text or 'refused by the server'}")  # fields: under each
                return entry.id, *answer, intro
        return None, {}, (), ""

    def _refused_when(self, at: datetime | None) -> str:
        """``at 10:42`` today, else the day too (``Yday 10:42``, ``Wed 10:42``), in the board's zone."""
        now = self.board.clock()
        if at is not None and local(at, self.board.tz).date() == local(now, self.board.tz).date():
            return f"at {local(at, self.board.tz):%H:%M}"
        return short_when(at, now, self.board.tz)

    def action_detach_project(self) -> None:
        self.writes.ask(ConfirmScreen("Detach from project", f"Take {self._job_words} out of its project?"),
                        lambda _yes: d.DetachJobFromProject(self.job_id))



    # ------------------------------------------------------------------ one window per job (FSM Navigator)

    def action_change_status(self) -> None:
        """The statuses the job may move to; the others are listed with why not, and refused when picked."""
        assert self.detail is not None
        workflow = self.board.workflow
        current = str(self.detail.overlay.get("status") or self.detail.job.status)
        allowed = {s.value for s in workflow.next_statuses(current) or ()}
        choices = [Choice(s.value, s.label) for s in workflow.job_statuses if s.value in allowed]
        refused = {s.value: workflow.transition_refusal(current, s.value) or "" for s in workflow.job_statuses
                   if s.value not in allowed and s.value != current}
        choices += [Choice(value, workflow.status_label(value), f"not allowed: {why}") for value, why in refused.items()]

        async def keep(picked: Any) -> str | None:  # a refused move keeps the picker open with its reason
            if picked.value in refused:
                return refused[picked.value]
            return await self.board.queue(d.SetJobStatus(self.job_id, str(picked.value)))

        ask(self.board, PickerScreen(f"Status of {self._job_words} (now {workflow.status_label(current)})", choices),
            keep)

    def action_edit_description(self) -> None:
        assert self.detail is not None
        self._edit_text("description", "Description",
                        self.detail.overlay.get("description") or self.detail.job.raw.get("job_description") or "")

    def action_assign_technician(self) -> None:
        choices = [Choice(0, "Nobody", "take the technician off"),
                   *(Choice(tid, name) for tid, name in self.board.named("technician"))]
        self.writes.ask(PickerScreen(f"Technician of {self._job_words}", choices),
                        lambda picked: d.AssignJobTechnician(self.job_id, int(picked.value) or None))

    def action_reschedule_job(self) -> None:
        from .appointment_form import Times, TimesFormScreen

        assert self.detail is not None
        window = next(iter(self.detail.appointments), None)
        start = window.start if window is not None and window.start else (
            local(self.board.clock(), self.board.tz).replace(hour=8, minute=0, second=0, microsecond=0)
            + timedelta(days=1)).astimezone(UTC)
        end = window.end if window is not None and window.end else start + timedelta(hours=2)
        self.writes.ask(TimesFormScreen(f"Window of {self._job_words}", Times(start, end), self.board.tz),
                        lambda times: d.RescheduleJob(self.job_id, times.start, times.end))

    def action_link_assets(self) -> None:
        assert self.detail is not None
        links = d.linked_assets(self.detail.job) or ()
        linked = {a.get("asset_id") for a in links}
        here = d.linked_assets(self.detail.extra.get("location")) or ()
        choices = [Choice(int(a["asset_id"]), str(a.get("asset_tag") or a["asset_id"]),
                          str(a.get("asset_name") or "")) for a in here if a.get("asset_id") not in linked]
        kinds = self.board.workflow.link_types
        title = f"Link an asset at this location to {self._job_words}"
        if not kinds:
            self.writes.ask(PickerScreen(title, choices), lambda picked: d.LinkAssets(self.job_id, (int(picked.value),)))
            return

        def as_kind(asset: Any) -> None:  # then how it is linked, from the kinds the backend records
            if asset is None:  # backed out
                return
            names = ", ".join(str(a.get("asset_tag") or a.get("asset_id")) for a in links)
            warning = self.board.workflow.link_type_warning.format(linked=names) if links else ""
            self.writes.ask(PickerScreen(f"Link {clean(asset.label)} to {self._job_words} as",
                                         [Choice(k.value, k.label, k.note) for k in kinds], warning=warning),
                            lambda kind: d.LinkAssets(self.job_id, (int(asset.value),), str(kind.value)))

        self.board.push_screen(PickerScreen(title, choices), as_kind)

    def action_unlink_assets(self) -> None:
        assert self.detail is not None
        choices = [Choice(int(a["asset_id"]), str(a.get("asset_tag") or a["asset_id"]),
                          f"{a.get('asset_name') or ''} · {a.get('relationship_type') or ''}")
                   for a in d.linked_assets(self.detail.job) or ()]
        self.writes.ask(PickerScreen(f"Unlink an asset from {self._job_words}", choices),
                        lambda picked: d.UnlinkAssets(self.job_id, (int(picked.value),)))


def _customer_projects(source: JobDetailSource, customer_id: int | None) -> list[ProjectListRow]:
    """The projects a job may join: ServiceTitan only attaches a job to a project of the same customer."""
    if not customer_id:
        return []
    return list(source.projects_window(ProjectQuery(customer_id=customer_id), 0, 200))
