"""The board's app shell: screens per mode, global keys, header status, themes, command palette, min size."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import Reactive, var
from textual.screen import Screen

from ..provider.backends import workflow_for
from ..provider.workflow import Workflow
from .commands import BindingCommands
from .format import Clock, system_clock
from .screens.filter_form import FilterChoices, status_choices
from .screens.jobs import JobsScreen
from .screens.too_small import TooSmallScreen
from .source import BoardSource, JobQuery, LiveSession, LookupSource, NamedRecord, Reader, SavedView
from .themes import DEFAULT_THEME, board_variable_defaults, load_themes
from .views import filters_from_query, views_from_config
from .widgets.job_table import first_job_page
from .widgets.status_line import BoardStatus

if TYPE_CHECKING:  # the outbox, sync and key-check modules load when first used, after the first paint
    from ..cache.live import LiveState
    from ..cache.outbox import OutboxEntry
    from ..cache.sync import SyncProgress
    from ..provider.domain import Command
    from .keys import KeymapProblem
    from .screens.modals import Picked

__all__ = ["BoardStatus", "JpmApp", "MIN_SIZE", "run_app"]

MIN_SIZE = (60, 16)
"""Below this (columns, rows) the board shows a 'terminal too small' message instead."""


# The other screens are imported when first shown: the job list paints sooner without them.


def _calendar_screen() -> Screen[None]:
    from .screens.calendar import CalendarScreen

    return CalendarScreen()


def _projects_screen() -> Screen[None]:
    from .screens.projects import ProjectsScreen

    return ProjectsScreen()


def _sync_screen() -> Screen[None]:
    from .screens.sync import SyncScreen

    return SyncScreen()


_T = TypeVar("_T")

class JpmApp(App[None]):
    """The dispatch board. Everything it shows comes from ``source``; it never talks to the network."""

    TITLE = "jpm-tui"
    CSS_PATH = ["app.tcss", "screens/jobs.tcss"]  # the first screen's too: loaded with it, it made the stylesheet parse again
    # The board's own default theme from the start (registered in __init__; a dark one, as Textual's fallback
    # that App.__init__ reads before it is registered): setting ``theme`` there instead re-parses and re-applies
    # every style once more before the first frame. Another theme is set as usual.
    theme: Reactive[str] = Reactive(DEFAULT_THEME)
    HELP_TITLE = "Everywhere"
    COMMANDS = App.COMMANDS | {BindingCommands}
    DEFAULT_MODE = "jobs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("J,f2", "mode('jobs')", "Jobs", id="jobs"),
        Binding("C,f3", "mode('calendar')", "Calendar", id="calendar"),
        Binding("P,f4", "mode('projects')", "Projects", id="projects"),
        Binding("S,f5", "mode('sync')", "Sync", id="sync"),
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("ctrl+t", "pick_theme", "Theme", show=False, id="theme"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    status: var[BoardStatus] = var(BoardStatus, init=False)
    data_version: var[int] = var(0)
    """Bumped whenever the cache got new rows; tables watch it and refetch their window."""

    def __init__(
        self,
        source: BoardSource,
        status: BoardStatus | None = None,
        *,
        views: Sequence[Any] = (),
        keymap: Mapping[str, str] | None = None,
        keymap_origin: str = "config",
        query: JobQuery | None = None,
        theme: str = DEFAULT_THEME,
        theme_dirs: Sequence[Path] = (),
        clock: Clock = system_clock,
        tz: tzinfo | None = None,
        export_dir: Path | None = None,
        reader: Reader | None = None,
        live: LiveSession | None = None,
        link_for: Callable[[str, int], str | None] | None = None,
        save_theme: Callable[[str], str] | None = None,
        save_view: Callable[[str, dict[str, Any]], str] | None = None,
        freeze_start_up: bool = False,
        workflow: Workflow | None = None,
        start_up_check: Callable[[], str | None] | None = None,
    ) -> None:
        """``freeze_start_up``: after the first frame (and the live loop's start, which loads the HTTP client, its
        models and the sync engine once that frame is shown), exempt what start-up made (modules, styles, widgets; all
        kept until the board quits) from Python's cyclic garbage collector, whose full passes over them paused
        the board for 15-30 ms at random keys (2-4 ms after); and turn the collector back on after the first frame
        (``session.open_board`` turns it off until then). For a process that runs one board; tests, which start
        hundreds of boards, would keep every one of them.
        ``keymap``: the config's ``[keys]`` (binding id -> key(s)); problems with it (unknown ids, clashing
        keys) are shown as warnings at start-up, naming ``keymap_origin`` (the config file).
        ``save_theme(name) -> message``: stores a theme picked on the board (the session writes the config
        file; the board never does); without it a picked theme lasts until the board quits.
        ``workflow``: the backend's statuses, priorities, actions and rules the board renders (the session
        gives its profile's; default: the default backend's, as a profile without ``backend`` has).
        ``start_up_check() -> failure``: what must pass before the live loop starts and writes are accepted (the
        session's validation of a config read for the first frame), run on a thread after that frame. A failure (its
        line) ends the board with it, exit code 1."""
        super().__init__()
        self.source = source
        self.workflow = workflow if workflow is not None else workflow_for()
        self.live = live
        self.link_for = link_for
        self.clock = clock
        self.tz = tz
        self.export_dir = Path(export_dir) if export_dir is not None else Path.cwd()
        self.reader = reader or Reader()
        self.views = views_from_config(views, tz, self.workflow)
        self.keymap_problems: list[KeymapProblem] = []
        self._keymap_to_check = (dict(keymap or {}), keymap_origin)
        if keymap:
            self.set_keymap(dict(keymap))
        self._save_theme = save_theme
        self._save_view = save_view
        self._freeze_start_up = freeze_start_up
        self._start_up_check = start_up_check
        self.set_reactive(JpmApp.status, status or BoardStatus())
        themes, self.theme_errors = load_themes(theme_dirs)
        for board_theme in themes:
            self.register_theme(board_theme)
        self.board_themes = [t.name for t in themes]
        if theme != DEFAULT_THEME and theme in self.available_themes:
            self.theme = theme
        self._requested_theme = theme
        self._too_small = False
        self._lookup_cache: dict[str, dict[int, str]] | None = None
        self._shown_names: dict[tuple[str, int], str] = {}
        self._awaited: dict[int, str] = {}  # outbox id -> words: writes said "Queued", to be said again as they end
        # The job list's first rows are read while Textual starts (driver, styles, compose): its first frame
        # shows them instead of waiting for a worker on a busy event loop.
        first_jobs = self.reader.submit(first_job_page, source, query or JobQuery())
        self.add_mode("jobs", lambda: JobsScreen(self.views, query=query, first_page=first_jobs))
        self.add_mode("calendar", _calendar_screen)
        self.add_mode("projects", _projects_screen)
        self.add_mode("sync", _sync_screen)

    # ------------------------------------------------------------------ theme

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return board_variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        for error in self.theme_errors:
            self.notify(str(error), title="Theme not loaded", severity="warning", markup=False)
        if self._requested_theme not in self.available_themes:
            self.notify(f"Unknown theme {self._requested_theme!r}; using {DEFAULT_THEME!r}.",
                        severity="warning", markup=False)
        if self._keymap_to_check[0]:
            # Checking reads every screen's bindings (importing them all): after the first paint, not before.
            self.call_after_refresh(self._check_keymap)
        self._check_size()
        # After the first frame, as the loop below: the names' read (on the reader thread, but it builds domain
        # rows holding the GIL) slowed that frame's painting, and the first frame shows none of them
        self.call_after_refresh(self._refresh_lookups)
        if self._freeze_start_up:
            self.call_after_refresh(gc.enable)  # off until this frame when the board is its process's (open_board)
        if self._freeze_start_up and self.live is None:
            self.call_after_refresh(gc.freeze)
        if self.live is not None:
            # After the first frame: the loop's start (the provider, the HTTP client and its models, the outbox, the
            # sync engine: ~0.3 s of imports) runs on the event loop and held that frame back.
            self.call_after_refresh(self._keep_live)

    def get_system_commands(self, screen: Any) -> Iterable[SystemCommand]:
        """Textual's system commands, with its theme changer replaced by ours (which saves the choice)."""
        for command in super().get_system_commands(screen):
            if command.callback != self.action_change_theme:
                yield command

    def action_pick_theme(self) -> None:
        """Pick a theme (the board's own first, then Textual's); the choice is saved through ``save_theme``."""
        from .screens.modals import Choice, PickerScreen

        names = [n for n in self.board_themes if n in self.available_themes]
        names += sorted(n for n in self.available_themes if n not in names and n != "textual-ansi")
        choices = [Choice(n, n, "current" if n == self.theme else ("board" if n in self.board_themes else "Textual"))
                   for n in names]
        self.push_screen(PickerScreen("Theme", choices), self._theme_picked)

    def _theme_picked(self, picked: Picked | None) -> None:
        """``picked``: None when the picker was closed."""
        if picked is not None:
            self.choose_theme(str(picked.value))

    def choose_theme(self, name: str) -> None:
        """Switch to theme ``name`` now and save it (or say why it is not saved)."""
        if name not in self.available_themes:
            self.notify(f"Unknown theme {name!r}.", severity="error", markup=False)
            return
        self.theme = name
        self._save_setting(f"Theme {name!r}", self._save_theme, name)

    def save_view(self, name: str, query: JobQuery) -> SavedView:
        """Keep ``query`` as the view ``name`` (replacing one of that name) and save it to the config."""
        view = SavedView(name, query)
        index = next((n for n, v in enumerate(self.views) if v.name == name), None)
        if index is None:
            self.views.append(view)
        else:
            self.views[index] = view
        self._save_setting(f"View {name!r}", self._save_view, name, filters_from_query(query, self.tz))
        return view

    def _save_setting(self, what: str, save: Callable[..., str] | None, *args: Any) -> None:
        """Store a setting through the session (the board never writes files) and say what happened."""
        if save is None:
            self.notify(f"{what} is used until you quit; not saved (this board has no config file).", markup=False)
            return
        try:
            message = save(*args)
        except Exception as error:  # noqa: BLE001 - ConfigError, OSError: the board keeps running
            self.notify(f"{what} is used but not saved: {error}", severity="error", timeout=10, markup=False)
            return
        self.notify(message, markup=False)

    def _check_keymap(self) -> None:
        from .keys import check_keymap

        self.keymap_problems = check_keymap(*self._keymap_to_check)
        for problem in self.keymap_problems:
            self.notify(str(problem), title="Key settings", severity="warning", timeout=15, markup=False)

    @work(exclusive=True, group="live")
    async def _keep_live(self) -> None:
        """Send queued writes and pull changes in the background for as long as the board is open."""
        assert self.live is not None
        if self._start_up_check is not None and not await self._passed_start_up_check(self._start_up_check):
            return
        try:
            await self.live.run(self._live_changed, self._feed_progress)
        finally:
            await self.live.aclose()

    async def _passed_start_up_check(self, check: Callable[[], str | None]) -> bool:
        import asyncio

        failure = await asyncio.to_thread(check)
        if failure is not None:
            self.failure, self.failure_code = failure, 1
            self.exit(return_code=1)
            return False
        self._start_up_check = None
        return True

    def _live_changed(self, state: LiveState) -> None:
        if self._freeze_start_up:  # the loop has started: once, see __init__
            self._freeze_start_up = False
            gc.freeze()
        self.status = replace(self.status, online=state.online, connecting=state.connecting, syncing=state.syncing,
                              last_sync=state.last_sync, outbox=state.outbox,
                              offline_reason=None if state.online else state.last_error,
                              service_notice=state.service_notice)
        if not state.syncing and state.changed_feeds:
            self._data_changed()
        if self._awaited:
            self._say_ended()

    def _feed_progress(self, event: SyncProgress) -> None:
        if event.done and event.records:  # on a first sync, show each feed's rows as soon as they land
            self._data_changed()

    async def read_opened_job(self, job_id: int) -> bool:
        """Read what no feed carries of a job (its booked log, ...) into the cache when online (the job detail asks
        as it opens, ``LiveCache.read_opened_job``); when stored, bump ``data_version`` so the detail reloads from
        the cache. Offline, without a live loop, or on an error (logged by ``LiveCache``): False, and nothing
        changes."""
        if self.live is None:
            return False
        if not await self.live.read_opened_job(job_id):
            return False
        self._data_changed()
        return True

    def _data_changed(self) -> None:
        self._refresh_lookups()
        self.data_version += 1

    def on_unmount(self) -> None:
        self.reader.close()

    #: the line the command prints when the board ended on a failure (None when the user quit), and its exit code
    failure: str | None = None
    failure_code: int = 0

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort prints a traceback with local variables (secrets, customers' data). The board
        ends with one line instead: the world's failure said as such (a damaged or full cache, ...), a bug of
        ours logged, scrubbed, to the file the line names."""
        from textual.worker import WorkerFailed

        from ..failures import EXIT_BUG, bug_message, world_message

        cause = error.error if isinstance(error, WorkerFailed) and isinstance(error.error, Exception) else error
        if self.said_lost_cache(cause):
            return
        message = world_message(cause, cache_path=self.source.path)
        if message is None:  # ours: a test driving the board sees it raised, as Textual's own handler does
            message = bug_message(cause)
            if self._exception is None:
                self._exception = cause
                self._exception_event.set()
        self.failure, self.failure_code = message, (1 if self._exception is None else EXIT_BUG)
        self._return_code = self.failure_code
        self._close_messages_no_wait()

    async def read_kept(self, fn: Callable[..., _T], *args: Any) -> tuple[_T] | None:
        """A screen's read (``reader(fn, *args)``), its answer in a 1-tuple; None when a team's database is out of
        reach (said in a notice, as the header says): the screen keeps what it shows, and the database's return
        reloads it (``data_version``). A screen's handler must not raise it: that would stop the screen."""
        try:
            return (await self.reader(fn, *args),)
        except Exception as error:
            if not self.said_lost_cache(error):
                raise
            return None

    def said_lost_cache(self, error: BaseException) -> bool:
        """Whether ``error`` is a team's database gone (the header says so), said in a notice too."""
        if self.live is None or not self.live.lost_cache(error):
            return False
        self.notify(f"Not read: {self.status.offline_reason}", severity="warning", markup=False)
        return True

    # ------------------------------------------------------------------ size

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size)  # runs before App._on_resize updates self.size

    def _check_size(self, size: Size | None = None) -> None:
        width, height = size or self.size
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        if too_small and not self._too_small:
            self._too_small = True
            self.push_screen(TooSmallScreen(MIN_SIZE))
        elif not too_small and self._too_small:
            self._too_small = False
            if isinstance(self.screen, TooSmallScreen):
                self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._too_small and action not in ("quit", "app.quit"):
            return False
        if action == "mode" and parameters == ("projects",) and not self.workflow.capabilities.projects:
            return False  # a backend without projects: no key, no screen
        if action == "mode" and parameters == (self.current_mode,):
            return False  # a screen's footer leaves out the way to itself (at 80 columns "? Help" was cut for it)
        return True

    # ------------------------------------------------------------------ actions

    def action_mode(self, mode: str) -> None:
        self.switch_mode(mode)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_job(self, job_id: int) -> None:
        from .screens.job_detail import JobDetailScreen

        self.push_screen(JobDetailScreen(job_id))

    def open_record(self, kind: str, record_id: int) -> None:
        """Open the record's page in the backend's web app; over SSH there is no browser here, so the link is
        copied (OSC 52 reaches the dispatcher's own clipboard) and shown."""
        url = self.link_for(kind, record_id) if self.link_for is not None else None
        if url is None:
            self.notify(f"There is no web page for this {kind} in the {self.status.environment or 'current'} "
                        "environment.", severity="warning", markup=False)
            return
        self.copy_to_clipboard(url)
        if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
            self.notify(f"Copied the link (no browser on this side of SSH): {url}", markup=False)
            return
        self.open_url(url)
        self.notify(f"Opened {url} (link copied too)", markup=False)

    # ------------------------------------------------------------------ writes

    @property
    def read_only_reason(self) -> str | None:
        """Why this board cannot queue writes, or None when it can."""
        if self.live is None:
            return "this board has no outbox (read-only)"
        return "the config file is being checked; try again in a moment" if self._start_up_check else self.live.refusal

    def remember_name(self, kind: str, item_id: int, name: str) -> None:
        """Screens tell the app what they showed (job numbers, projects) so writes are described by name."""
        self._shown_names[(kind, item_id)] = name

    def name_of(self, kind: str, item_id: int) -> str | None:
        """The name a dispatcher knows a record by, for describing writes (None when not known here)."""
        if (kind, item_id) in self._shown_names:
            return self._shown_names[(kind, item_id)]
        name = self.lookup_name(kind, item_id)
        return None if name.startswith("#") else name

    def describe(self, command: Command) -> str:
        from ..cache.outbox import describe

        return describe(command, self.name_of, tz=self.tz, workflow=self.workflow)

    def say_outcome(self, entry: OutboxEntry, words: str) -> None:
        """Tell the dispatcher how a write ended: done, refused (with the server's words), held, or queued."""
        from ..cache.outbox import OutboxState

        if entry.state == OutboxState.DONE:
            self.notify(f"Done: {words}", markup=False)
        elif entry.state == OutboxState.FAILED:
            self.notify(f"{words}\n{entry.error_text}", title="Refused by the server", severity="error",
                        timeout=10, markup=False)
        elif entry.state == OutboxState.CONFLICT:
            self.notify(f"{words}\n{entry.message}", title="Held: changed on the server", severity="warning",
                        timeout=10, markup=False)
        else:  # pending: offline, or a team's service sends it
            assert self.live is not None  # a write was queued: there is a live loop
            title, why = self.live.queued_words
            self.notify(f"Queued: {words}\n{why}", title=title, severity="warning", markup=False)
            self._awaited[entry.id] = words

    #: refused or held writes said one by one when several end at once; the rest in one line (the outbox lists them)
    SAID_ONE_BY_ONE = 3

    @work(group="outcomes", exclusive=True)
    async def _say_ended(self) -> None:
        """Say how the writes said "Queued" ended, once the loop or the team's service sent them (the dispatcher
        would otherwise learn of a refusal only from the outbox): a refusal or a hold as ``say_outcome`` says it,
        writes done together in one line."""
        import asyncio

        from ..cache.outbox import OutboxError, OutboxState

        assert self.live is not None
        outbox = self.live.outbox

        def read() -> list[tuple[int, OutboxEntry | None]]:
            ended: list[tuple[int, OutboxEntry | None]] = []
            for entry_id in list(self._awaited):
                try:
                    entry = outbox.get(entry_id)
                except OutboxError:  # dropped from the outbox (by its author, on another board)
                    ended.append((entry_id, None))
                    continue
                if entry.state not in (OutboxState.PENDING, OutboxState.SENDING):
                    ended.append((entry_id, entry))
            return ended

        try:
            ended = await asyncio.to_thread(read)
        except Exception:  # noqa: BLE001 - the database out of reach: the header says so; asked again on its return
            return
        done: list[str] = []
        attention: list[tuple[OutboxEntry, str]] = []
        for entry_id, entry in ended:
            words = self._awaited.pop(entry_id, None)
            if words is None or entry is None:  # said already, or dropped: nothing to say
                continue
            if entry.state == OutboxState.DONE:
                done.append(words)
            elif entry.state in (OutboxState.FAILED, OutboxState.CONFLICT):
                attention.append((entry, words))
        if len(done) == 1:
            self.notify(f"Done: {done[0]}", markup=False)
        elif done:
            self.notify(f"Done: {len(done)} queued writes were sent", markup=False)
        for entry, words in attention[:self.SAID_ONE_BY_ONE]:
            self.say_outcome(entry, words)
        if len(attention) > self.SAID_ONE_BY_ONE:
            self.notify(f"{len(attention) - self.SAID_ONE_BY_ONE} more queued writes were refused or held: the "
                        "sync screen's outbox (S) lists them", severity="error", timeout=10, markup=False)

    @work(group="writes")
    async def submit(self, command: Command) -> None:
        """Queue ``command`` in the outbox and send it when online; say how it ended (or why it was not saved)."""
        problem = await self.queue(command)
        if problem is not None:
            self.notify(problem, title="Not saved", severity="error", timeout=15, markup=False)

    async def queue(self, *commands: Command, replaces: int | None = None) -> str | None:
        """Store ``commands`` in the outbox, in turn (durable when this returns None), then send each in the
        background and say how that ended. Returns why one could not be stored instead (a full disk, a read-only
        or damaged cache): then it and those after it were not, and the form that asked keeps what was typed.
        ``replaces``: the refused write the first command corrects (taken out as it is queued)."""
        from ..cache.health import CacheFault
        from ..cache.outbox import OutboxError

        if self.live is None or self.read_only_reason is not None:
            return self.read_only_reason
        for k, command in enumerate(commands):
            try:
                entry = await self.live.enqueue(command, replaces if k == 0 else None)
            except (CacheFault, OutboxError) as fault:
                return f"Not saved: {fault}"
            self._send_queued(entry, self.describe(command))
        return None

    @work(group="writes")
    async def _send_queued(self, entry: OutboxEntry, words: str) -> None:
        import asyncio

        from ..cache.outbox import OutboxError

        assert self.live is not None
        try:
            entry = await self.live.retry(entry.id)  # a pending row stays pending: sent now when online
        except OutboxError:  # the background loop sent it first (done, or held as a conflict)
            entry = await asyncio.to_thread(self.live.outbox.get, entry.id)
        self.say_outcome(entry, words)
        self._data_changed()

    # ------------------------------------------------------------------ lookups for filters

    _LOOKUP_READS: ClassVar[dict[str, Callable[[LookupSource], Iterable[NamedRecord]]]] = {
        "job_type": lambda source: source.job_types(),
        "business_unit": lambda source: source.business_units(),
        "technician": lambda source: source.technicians(),
        "employee": lambda source: source.employees(),
        "cancel_reason": lambda source: source.cancel_reasons(),
        "hold_reason": lambda source: source.hold_reasons(),
    }

    def _read_lookups(self) -> dict[str, dict[int, str]]:
        """Reference names by id (runs on the reader thread: it is SQL)."""
        return {kind: {item.id: item.name for item in read(self.source)} for kind, read in self._LOOKUP_READS.items()}

    @work(exclusive=True, group="lookups")
    async def _refresh_lookups(self) -> None:
        self._lookup_cache = await self.reader(self._read_lookups)

    def _lookups(self) -> dict[str, dict[int, str]]:
        if self._lookup_cache is None:  # only before the first refresh has landed
            self._lookup_cache = self._read_lookups()
        return self._lookup_cache

    def person_name(self, employee_id: int | None) -> str | None:
        """Who did it, by name: employees first, then technicians (both write notes and history)."""
        if not employee_id:
            return None
        name = self.lookup_name("employee", employee_id)
        return name if not name.startswith("#") else self.lookup_name("technician", employee_id)

    def lookup_name(self, kind: str, item_id: int) -> str:
        return self._lookups().get(kind, {}).get(item_id, f"#{item_id}")

    def named(self, kind: str) -> list[tuple[int, str]]:
        """Every cached (id, name) of a reference kind (``_LOOKUP_READS``), by name."""
        return sorted(self._lookups().get(kind, {}).items(), key=lambda pair: pair[1].lower())

    def filter_choices(self) -> FilterChoices:
        return FilterChoices(self.named("job_type"), self.named("business_unit"), self.named("technician"),
                             tz=self.tz, statuses=status_choices(self.workflow),
                             priorities=tuple((p.value, p.label) for p in self.workflow.priorities_by_rank))


