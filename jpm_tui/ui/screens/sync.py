"""Sync and outbox: each feed's state and progress, sync controls, and the writes not applied yet.

The sync itself runs in the app's live worker (``app.live``, a ``LiveCache``); this screen only asks it to
start, pause, resume or fully resync one feed, and reads what it reports (``live.progress``) with the cache's
``sync_states()`` on the reader thread. The outbox decisions go through ``LiveCache.retry/drop/confirm``
(which use the ``Outbox`` methods); those that touch the network run in a worker.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from ...cache.outbox import OPEN_STATES, OutboxEntry, OutboxError, OutboxState
from ...cache.store.feed_state import SyncState
from ...cache.sync import SyncError, SyncProgress
from ...provider.domain import parse_datetime
from ..format import ago, when
from ..source import SyncStateSource
from ..text import clean, plain
from ..widgets.status_line import StatusLine
from .base import BoardScreen
from .modals import ConfirmScreen, ReadingScreen

__all__ = ["FeedLine", "SyncScreen", "feed_lines", "progress_bar"]

SYNC_KEYS = Binding.Group("Sync")
SYNC_ACTIONS = frozenset({"sync_now", "pause", "resume", "resync"})
"""What a team board does not offer: its team's sync service syncs (``LiveCache.synced_by_service``)."""
OUTBOX_ACTIONS = frozenset({"retry", "drop", "confirm"})
"""The outbox's actions on the selected write (``show_change`` only reads it)."""
OUTBOX_KEYS = Binding.Group("Outbox")
BAR_WIDTH = 8
REFRESH_SECONDS = 0.5

_OUTBOX_WORDS: dict[str, str] = {  # keyed by OutboxEntry.state, a plain str
    OutboxState.PENDING: "pending",
    OutboxState.SENDING: "sending",
    OutboxState.FAILED: "refused",
    OutboxState.CONFLICT: "conflict",
}


@dataclass(frozen=True)
class FeedLine:
    """One feed as the screen shows it."""

    name: str
    kind: str
    state: str
    fraction: float | None
    pages: int
    records: int
    stored: int
    per_second: float
    last_success: datetime | None
    last_error: str


def progress_bar(fraction: float | None, width: int = BAR_WIDTH, *, running: bool = True) -> str:
    """``████░░░░  50%``; unknown (an export feed still paging) shows an empty bar and ``…``; a feed that
    has not run since the board opened shows nothing."""
    if fraction is None:
        return "░" * width + "    …" if running else ""
    fraction = max(0.0, min(1.0, fraction))
    filled = round(fraction * width)
    return "█" * filled + "░" * (width - filled) + f" {int(fraction * 100):>3}%"


def _state(event: SyncProgress | None, last_error: str | None, *, running: bool, paused: bool,
           requested: bool) -> str:
    if requested:
        return "queued"
    if event is not None and not (event.done or event.error or event.cancelled):
        if paused:
            return "paused"
        return "running" if running else "stopped"
    if event is not None and event.error:
        return "error"
    if event is not None and event.cancelled:
        return "cancelled"
    if event is not None and event.done:
        return event.state  # "done", or "not due" for a feed that read a moment ago and asked nothing
    return "error" if last_error else "idle"


def _fraction(event: SyncProgress | None, stored_before: int) -> float | None:
    if event is None:
        return None
    if event.done:
        return 1.0
    if event.error or event.cancelled or not event.records:
        return 0.0 if event.error or event.cancelled else None
    if stored_before > 0:
        return min(0.99, event.records / stored_before)
    return None


