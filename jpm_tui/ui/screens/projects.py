"""Projects: the list (virtual table, '/' search, status filter, sort) and one project's detail: fields,
notes (add one), its jobs (open, attach one of the customer's jobs, detach)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...cache.outbox import Outbox, OutboxEntry
from ...cache.store import ProjectQuery
from ...provider import domain as d
from ..format import EMPTY, count, when
from ..source import JobQuery, ProjectDetailSource
from ..text import clean, plain
from ..widgets.filter_bar import FilterBar
from ..widgets.job_table import JobTable
from ..widgets.project_table import PROJECT_COLUMNS, ProjectTable
from ..widgets.virtual_table import STATUS_CLASSES, status_class
from ..writes import Writes
from .modals import Choice, ConfirmScreen, PickerScreen, TextEntryScreen
from .record import RecordScreen
from .table_screen import SearchInput, TableScreen, cycle

__all__ = ["ProjectDetail", "ProjectDetailScreen", "ProjectsScreen", "load_project"]

PROJECT_SORTS = ("number", "name", "modified")
PROJECT_ACTIONS = Binding.Group("Project actions")


class ProjectsScreen(TableScreen):
    TABLE = ProjectTable
    HELP_TITLE = "Projects"
    CSS_PATH = "jobs.tcss"  # the same filter bar and search box as the job list
    AUTO_FOCUS = "ProjectTable"

    BINDINGS: ClassVar[list[BindingType]] = [
        TableScreen.SEARCH_BINDING,
        Binding("s", "cycle_status", "Status filter", id="status-filter"),
        Binding("o", "sort", "Sort", id="sort-next"),
        Binding("r", "reverse", "Reverse sort", show=False, id="reverse-sort"),
        Binding("0", "clear_filters", "All projects", show=False, id="all-projects"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.match_count: int | None = None
        self.statuses: tuple[str, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield FilterBar(id="filter-bar")
        yield SearchInput(placeholder="search projects: number, name…", id="search")
        board = self.board
        yield ProjectTable(board.source, ProjectQuery(), workflow=board.workflow, reader=board.reader,
                           clock=board.clock, tz=board.tz)

    async def on_mount(self) -> None:
        self._show_filters()
        self.watch(self.table, "counted", self._counted)
        await self._load_statuses()
        self.watch(self.app, "data_version", self._statuses_again, init=False)

    async def _load_statuses(self) -> None:
        read = await self.board.read_kept(self._read_statuses)
        if read is not None:
            (self.statuses,) = read

    def _statuses_again(self, _version: int) -> None:
        if not self.statuses:  # not read yet: a team's database was out of reach
            load: Callable[[], Awaitable[None]] = self._load_statuses
            self.run_worker(load, group="project-statuses", exclusive=True)

    def _read_statuses(self) -> tuple[str, ...]:
        """The statuses to cycle through: the configured ones in their order (cache SQL: reader thread)."""
        return tuple(dict.fromkeys(clean(s.name) for s in self.board.source.project_statuses() if s.name))

    def _show_filters(self) -> None:
        query: ProjectQuery = self.table.list_query
        parts = []
        if query.text:
            parts.append(f"“{clean(query.text)}”")
        if query.statuses:
            parts.append("status: " + ", ".join(clean(s) for s in query.statuses))
        self.query_one(FilterBar).show(
            "Projects", parts, matching=self.match_count,
            sort=next((c.title for c in PROJECT_COLUMNS if c.key == query.sort), clean(query.sort)),
            descending=query.descending,
        )

    def _counted(self, count: int | None) -> None:
        self.match_count = count
        self._show_filters()

    @on(ProjectTable.Selected)
    def _open(self, message: ProjectTable.Selected) -> None:
        self.app.push_screen(ProjectDetailScreen(message.row_id))

    def action_cycle_status(self) -> None:
        if not self.statuses:
            self.notify("No project statuses in the cache yet.", severity="warning", markup=False)
            return
        self._change(statuses=cycle(tuple(self.table.list_query.statuses), tuple((s,) for s in self.statuses)))

    def action_sort(self) -> None:
        current = self.table.list_query.sort
        index = PROJECT_SORTS.index(current) if current in PROJECT_SORTS else -1
        self._change(sort=PROJECT_SORTS[(index + 1) % len(PROJECT_SORTS)], descending=False)

    def action_reverse(self) -> None:
        self._change(descending=not self.table.list_query.descending)

    def action_clear_filters(self) -> None:
        self.search_input.value = ""
        self._hide_search()
        self.set_query(ProjectQuery(sort=self.table.list_query.sort, descending=self.table.list_query.descending))


# ============================================================================================ detail


@dataclass
class ProjectDetail:
    """What the project detail shows, read in one go on the reader thread."""

    project: d.Project
    customer: d.Customer | None = None
    location: d.Location | None = None
    project_type: d.ProjectType | None = None
    notes: Sequence[d.Note] = ()
    pending: Sequence[OutboxEntry] = ()
    """Writes queued against the project (notes) and not done yet (failed ones included)."""


def load_project(source: ProjectDetailSource, project_id: int, outbox: Outbox | None = None) -> ProjectDetail | None:
    project = source.project(project_id)
    if project is None:
        return None
    return ProjectDetail(
        project=project,
        customer=source.customer(project.customer_id) if project.customer_id else None,
        location=source.location(project.location_id) if project.location_id else None,
        project_type=source.project_type(project.project_type_id) if project.project_type_id else None,
        notes=sorted(source.notes_for_project(project_id),
                     key=lambda n: (n.created_on is not None, n.created_on, n.id), reverse=True),
        pending=outbox.pending_for("project", project_id) if outbox is not None else (),
    )


class ProjectDetailScreen(RecordScreen):
    HELP_TITLE = "Project detail"
    CSS_PATH = "projects.tcss"
    STYLE = "project-detail"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "project-detail--label", "project-detail--muted", "project-detail--heading", "project-detail--error",
        "project-detail--pending",
        *STATUS_CLASSES,
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="back"),
        Binding("n", "add_note", "Note", group=PROJECT_ACTIONS, id="add-project-note"),
        Binding("a", "attach_job", "Attach job", group=PROJECT_ACTIONS, id="attach-job"),
        Binding("D", "detach_job", "Detach job", group=PROJECT_ACTIONS, id="detach-job"),
    ]

    _ACTIONS = ("add_note", "attach_job", "detach_job")

    def __init__(self, project_id: int) -> None:
        super().__init__()
        self.project_id = project_id
        self.detail: ProjectDetail | None = None
        self.writes = Writes(self.board, self._ACTIONS)

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="project-body"):
            yield Static(plain("Loading…"), id="project-content")
        jobs = JobTable(self.board.source, JobQuery(project_id=self.project_id), workflow=self.board.workflow,
                        reader=self.board.reader, clock=self.board.clock, tz=self.board.tz, id="project-jobs")
        jobs.border_title = "Jobs"
        yield jobs

    async def on_mount(self) -> None:
        jobs = self.query_one("#project-jobs", JobTable)
        jobs.focus()
        self.watch(jobs, "counted", self._jobs_counted, init=jobs.counted is not None)
        await self._load()
        self.watch(self.app, "data_version", lambda _version: self._reload(), init=False)

    async def _load(self) -> None:
        live = self.board.live
        read = await self.board.read_kept(load_project, self.board.source, self.project_id,
                                          live.outbox if live is not None else None)
        if read is None:  # the database gone (said): what is shown stays; its return reloads it
            return
        (self.detail,) = read
        if self.detail is not None:
            self.board.remember_name("project", self.project_id, f"project {clean(self.detail.project.number)}")
        self.refresh_bindings()
        self.call_after_refresh(self._show)

    def _reload(self) -> None:
        load: Callable[[], Awaitable[None]] = self._load  # as calendar.py: Textual's WorkType infers Never otherwise
        self.run_worker(load, exclusive=True, group="project-load")

    def _jobs_counted(self, counted: int | None) -> None:
        jobs = self.query_one("#project-jobs", JobTable)
        jobs.border_title = f"Jobs ({count(counted)})  Enter open · a attach · D detach"
        self.refresh_bindings()

    @on(JobTable.Selected, "#project-jobs")
    def _open_job(self, message: JobTable.Selected) -> None:
        self.board.open_job(message.row_id)

    # ------------------------------------------------------------------ what is possible

    def refusals(self) -> dict[str, str]:
        if self.board.read_only_reason:
            return dict.fromkeys(self._ACTIONS, self.board.read_only_reason)
        if self.detail is None:
            return dict.fromkeys(self._ACTIONS, f"project {self.project_id} is not in the local cache")
        out: dict[str, str] = {}
        if not self.detail.project.customer_id:
            out["attach_job"] = "the project has no customer (a job joins a project of its own customer)"
        if self.query_one("#project-jobs", JobTable).cursor_row is None:
            out["detach_job"] = "no job selected"
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._ACTIONS:
            return None if action in self.refusals() else True
        return True

    # ------------------------------------------------------------------ rendering

    def _show(self) -> None:
        content = self.query_one("#project-content", Static)
        if self.detail is None:
            content.update(plain(f"Project {self.project_id} is not in the local cache."))
            return
        sections = self._sections()
        for section in sections:
            if isinstance(section, Text):
                section.end = "\n"  # one line (or paragraph) each
        content.update(Group(*sections))

    def _sections(self) -> list[Any]:
        detail = self.detail
        assert detail is not None
        project, tz = detail.project, self.board.tz
        title = Text(end="")
        title.append(f"Project {clean(project.number)}", self._style("project-detail--heading"))
        title.append("  ")
        title.append_text(plain(project.name, "bold"))
        title.append("  ")
        title.append_text(plain(project.status or EMPTY, self._style(status_class(self.board.workflow.category(project.status)))))
        if project.sub_status:
            title.append(" · ")
            title.append_text(plain(project.sub_status, self._style("project-detail--muted")))
        out: list[Any] = [title]
        customer = detail.customer.name if detail.customer is not None else (
            f"customer {project.customer_id}" if project.customer_id else EMPTY)
        location = detail.location
        place = (", ".join(p for p in (location.name, location.street, location.city) if p)
                 if location is not None else EMPTY)
        table = Table.grid(padding=(0, 2))
        table.add_column(style=self._style("project-detail--label"), no_wrap=True, min_width=12)
        table.add_column(overflow="fold")
        for label, value in (
            ("Type", detail.project_type.name if detail.project_type is not None else EMPTY),
            ("Customer", customer),
            ("Location", place),
            ("Summary", project.summary or EMPTY),
            ("Start", when(project.start_date, tz)),
            ("Target", when(project.target_completion_date, tz)),
            ("Completed", when(project.actual_completion_date, tz)),
            ("Modified", when(project.modified_on, tz)),
        ):
            table.add_row(Text(label), plain(value, multiline=True))
        out.append(table)
        out.extend(self._pending_lines())
        out.append(self._heading("Notes", len(detail.notes)))
        if not detail.notes:
            out.append(Text("No notes. n adds one.", self._style("project-detail--muted"), end=""))
        for note in detail.notes:
            out.extend(self._note_entry(note))
        unavailable = [(a, why) for a, why in self.refusals().items() if a != "detach_job"]
        if unavailable:
            out.append(self._heading("Not possible now"))
            words = {"add_note": "n Note", "attach_job": "a Attach job"}
            for action, why in unavailable:
                line = Text(end="")
                line.append(f"{words[action]}: ", self._style("project-detail--label"))
                line.append_text(plain(why, self._style("project-detail--muted")))
                out.append(line)
        return out

    # ------------------------------------------------------------------ actions

    @property
    def _words(self) -> str:
        number = self.detail.project.number if self.detail is not None else self.project_id
        return f"project {clean(number)}"

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_add_note(self) -> None:
        self.writes.ask(TextEntryScreen(f"Note on {self._words}", multiline=True, flag="Pin to top"),
                        lambda written: d.AddProjectNote(self.project_id, written.text, pin_to_top=written.flag))

    async def action_attach_job(self) -> None:
        assert self.detail is not None
        customer_id = self.detail.project.customer_id
        read = await self.board.read_kept(self.board.source.jobs_window, JobQuery(customer_id=customer_id), 0, 500)
        if read is None:
            return
        (jobs,) = read
        choices = []
        for job in jobs:
            if self._in_this_project(job.id):
                continue
            self.board.remember_name("job", job.id, f"job {clean(job.number)}")
            choices.append(Choice(job.id, f"{clean(job.number)} {clean(job.summary)}".strip(),
                                  f"{clean(job.status)} · {clean(job.job_type)}"))
        if not choices:
            self.notify("The customer has no other cached jobs to attach.", severity="warning", markup=False)
            return
        customer = clean(self.detail.customer.name if self.detail.customer else "")
        self.writes.ask(PickerScreen(f"Attach a job of {customer} to {self._words}", choices),
                        lambda picked: d.AttachJobToProject(int(picked.value), self.project_id))

    def _in_this_project(self, job_id: int) -> bool:
        return self.detail is not None and job_id in tuple(self.detail.project.job_ids or ())

    def action_detach_job(self) -> None:
        row = self.query_one("#project-jobs", JobTable).cursor_row
        if row is None:
            return
        self.board.remember_name("job", row.id, f"job {clean(row.number)}")
        self.writes.ask(ConfirmScreen("Detach job", f"Take job {clean(row.number)} out of {self._words}?"),
                        lambda _yes: d.DetachJobFromProject(row.id))