def run_app(
    store: BoardSource,
    status: BoardStatus | None = None,
    *,
    views: Sequence[Any] = (),
    keys: Mapping[str, str] | None = None,
    theme: str = DEFAULT_THEME,
    theme_dirs: Sequence[Path] = (),
    clock: Clock = system_clock,
    tz: tzinfo | None = None,
    export_dir: Path | None = None,
    **app_options: Any,
) -> None:
    """Run the board in this terminal until the user quits.

    ``store`` is a ``CacheStore`` (or any ``BoardSource``); ``views`` are config ``[[views]]`` entries (or
    ``ui.SavedView``); ``keys`` is the config ``[keys]`` table: binding id -> key(s), e.g. ``{"search": "ctrl+f", "sync": "ctrl+r"}``
    (every binding's id is its action's name: jobs, calendar, projects, sync, help, quit, down, up, page-down,
    page-up, first, last, open, mark, search, clear-search, filter, status-filter, priority-filter,
    sort-previous, sort-next, reverse-sort, all-jobs, view-1..view-9, copy, export, back, raw, close, apply,
    cancel, clear-filters, theme, ...; ``jpm_tui.ui.keys.binding_ids()`` lists them all; one id may name the
    same action on several screens). Raises ``ui.views.ViewError`` for a view whose filters make no sense.
    """
    JpmApp(store, status, views=views, keymap=keys, theme=theme, theme_dirs=theme_dirs, clock=clock, tz=tz,
           export_dir=export_dir, **app_options).run()