def feed_lines(names: Sequence[str], kinds: Mapping[str, str], states: Sequence[SyncState],
               progress: dict[str, SyncProgress], *, running: bool, paused: bool,
               requested: Sequence[str] = ()) -> list[FeedLine]:
    """The feeds in ``names`` order, then any feed the cache knows that the provider no longer lists."""
    by_feed = {s.feed: s for s in states}
    order = [*names, *(s.feed for s in states if s.feed not in names)]
    out = []
    for name in order:
        state, event = by_feed.get(name), progress.get(name)
        stored = state.rows_total if state is not None else 0
        before = event.total_records - event.records if event is not None else stored
        error = (event.error if event is not None and event.error else None) or (
            state.last_error if state is not None else None)
        out.append(FeedLine(
            name=name, kind=kinds.get(name) or (event.kind if event is not None else ""),
            state=_state(event, state.last_error if state is not None else None, running=running, paused=paused,
                         requested=name in requested),
            fraction=_fraction(event, before), pages=event.pages if event is not None else 0,
            records=event.records if event is not None else 0, stored=stored,
            per_second=event.records_per_second if event is not None else 0.0,
            last_success=state.last_success if state is not None else None, last_error=clean(error or ""),
        ))
    return out


class FeedTable(DataTable[Text]):
    HELP_TITLE = "Feeds"


class OutboxTable(DataTable[Text]):
    HELP_TITLE = "Outbox"


class SyncScreen(BoardScreen):
    HELP_TITLE = "Sync"
    CSS_PATH = "sync.tcss"
    AUTO_FOCUS = "#feeds"
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "sync--muted", "sync--error", "sync--ok", "sync--running", "sync--warning", "sync--heading",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sync_now", "Sync now", group=SYNC_KEYS, id="sync-now"),
        Binding("p", "pause", "Pause", group=SYNC_KEYS, id="pause-sync"),
        Binding("u", "resume", "Resume", group=SYNC_KEYS, id="resume-sync"),
        Binding("F", "resync", "Full resync", group=SYNC_KEYS, id="full-resync"),
        Binding("r", "retry", "Retry", group=OUTBOX_KEYS, id="retry-write"),
        Binding("d", "drop", "Drop", group=OUTBOX_KEYS, id="drop-write"),
        Binding("c", "confirm", "Send anyway", group=OUTBOX_KEYS, id="confirm-write"),
        Binding("v", "show_change", "Show change", group=OUTBOX_KEYS, id="show-change"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[FeedLine] = []
        self.entries: list[OutboxEntry] = []
        self.entry_words: dict[int, str] = {}
        self._busy: set[int] = set()
        """Outbox rows with a decision in flight (not offered again until it lands)."""

    # ------------------------------------------------------------------ layout

    def compose_body(self) -> ComposeResult:
        yield Static(id="sync-summary")
        yield Static(id="sync-offline")
        feeds = FeedTable(id="feeds", cursor_type="row", zebra_stripes=False)
        feeds.border_title = "Feeds"
        yield feeds
        outbox = OutboxTable(id="outbox", cursor_type="row")
        outbox.border_title = "Outbox"
        yield outbox
        yield Static(id="outbox-detail")

    def on_mount(self) -> None:
        feeds = self.feeds_table
        # the feed's name sizes its column (None): "appointment assignments" whole
        for key, title, width in (("feed", "Feed", None), ("state", "State", 9), ("progress", "Progress", 13),
                                  ("pages", "Pages", 5), ("records", "Records", 7), ("stored", "Stored", 7),
                                  ("rate", "Rec/s", 6), ("success", "Last sync", 9),
                                  ("error", "Last error", 60)):
            feeds.add_column(title, key=key, width=width)
        outbox = self.outbox_table
        for key, title, width in (("id", "#", 3), ("change", "Change", 40), ("state", "State", 8),
                                  ("tries", "Tries", 5), ("said", "Server said", 70)):
            outbox.add_column(title, key=key, width=width)
        self.refresh_data()
        self.set_interval(REFRESH_SECONDS, self._tick)

    @property
    def feeds_table(self) -> DataTable[Text]:
        return self.query_one("#feeds", DataTable)

    @property
    def outbox_table(self) -> DataTable[Text]:
        return self.query_one("#outbox", DataTable)

    def _style(self, name: str) -> Any:
        return self.get_component_rich_style(name, partial=True)

    # ------------------------------------------------------------------ reading

    def _tick(self) -> None:
        live = self.board.live
        if self.is_current and (live is None or live.refusal is None):  # not every tick of a team's database gone
            self.refresh_data()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        load: Callable[[], Awaitable[None]] = self._load  # as calendar.py: Textual's WorkType infers Never otherwise
        self.run_worker(load, group="sync-screen-load", exclusive=True)

    async def _load(self) -> None:
        board = self.board
        live = board.live
        source: SyncStateSource = live.store if live is not None else board.source

        def read() -> tuple[list[SyncState], list[OutboxEntry], dict[int, str], list[str]]:
            states = list(source.sync_states())
            entries = live.outbox.entries([s.value for s in OPEN_STATES]) if live is not None else []
            words = {e.id: live.outbox.describe(e, board.tz) for e in entries} if live is not None else {}
            names = list(live.feed_names()) if live is not None else []  # SQL before the engine runs (a team board)
            return states, entries, words, names

        answer = await board.read_kept(read)
        if answer is None:  # a team's database out of reach (said): what is shown stays
            return
        states, self.entries, self.entry_words, names = answer[0]
        if live is not None:
            engine = live.engine
            kinds = {f.name: f.kind for f in engine.feeds()} if engine is not None else {}
            self.lines = feed_lines(names, kinds, states, dict(live.progress), running=live.running,
                                    paused=live.paused, requested=live.resync_requested)
        else:
            self.lines = feed_lines([], {}, states, {}, running=False, paused=False)
        self._show()

    # ------------------------------------------------------------------ drawing

    def _show(self) -> None:
        self._show_summary()
        self._show_feeds()
        self._show_outbox()
        self._show_detail()
        self.refresh_bindings()

    def _show_summary(self) -> None:
        live = self.board.live
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" ")
        if live is None:
            text.append("Read-only board: ", self._style("sync--warning"))
            text.append("no sync runs here and nothing can be written (no outbox). "
                        "These are the cache's last syncs.")
            self.query_one("#sync-summary", Static).update(text)
            return
        busy = sum(1 for line in self.lines if line.state == "running")
        if live.synced_by_service:
            self._show_service(text)
        elif live.paused:
            text.append("Paused", self._style("sync--warning"))
            # pause stops the reading only: a change the dispatcher makes is still sent (holding it would lose nothing
            # but surprise them later)
            text.append(" reading from the server; your changes are still sent (u: resume)", self._style("sync--muted"))
        elif live.running:
            text.append(f"Syncing: {busy} feed{'s' if busy != 1 else ''} running", self._style("sync--running"))
        else:
            text.append("Idle", self._style("sync--ok"))
            last = self.board.status.last_sync
            text.append(f" · last sync {ago(last, self.board.clock()) if last else 'never'}",
                        self._style("sync--muted"))
        errors = sum(1 for line in self.lines if line.state == "error")
        if errors:
            text.append(f" · {errors} feed{'s' if errors != 1 else ''} failed", self._style("sync--error"))
        if not self.board.status.online:
            text.append(" · offline", self._style("sync--error"))
        self.query_one("#sync-summary", Static).update(text)
        # why it is offline, whole (wrapped): the header has room for its start only
        status = self.board.status
        reason = status.offline_reason if not status.online else None
        offline = self.query_one("#sync-offline", Static)
        offline.display = bool(reason or status.service_notice)
        if reason:
            offline.update(Text.assemble((" Offline: ", self._style("sync--error")), plain(reason)))
        elif status.service_notice:  # a team board: what its sync service cannot do
            offline.update(Text.assemble(" ", plain(status.service_notice, self._style("sync--warning"))))

    def _show_service(self, text: Text) -> None:
        """A team board: the team's sync service syncs; what its heartbeat says (cache/service_heartbeat.py)."""
        status = self.board.status
        text.append("Synced by the team's service (sync --watch)", self._style("sync--muted"))
        if not status.service_notice:  # else said whole below the summary
            text.append(" · running, backend online", self._style("sync--ok"))
        last = status.last_sync
        text.append(f" · last round {ago(last, self.board.clock()) if last else 'never'}", self._style("sync--muted"))

    _STATE_STYLES = {"running": "sync--running", "paused": "sync--warning", "queued": "sync--warning",
                     "error": "sync--error", "done": "sync--ok", "cancelled": "sync--warning",
                     "stopped": "sync--warning"}

    def _show_feeds(self) -> None:
        now = self.board.clock()
        rows: list[tuple[str, list[Text]]] = []
        for line in self.lines:
            state_style = self._style(self._STATE_STYLES.get(line.state, "sync--muted"))
            name = plain(line.name.replace("_", " "))  # (a list feed reads as one page: the Pages column says so)
            rows.append((line.name, [
                name,
                Text(line.state, state_style),
                Text(progress_bar(line.fraction, running=line.state in ("running", "paused")), state_style),
                Text(f"{line.pages:,}" if line.pages else "", justify="right"),
                # a feed read in this run says how many records it brought, none included ("0": nothing changed)
                Text(f"{line.records:,}" if line.pages else "", justify="right"),
                Text(f"{line.stored:,}", justify="right"),
                Text(f"{line.per_second:,.0f}" if line.per_second else "", justify="right"),
                Text(ago(line.last_success, now) if line.last_success else "never", self._style("sync--muted")),
                plain(line.last_error, self._style("sync--error")),
            ]))
        _set_rows(self.feeds_table, rows)

    def _entry_words(self, entry: OutboxEntry) -> str:
        """In words with the cache's names (job numbers, reasons), read with the entries."""
        return self.entry_words.get(entry.id) or entry.description

    def _show_outbox(self) -> None:
        table = self.outbox_table
        counts: dict[str, int] = {}
        rows: list[tuple[str, list[Text]]] = []
        for entry in self.entries:
            counts[entry.state] = counts.get(entry.state, 0) + 1
            bad = entry.state in (OutboxState.FAILED, OutboxState.CONFLICT)
            state_style = self._style("sync--error" if entry.state == OutboxState.FAILED else
                                      "sync--warning" if bad else "sync--muted")
            rows.append((str(entry.id), [
                Text(str(entry.id), justify="right"),
                plain(self._entry_words(entry)),
                Text(_OUTBOX_WORDS.get(entry.state, entry.state), state_style),
                Text(str(entry.attempts), justify="right"),
                plain(entry.error_text, state_style if bad else self._style("sync--muted")),
            ]))
        _set_rows(table, rows)
        if self.board.live is None:
            table.border_title = "Outbox: none on a read-only board"
        elif not self.entries:
            table.border_title = "Outbox: empty, every change has been applied"
        else:
            parts = [f"{counts[s.value]} {_OUTBOX_WORDS[s]}" for s in OPEN_STATES if counts.get(s.value)]
            table.border_title = "Outbox: " + " · ".join(parts)

    def _show_detail(self) -> None:
        detail = self.query_one("#outbox-detail", Static)
        entry = self.selected_entry
        if entry is None:
            detail.update(Text(" Tab: switch between feeds and outbox · ? all keys", self._style("sync--muted"),
                               end=""))
            return
        text = Text(end="")
        text.append(f" #{entry.id} ", self._style("sync--heading"))
        text.append_text(plain(self._entry_words(entry)))
        hints: dict[str, str] = {
            OutboxState.FAILED: "r retry · d drop · v show the change",
            OutboxState.CONFLICT: "c send anyway · d drop · v show the change",
        }
        hint = hints.get(entry.state, "d drop · v show the change" if entry.state == OutboxState.PENDING else "v show the change")
        if entry.message:
            text.append("\n ")
            text.append_text(plain(entry.message, self._style("sync--error")))
        for name, messages in entry.field_errors.items():
            for message in messages:
                text.append("\n   ")
                text.append_text(plain(f"{name}: {message}", self._style("sync--error")))
        text.append(f"\n {hint}", self._style("sync--muted"))
        detail.update(text)

    @on(DataTable.RowHighlighted, "#outbox")
    def _outbox_moved(self) -> None:
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#feeds")
    def _feed_moved(self) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#outbox")
    def _outbox_chosen(self) -> None:
        self.action_show_change()

    # ------------------------------------------------------------------ selection

    @property
    def selected_entry(self) -> OutboxEntry | None:
        table = self.outbox_table
        if not self.entries or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001 - no row under the cursor
            return None
        return next((e for e in self.entries if str(e.id) == key), None)

    @property
    def selected_feed(self) -> FeedLine | None:
        table = self.feeds_table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # noqa: BLE001
            return None
        return next((line for line in self.lines if line.name == key), None)

    def refusals(self) -> dict[str, str]:
        """Action -> why it cannot run now (the footer greys its key; pressing it says why)."""
        live = self.board.live
        if live is None:
            reason = self.board.read_only_reason or "read-only board"
            return dict.fromkeys(SYNC_ACTIONS | OUTBOX_ACTIONS, reason)
        out: dict[str, str] = {}
        if live.running:
            out["sync_now"] = "a sync is already running"
        if live.paused:
            out["pause"] = "the sync is already paused"
        else:
            out["resume"] = "the sync is not paused"
        feed = self.selected_feed
        if feed is None:
            out["resync"] = "no feed selected"
        elif live.engine is None:
            out["resync"] = "the sync has not started yet"
        elif feed.name in live.resync_requested:
            out["resync"] = f"{feed.name} is already queued for a full resync"
        entry = self.selected_entry
        if entry is None or entry.id in self._busy:
            why = "no write selected" if entry is None else "that write is being sent"
            out.update(retry=why, drop=why, confirm=why, show_change="no write selected")
        else:
            if entry.state != OutboxState.FAILED:
                out["retry"] = "only a refused write can be retried"
            if entry.state != OutboxState.CONFLICT:
                out["confirm"] = "only a write held in conflict can be sent anyway"
            if entry.state == OutboxState.SENDING:
                out["drop"] = "that write is being sent"
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        live = self.board.live
        if action in SYNC_ACTIONS and live is not None and live.synced_by_service:
            return False  # not offered (footer, help): the service syncs
        if action in SYNC_ACTIONS | OUTBOX_ACTIONS | {"show_change"}:
            return None if action in self.refusals() else True
        return True

    # ------------------------------------------------------------------ sync actions

    def action_sync_now(self) -> None:
        live = self.board.live
        if live is None:
            return
        live.sync_now()
        self.notify("Sync started", markup=False)
        self.set_timer(0.1, self.refresh_data)

    def action_pause(self) -> None:
        if self.board.live is not None:
            self.board.live.pause()
            self.query_one(StatusLine).refresh()  # the header says paused at once, not at its next tick
            self.notify("Sync paused after the pages in flight", markup=False)
            self.refresh_data()

    def action_resume(self) -> None:
        if self.board.live is not None:
            self.board.live.resume()
            self.query_one(StatusLine).refresh()  # the header says paused at once, not at its next tick
            self.notify("Sync resumed", markup=False)
            self.refresh_data()

    def action_resync(self) -> None:
        live, feed = self.board.live, self.selected_feed
        if live is None or feed is None:
            return
        words = feed.name.replace("_", " ")

        def go(_yes: bool | None) -> None:
            if not _yes:
                return
            try:
                live.resync(feed.name)
            except SyncError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(f"Full resync of {words} queued", markup=False)
            self.refresh_data()

        self.app.push_screen(ConfirmScreen(
            "Full resync", f"Fetch every {words} record again from the beginning? "
                           f"The cached rows stay until the new ones replace them."), go)

    # ------------------------------------------------------------------ outbox actions

    def action_retry(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self._decide("retry", entry)

    def action_confirm(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self._decide("confirm", entry)

    def action_drop(self) -> None:
        entry = self.selected_entry
        if entry is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._decide("drop", entry)

        self.app.push_screen(
            ConfirmScreen("Drop this change", f"Drop “{self._entry_words(entry)}”? It will never be sent."), answered)

    @work(group="outbox-decisions")
    async def _decide(self, decision: str, entry: OutboxEntry) -> None:
        """Retry / confirm send over the network: in a worker, so the board stays responsive."""
        live = self.board.live
        if live is None:
            return
        words = self._entry_words(entry)
        self._busy.add(entry.id)
        self.refresh_bindings()
        try:
            if decision == "drop":
                await live.drop(entry.id)
                self.notify(f"Dropped: {words}", markup=False)
                return
            result = await (live.retry(entry.id) if decision == "retry" else live.confirm(entry.id))
        except OutboxError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        finally:
            self._busy.discard(entry.id)
            self.board.data_version += 1  # screens showing the record refetch
            self.refresh_data()
        self.board.say_outcome(result, words)

    def action_show_change(self) -> None:
        entry = self.selected_entry
        if entry is None:
            return
        self.app.push_screen(ReadingScreen(f"Change #{entry.id}", self._change_text(entry)))

    def _change_text(self, entry: OutboxEntry) -> Group:
        tz = self.board.tz
        head = Text(end="")
        head.append_text(plain(self._entry_words(entry), "bold"))
        head.append("\n\n")
        rows = [
            ("State", _OUTBOX_WORDS.get(entry.state, entry.state)),
            ("Attempts", str(entry.attempts)),
            ("Queued", when(entry.created_at, tz)),
            ("Last change", when(entry.updated_at, tz)),
            ("Record", f"{entry.target_kind or '—'} {entry.target_id if entry.target_id is not None else ''}".strip()),
            ("Based on", when(parse_datetime(entry.base_modified_on), tz)),
        ]
        for label, value in rows:
            head.append(f"{label:<13}", self._style("sync--muted"))
            head.append_text(plain(value))
            head.append("\n")
        head.append("\nThe command\n", self._style("sync--heading"))
        fields = {k: v for k, v in entry.payload.items() if k != "kind"}
        for name, value in fields.items():
            head.append(f"  {name}: ", self._style("sync--muted"))
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            head.append_text(plain(shown, multiline=True))
            head.append("\n")
        head.append("\nThe server's answer\n", self._style("sync--heading"))
        if entry.answer:
            answer = json.dumps(entry.answer, indent=2, sort_keys=True, ensure_ascii=False, default=str)
            head.append_text(plain(answer, multiline=True))
        else:
            head.append("none yet (not sent)", self._style("sync--muted"))
        return Group(head)


def _set_rows(table: DataTable[Text], rows: list[tuple[str, list[Text]]]) -> None:
    """Make ``table`` show ``rows`` (key, cells) in order, updating in place so the cursor stays on its row."""
    keys = [key for key, _cells in rows]
    current = [row_key.value for row_key in table.rows]
    if current != keys:
        cursor_key, cursor_index = None, table.cursor_row
        if table.row_count:
            try:
                cursor_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:  # noqa: BLE001
                cursor_key = None
        table.clear()
        for key, cells in rows:
            table.add_row(*cells, key=key)
        if cursor_key in keys:
            table.move_cursor(row=keys.index(cursor_key), animate=False)
        elif rows and cursor_key is not None:
            table.move_cursor(row=min(len(rows) - 1, cursor_index), animate=False)
        return
    columns = [column.key for column in table.ordered_columns]
    for key, cells in rows:
        for column, cell in zip(columns, cells):
            old = table.get_cell(key, column)
            if old.plain != cell.plain or old.style != cell.style or old.spans != cell.spans:
                table.update_cell(key, column, cell)
