"""A virtual table: draws only the rows on screen, fetching them from the source in small windows.

The table never holds the whole result. ``virtual_size`` is ``(width, row count + header)``; ``render_line``
asks the table's ``TableWindow`` (``ui.table_window``: the windows of rows held, their reads and generations,
the bookmark walk) for the row under each screen line. A missing window is drawn as a placeholder and read
through the app's ``Reader`` (one background thread), then the lines repaint. The cursor is remembered by index
*and* row id, so a data refresh keeps it on the same row.

Subclasses say what they list: ``COLUMNS``, ``CELLS`` (column key -> text of a row), ``count_rows`` and
``read_window`` (store reads, run on the reader thread), and optionally ``cell_class`` and ``bookmark`` (a
background walk through the counted rows, so that a jump deep into them reads little). ``JobTable`` lists
jobs, ``ProjectTable`` projects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import Future, wait
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial
from time import monotonic
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from ...provider.workflow import OTHER, PriorityLevel, StatusCategory, Workflow, style_key
from ..css import widget_css
from ..format import Clock, system_clock
from ..source import CacheReach, Reader
from ..table_window import (
    BOOKMARK_IDLE,
    PAGE_SIZE,
    HasId,
    TableWindow,
    first_page,
    page_of,
    pages_from,
    walk_bookmarks,
    wanted_pages,
)

__all__ = ["CellContext", "Column", "GAP", "PRIORITY_CLASSES", "STATUS_CLASSES", "VirtualTable", "fit",
           "layout_columns", "status_class", "priority_class"]

FIRST_PAGE_WAIT = 0.05
"""Seconds a table waits at mount for a first page already being read (see ``on_mount``)."""
SHOW_WAITING_AFTER = 0.1
"""Seconds a key's result may wait for its rows before the table shows it without them ("Loading…", "…")."""
RELOAD_EVERY = 0.25
"""Seconds at least between two reloads for new data: another board's sync can tell of changes many times a
second, and each reload reads the count and the windows on the reader thread, where a key's reads wait behind
them."""

STATUS_CLASSES = frozenset(f"job-table--status-{key}" for key in (*StatusCategory, OTHER))
"""A status is styled by its category (``provider.workflow``), so a theme styles every backend's statuses."""
PRIORITY_CLASSES = frozenset(f"job-table--priority-{level}" for level in PriorityLevel)

Q = TypeVar("Q")
R = TypeVar("R", bound=HasId)


def status_class(category: StatusCategory | None) -> str:
    """Component class for a status's category; statuses the workflow does not list share ``-other``."""
    return f"job-table--status-{style_key(category)}"


def priority_class(level: PriorityLevel | None) -> str:
    """Component class for a priority's level; priorities the workflow does not list look normal."""
    return f"job-table--priority-{level or PriorityLevel.NORMAL}"


@dataclass(frozen=True)
class Column:
    """One table column. ``rank`` orders which columns survive a narrow terminal (0 = always shown)."""

    key: str                # also the sort key handed to the store
    title: str
    min_width: int
    ideal_width: int
    rank: int
    flex: int = 0           # share of the space left once every shown column has its ideal width
    style: str = ""         # "status" / "priority": coloured by value


@dataclass(frozen=True)
class CellContext:
    now: datetime
    tz: tzinfo | None
    workflow: Workflow
    """The backend's: a status cell shows its label."""


@dataclass(frozen=True)
class _Frame:
    """What every line of one frame shares, worked out once a frame (``VirtualTable.render_lines``)."""

    width: int
    columns: list[tuple[Column, int]]
    ctx: CellContext


GAP = 1


def layout_columns(width: int, columns: Sequence[Column]) -> list[tuple[Column, int]]:
    """Choose the columns that fit ``width`` and their widths, in display order.

    Columns are taken by rank while each fits at a comfortable width (halfway from its minimum to its ideal);
    the first one that does not fit ends the choice, so a low-value column never squeezes a more useful one.
    Spare cells then grow columns toward their ideal width (by rank), and the rest goes to flexible columns.
    """
    def comfortable(column: Column) -> int:
        return (column.min_width + column.ideal_width) // 2

    chosen: list[Column] = []
    used = -GAP
    for column in sorted(columns, key=lambda c: c.rank):
        if used + GAP + comfortable(column) > width and chosen:
            break
        chosen.append(column)
        used += GAP + comfortable(column)
    widths = {c.key: comfortable(c) for c in chosen}
    spare = width - used
    if spare < 0:  # narrower than the first column: let it be cropped
        return [(c, max(1, widths[c.key] + spare)) for c in chosen]
    for column in sorted(chosen, key=lambda c: c.rank):
        grow = min(spare, column.ideal_width - widths[column.key])
        widths[column.key] += grow
        spare -= grow
    flexible = [c for c in chosen if c.flex]
    if not flexible:
        flexible = [max(chosen, key=lambda c: c.ideal_width)]
    total_flex = sum(c.flex or 1 for c in flexible)
    if spare:
        shares = [spare * (c.flex or 1) // total_flex for c in flexible]
        shares[-1] += spare - sum(shares)
        for column, share in zip(flexible, shares):
            widths[column.key] += share
    return [(c, widths[c.key]) for c in columns if c in chosen]


def fit(text: str, width: int) -> str:
    """Crop or pad ``text`` to exactly ``width`` cells, with an ellipsis when cropped."""
    if text.isascii():  # one cell a character: most cells, without Rich's per-character width walk
        return text.ljust(width) if len(text) <= width else text[:max(0, width - 1)] + "…"[:width]
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width <= 1:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _joined(pieces: Iterable[tuple[str, Style | None]]) -> list[Segment]:
    """``pieces`` (text, style) as segments, neighbours of one style in one: the terminal gets each segment's
    style codes and a reset, so a table row of 20 segments was half escape codes, and a frame of such rows reached
    the terminal in several writes. Styles are compared by identity: a table's come from ``_look``, one object a
    look."""
    runs: list[tuple[Style | None, list[str]]] = []
    for text, style in pieces:
        if runs and style is runs[-1][0]:
            runs[-1][1].append(text)
        else:
            runs.append((style, [text]))
    return [Segment("".join(texts), style) for style, texts in runs]



class VirtualTable(ScrollView, Generic[Q, R], can_focus=True):
    """Rows (each with an ``id``) for a query, one line each, fetched window by window."""

    DEFAULT_CSS = widget_css(__file__)
    SCOPED_CSS = False  # the status/priority classes in virtual_table.tcss are shared with other widgets

    COLUMNS: ClassVar[tuple[Column, ...]] = ()
    CELLS: ClassVar[dict[str, Callable[[Any, CellContext], str]]] = {}
    EMPTY_TEXT: ClassVar[str] = "Nothing matches."
    WORKER_GROUP: ClassVar[str] = "virtual-table"
    WHAT: ClassVar[str] = "rows"
    """What the rows are, for messages ('Could not read jobs from the cache')."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="up"),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False, id="page-down"),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False, id="page-up"),
        Binding("home,g", "first", "First", show=False, id="first"),
        Binding("end,G", "last", "Last", show=False, id="last"),
        Binding("enter", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--header-sorted",
        "virtual-table--cursor",
        "virtual-table--marked",
        "virtual-table--placeholder",
        "virtual-table--write-queued",
        "virtual-table--write-failed",
        "virtual-table--empty",
        *STATUS_CLASSES,
        *PRIORITY_CLASSES,
    }

    class _TableMessage(Message):
        def __init__(self, table: VirtualTable[Any, Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> VirtualTable[Any, Any]:
            return self.table

    class Selected(_TableMessage):
        """Enter on a row: open it."""

        def __init__(self, table: VirtualTable[Any, Any], row_id: int) -> None:
            super().__init__(table)
            self.row_id = row_id

    class CursorMoved(_TableMessage):
        def __init__(self, table: VirtualTable[Any, Any], index: int, row_id: int | None) -> None:
            super().__init__(table)
            self.index = index
            self.row_id = row_id

    cursor: reactive[int] = reactive(0, always_update=False, init=False, repaint=False)  # watch_cursor repaints
    counted: reactive[int | None] = reactive(None, always_update=True, init=False, repaint=False)
    """The current query's row count, set when it is known (None while counting). A screen ``watch``es it to show
    the count and the query beside the table: a watcher runs at once, so that is drawn in the frame that shows the
    rows (a message would be handled after that frame, and its line drawn a frame or two later)."""

    def __init__(
        self,
        source: object,
        query: Q,
        *,
        workflow: Workflow,
        reader: Reader | None = None,
        clock: Clock = system_clock,
        tz: tzinfo | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        first_page: Future[tuple[int, Sequence[R]]] | None = None,
    ) -> None:
        """``first_page``: the count and the first ``PAGE_SIZE`` rows of ``query``, already being read (the
        board starts that read before Textual starts, so that its first frame can show rows). ``workflow``: the
        backend's, whose categories and levels colour the status and priority columns."""
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.workflow = workflow
        self._query = query
        self._first_page = first_page
        self.reader = reader or Reader()
        self.clock = clock
        self.tz = tz
        self.row_count: int | None = None
        self.marked: set[int] = set()
        self.write_marks: dict[int, str] = {}
        self.window: TableWindow[R] = TableWindow()
        self._cursor_row_id: int | None = None
        self._anchor: tuple[int, int] | None = None  # (row id, screen row) to restore after a refresh
        # A key's result is shown in one frame, once its rows are read: a new query keeps the old rows on screen
        # meanwhile (``_replacing``), a jump keeps the cursor where it was (``_held``: the cursor and top row to
        # show). Textual paints at most every 1/60 s, on a fixed grid of ticks: a first frame of placeholders
        # would put the rows a tick or two later (two when that frame runs over a tick). ``_waiting`` shows
        # the result without its rows when the read is slow.
        self._replacing = False
        self._held: tuple[int, int] | None = None
        self._waiting: Timer | None = None
        self._layout: list[tuple[Column, int]] = []
        self._looks: dict[tuple[str | None, ...], Style] = {}  # see ``_look``
        self._layout_width = -1
        self._frame: _Frame | None = None  # while a frame is drawn (``render_lines``)
        self._last_reload = -RELOAD_EVERY  # monotonic seconds (``_data_changed``)
        self._reload_due: Timer | None = None
        self._walk_due: Timer | None = None  # the bookmark walk, once the rows have stood BOOKMARK_IDLE seconds

    # ------------------------------------------------------------------ what subclasses provide

    def count_rows(self, query: Q) -> int:
        """How many rows ``query`` matches (runs on the reader thread)."""
        raise NotImplementedError

    def read_window(self, query: Q, offset: int, limit: int) -> Sequence[R]:
        """``limit`` rows from ``offset`` (runs on the reader thread)."""
        raise NotImplementedError

    def bookmark(self, query: Q, seconds: float, going_on: bool) -> bool:
        """Let the source walk on through ``query``'s rows for about ``seconds``, remembering where windows deep in
        them start (runs on the reader thread); True when there is nothing more to walk. ``going_on``: a chunk after
        the walk's first. Nothing by default."""
        return True

    def table_columns(self) -> Sequence[Column]:
        """The columns it can show, by rank (``COLUMNS``; a table whose columns depend on the backend says so)."""
        return self.COLUMNS

    def cell_class(self, column: Column, row: R) -> str | None:
        """The component class of one cell, if any (status and priority columns are coloured by value)."""
        if column.style == "status":
            return status_class(self.workflow.category(getattr(row, "status", None)))
        if column.style == "priority":
            return priority_class(self.workflow.priority_level(getattr(row, "priority", None)))
        return None

    # ------------------------------------------------------------------ query and data

    @property
    def list_query(self) -> Q:
        """What the table lists (``set_query`` shows another)."""
        return self._query

    def set_query(self, query: Q) -> None:
        """Show another query: cursor back to the top, everything refetched."""
        if query == self._query:
            return
        self._query = query
        self._reset(keep_position=False)

    def reload(self) -> None:
        """The data changed underneath (a sync ran): refetch, keeping cursor, scroll and marks on their rows. Only
        what the new rows change is drawn again."""
        self._last_reload = monotonic()
        self._reset(keep_position=True)
        self._start_write_marks()

    def _data_changed(self) -> None:
        """Reload now, or once ``RELOAD_EVERY`` has passed since the last reload (changes told meanwhile are in it)."""
        if self._reload_due is not None:
            return
        wait = self._last_reload + RELOAD_EVERY - monotonic()
        if wait <= 0:
            self.reload()
        else:
            self._reload_due = self.set_timer(wait, self._due_reload)

    def _due_reload(self) -> None:
        self._reload_due = None
        self.reload()

    def read_write_marks(self) -> dict[int, str]:
        """Row id -> the state of the writes queued against it (pending, sending, failed, conflict); runs on
        the reader thread. None by default."""
        return {}

    def _start_write_marks(self) -> None:
        read: Callable[[], Awaitable[None]] = self._read_write_marks
        self.run_worker(read, group=f"{self.WORKER_GROUP}-marks", exclusive=True)

    async def _read_write_marks(self) -> None:
        try:
            marks = await self.reader(self.read_write_marks)
        except Exception as error:  # noqa: BLE001 - a missing marker is not worth failing the table
            self._read_failed(error)
            return
        if marks != self.write_marks:
            self.write_marks = marks
            self.refresh()

    def _reset(self, *, keep_position: bool) -> None:
        # Old windows stay on screen until new ones replace them (no flash of placeholders).
        generation = self.window.renew(keep_rows=keep_position)
        if keep_position:  # the held rows stay on screen as they are until new ones differ (``_fetch``)
            row_id = self.cursor_row_id
            self._anchor = None if row_id is None else (row_id, self.cursor - int(self.scroll_y))
        else:
            # The old query's rows stay until the new one's first page replaces them (see ``__init__``).
            self._anchor = None
            self._replacing = True
            self._held = (0, 0)
            self._wait_for_rows()
        # A callable, not a coroutine: an exclusive worker cancelled before it starts leaves nothing unawaited.
        count: Callable[[], Awaitable[None]] = partial(self._count, generation, with_first_page=not keep_position)
        self.run_worker(count, group=f"{self.WORKER_GROUP}-count", exclusive=True)

    def _read_failed(self, error: Exception) -> None:
        # A read can fail (database locked, schema mid-migration, a team's database gone); the board stays up and
        # says so. The rows shown stay; a team's database back reloads them.
        if isinstance(self.app, CacheReach) and self.app.said_lost_cache(error):
            self._stop_waiting()  # rows a new query would replace stay, not a blank table
            return
        self.log.error(f"{self.WHAT} table read failed", error)
        self.notify(f"Could not read {self.WHAT} from the cache: {error}", severity="error", markup=False)

    async def _count(self, generation: int, *, with_first_page: bool) -> None:
        """Count the query's rows; back at the top (a new query), read the first page in the same trip to the
        reader thread, so the rows come one frame sooner."""
        first, self._first_page = self._first_page, None
        try:
            if first is not None:
                count, rows = await asyncio.wrap_future(first)
            elif with_first_page:
                count, rows = await self.reader(first_page, self.count_rows, self.read_window, self._query)
            else:
                count, rows = await self.reader(self.count_rows, self._query), None
        except Exception as error:  # noqa: BLE001 - any store failure is shown, not fatal
            self._read_failed(error)
            return
        if not self.window.current(generation):
            return
        self._counted(count, rows)

    def _counted(self, count: int, first_page: Sequence[R] | None) -> None:
        replaced, self._replacing = self._replacing, False
        changed = replaced or first_page is not None or count != self.row_count
        if replaced:
            self._stop_waiting()
            self._clear(keep_size=True)  # the same size again would lay the screen out for nothing
        if first_page is not None:
            self.window.put(0, first_page)
            self._sync_cursor_row()
        self.row_count = count
        self.virtual_size = Size(self.size.width, count + 1)
        if self.cursor >= count:
            self.set_reactive(VirtualTable.cursor, max(0, count - 1))
        self.counted = count
        if replaced and self._held is not None:
            held, self._held = self._held, None
            self._move(*held)  # the top, or where keys pressed while the query was read go
        self._fetch_visible()
        if changed:  # a reload that found as many rows draws only the rows that changed (``_fetch``)
            self.refresh()
        # after the frame that shows the count: the walk's thread would slow its painting (the GIL)
        self.call_after_refresh(self._start_bookmarks, self.window.generation)

    def _start_bookmarks(self, generation: int) -> None:
        if self._walk_due is not None:
            self._walk_due.stop()
        self._walk_due = self.set_timer(BOOKMARK_IDLE, partial(self._walk, generation))

    def _walk(self, generation: int) -> None:
        self._walk_due = None
        if self.window.current(generation):
            walk: Callable[[], Awaitable[None]] = partial(self._bookmark, generation)
            self.run_worker(walk, group=f"{self.WORKER_GROUP}-bookmarks", exclusive=True)

    async def _bookmark(self, generation: int) -> None:
        """Once the rows are counted and painted, the source walks them (``table_window.walk_bookmarks``) until a
        new query or new data."""
        try:
            await walk_bookmarks(self.window, generation, self.reader, partial(self.bookmark, self._query))
        except Exception as error:  # noqa: BLE001 - no row on screen depends on the walk: log it and stop
            self.log.warning(f"{self.WHAT} table: walking the rows failed", error)

    def _clear(self, *, keep_size: bool = False) -> None:
        """No rows: the new query's count and windows are still to come."""
        self.window.clear()
        self.set_reactive(VirtualTable.cursor, 0)
        self._cursor_row_id = None
        self.scroll_to(y=0, animate=False, immediate=True)
        if not keep_size:
            self.row_count = None
            self.virtual_size = Size(self.size.width, 1)

    def _wait_for_rows(self) -> None:
        if self._waiting is None:
            self._waiting = self.set_timer(SHOW_WAITING_AFTER, self._show_waiting)

    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting.stop()
            self._waiting = None

    def _show_waiting(self) -> None:
        """The rows of a key's result are slow to come: show what is known without them."""
        self._waiting = None
        if self._replacing:
            if self.row_count is not None:
                self._clear()
                self.counted = None
                self.refresh()
        elif self._held is not None:
            held, self._held = self._held, None
            self._show(*held)

    def _fetch_visible(self) -> None:
        """Read the windows the screen shows now; their neighbours once this frame is drawn (their reads, on the
        reader thread, would take the GIL from the frame while it is drawn)."""
        if self.row_count is None or self.row_count == 0 or self._replacing:
            return
        self._fetch_pages(self._pages_from(int(self.scroll_y)) | {page_of(self.cursor)})
        self.call_after_refresh(self._prefetch)

    def _prefetch(self) -> None:
        if self.row_count is None or self.row_count == 0 or self._replacing:
            return
        self._fetch_pages(wanted_pages(int(self.scroll_y), self.size.height, self.row_count, self.cursor))

    def _fetch_pages(self, pages: set[int]) -> None:
        generation = self.window.generation
        for page in self.window.to_read(pages):
            fetch: Callable[[], Awaitable[None]] = partial(self._fetch, generation, page)
            self.run_worker(fetch, group=f"{self.WORKER_GROUP}-fetch")

    async def _fetch(self, generation: int, page: int) -> None:
        first = page * PAGE_SIZE
        before = [self.window.row_at(index) for index in range(first, first + PAGE_SIZE)]  # held, or None
        try:
            kept = await self.window.read(self.reader, generation, page, partial(self.read_window, self._query),
                                          self._page_wanted)
        except Exception as error:  # noqa: BLE001
            self._read_failed(error)
            return
        if not kept:
            return
        self._restore_anchor()
        self._sync_cursor_row()
        if self._held is not None and not self._replacing:
            if self.window.loaded(self._held_pages()):
                held, self._held = self._held, None
                self._stop_waiting()
                self._show(*held)
        elif self._page_shown(page):  # a prefetched neighbour changes nothing on screen: no frame for it
            self._refresh_changed(first, before)

    def _refresh_changed(self, first: int, before: list[R | None]) -> None:
        """Draw again the lines on screen whose rows are not ``before`` (the rows held from ``first`` on before a
        read): a reload that brought the same rows draws nothing."""
        top = int(self.scroll_y)
        shown = range(max(first, top), min(first + len(before), top + self.size.height))
        changed = [index for index in shown if self.row_at(index) != before[index - first]]
        if len(changed) == len(shown):
            self.refresh()
        for index in changed if len(changed) < len(shown) else ():
            self.refresh_line(index + 1)  # (virtual line 0 is the header)

    def _page_shown(self, page: int) -> bool:
        first = int(self.scroll_y)
        return page_of(first) <= page <= page_of(first + self.size.height)

    def _page_wanted(self, page: int) -> bool:
        first = page_of(int(self.scroll_y))
        last = page_of(int(self.scroll_y) + self.size.height)
        return first - 1 <= page <= last + 1 or page == page_of(self.cursor) or page in self._held_pages()

    def _pages_from(self, top: int) -> set[int]:
        """The windows that the screen shows with ``top`` as its first row."""
        return pages_from(top, self.page_rows, self.row_count)

    def _held_pages(self) -> set[int]:
        if self._held is None or self._replacing or not self.row_count:
            return set()
        index, top = self._held
        return self._pages_from(top) | {page_of(index)}

    def _restore_anchor(self) -> None:
        """After a refresh: if the cursor's row moved, follow it, keeping it on the same screen row."""
        if self._anchor is None:
            return
        row_id, screen_row = self._anchor
        index = self.window.find(row_id)
        if index is not None:
            self._anchor = None
            self.set_reactive(VirtualTable.cursor, index)
            self.scroll_to(y=max(0, index - screen_row), animate=False, immediate=True)
        elif self.window.all_fresh:
            self._anchor = None  # every window is fresh and the row is not in them: stay on the index

    @property
    def shows_rows(self) -> bool:
        """The screen shows the current query at the cursor, with every row it needs read (nothing pending)."""
        if self._replacing or self._held is not None or self.row_count is None:
            return False
        return not self.row_count or self.window.loaded(self._pages_from(int(self.scroll_y)))

    def row_at(self, index: int) -> R | None:
        """The row at ``index`` if its window is loaded (never fetches)."""
        return self.window.row_at(index)

    @property
    def cursor_row(self) -> R | None:
        return self.row_at(self.cursor) if self.row_count else None

    @property
    def cursor_row_id(self) -> int | None:
        row = self.cursor_row
        return row.id if row is not None else self._cursor_row_id

    def loaded_rows(self) -> list[R]:
        """The rows on screen that are loaded, top to bottom (for tests and exports of what is seen)."""
        first = int(self.scroll_y)
        rows = (self.row_at(i) for i in range(first, first + max(0, self.size.height - 1)))
        return [row for row in rows if row is not None]

    def _sync_cursor_row(self) -> None:
        row = self.cursor_row
        row_id = row.id if row is not None else None
        if row_id != self._cursor_row_id:
            self._cursor_row_id = row_id
            self.post_message(self.CursorMoved(self, self.cursor, row_id))

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        first = self._first_page
        if first is not None:
            # Read while Textual started. Waiting here a little, before the first frame, lets the reader thread
            # finish it (an indexed read of a few ms that, beside Textual's start-up work, waits for the GIL
            # again after every SQLite call): the first frame shows rows. A slow disk falls back to the worker.
            wait((first,), timeout=FIRST_PAGE_WAIT)
        if first is not None and first.done() and first.exception() is None:
            self._first_page = None
            self.window.renew(keep_rows=False)
            self._counted(*first.result())
        else:
            self._reset(keep_position=False)
        self._start_write_marks()
        # The app bumps data_version when a sync wrote new rows: show them, keeping the cursor's row.
        if hasattr(self.app, "data_version"):
            self.watch(self.app, "data_version", lambda _: self._data_changed(), init=False)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, (self.row_count or 0) + 1)
        self._scroll_cursor_into_view()
        self._fetch_visible()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._fetch_visible()

    def watch_cursor(self, old: int, new: int) -> None:
        scrolled_from = self.scroll_y
        self._scroll_cursor_into_view()
        self._fetch_visible()
        self._sync_cursor_row()
        if self.scroll_y == scrolled_from:  # only the line the cursor left and the one it entered change
            self.refresh_line(old + 1)  # (virtual line 0 is the header)
            self.refresh_line(new + 1)
        else:
            self.refresh()

    def on_focus(self) -> None:
        self._looks.clear()  # the cursor looks different without focus
        self.refresh()

    def on_blur(self) -> None:
        self._looks.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks.clear()

    # ------------------------------------------------------------------ cursor movement

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _move(self, index: int, top: int | None = None) -> None:
        """Put the cursor on row ``index`` (and the screen's first row on ``top``, else the nearest top that
        shows the cursor): at once when those rows are read, else when they come (see ``__init__``). Moves
        made meanwhile go on from where the pending one goes."""
        if self._replacing:  # applied when the new query's count is in
            self._held = (max(0, index), max(0, top if top is not None else self._position[1]))
            return
        if not self.row_count:
            return
        index = max(0, min(self.row_count - 1, index))
        top = self._top_for(index, top)
        if self.window.loaded(self._pages_from(top) | {page_of(index)}):
            self._held = None
            self._stop_waiting()
            self._show(index, top)
        else:
            self._held = (index, top)
            self._wait_for_rows()
            self._fetch_pages(self._held_pages())

    def _top_for(self, index: int, top: int | None) -> int:
        """The screen's first row: ``top``, else the pending or shown one, moved as little as keeps ``index``
        on screen."""
        rows = self.page_rows
        top = max(index - rows + 1, min(self._position[1] if top is None else top, index))
        return max(0, min(top, (self.row_count or 0) - rows))

    def _show(self, index: int, top: int) -> None:
        self.scroll_to(y=top, animate=False, immediate=True)
        self.cursor = index

    @property
    def _position(self) -> tuple[int, int]:
        """(cursor, first row on screen) as the pending move leaves them, else as shown."""
        return self._held if self._held is not None else (self.cursor, int(self.scroll_y))

    def _scroll_cursor_into_view(self) -> None:
        if not self.row_count:
            return
        top, rows = int(self.scroll_y), self.page_rows
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self._move(self._position[0] + 1)

    def action_cursor_up(self) -> None:
        self._move(self._position[0] - 1)

    def action_page_down(self) -> None:
        rows, (index, top) = self.page_rows, self._position
        self._move(index + rows, top + rows)

    def action_page_up(self) -> None:
        rows, (index, top) = self.page_rows, self._position
        self._move(index - rows, top - rows)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move((self.row_count or 1) - 1)

    def action_open(self) -> None:
        row_id = self.cursor_row_id
        if row_id is not None:
            self.post_message(self.Selected(self, row_id))

    def action_toggle_mark(self) -> None:
        row_id = self.cursor_row_id
        if row_id is None:
            return
        self.marked ^= {row_id}
        self._move(self._position[0] + 1)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y < 1 or not self.row_count:
            return
        index = int(self.scroll_y) + event.y - 1
        if index < self.row_count:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self._move(index)

    # ------------------------------------------------------------------ rendering

    def _columns(self, width: int) -> list[tuple[Column, int]]:
        if width != self._layout_width:
            self._layout = layout_columns(max(1, width - 1), self.table_columns())  # one cell for the mark gutter
            self._layout_width = width
        return self._layout

    def _sort_key(self) -> tuple[str | None, bool]:
        """(sorted column key, descending) for the header's arrow."""
        return getattr(self._query, "sort", None), bool(getattr(self._query, "descending", False))

    def _look(self, *components: str | None) -> Style:
        """The table's style with these component classes on top, in order (None adds nothing). Kept until the
        styles change: a frame draws every row from a handful of them, and each costs tens of µs to work out.
        One object a look (``_joined`` merges neighbours by identity)."""
        style = self._looks.get(components)
        if style is None:
            shown = tuple(c for c in components if c is not None)
            style = self._looks.get(shown)
            if style is None:
                style = self.rich_style
                for component in shown:
                    style += self.get_component_rich_style(component)
                # looks that come out equal (the focused cursor hides a status colour) share one object
                style = next((known for known in self._looks.values() if known == style), style)
                self._looks[shown] = style
            self._looks[components] = style
        return style

    def _frame_now(self) -> _Frame:
        width = self.scrollable_content_region.width
        return _Frame(width, self._columns(width), CellContext(self.clock(), self.tz, self.workflow))

    def render_lines(self, crop: Region) -> list[Strip]:
        """A frame's lines: what they share (width, columns, the time) is worked out once for them all, not a
        line at a time (Textual's content region alone is ~30 µs)."""
        self._frame = self._frame_now()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._frame_now()
        width = frame.width
        if y == 0:
            return self._render_header(frame)
        index = int(self.scroll_y) + y - 1
        if self.row_count is None:
            if y == 1:
                return self._message_line("Loading…", width)
            return Strip.blank(width, self._look())
        if self.row_count == 0:
            if y == 1:
                return self._message_line(self.empty_text(), width)
            return Strip.blank(width, self._look())
        if index >= self.row_count:
            return Strip.blank(width, self._look())
        row = self.row_at(index)
        if row is None:
            return Strip([Segment(fit(" …", width), self._look("virtual-table--placeholder"))], width)
        return self._render_row(row, index, frame)

    def empty_text(self) -> str:
        """What the table says when no row matches (a subclass may say why)."""
        return self.EMPTY_TEXT

    def _message_line(self, message: str, width: int) -> Strip:
        return Strip([Segment(fit(f" {message}", width), self._look("virtual-table--empty"))], width)

    def _render_header(self, frame: _Frame) -> Strip:
        header = self._look("virtual-table--header")
        sorted_style = self._look("virtual-table--header", "virtual-table--header-sorted")
        sort, descending = self._sort_key()
        pieces: list[tuple[str, Style | None]] = [(" ", header)]
        for column, col_width in frame.columns:
            title = column.title
            style = header
            if column.key == sort:
                title = f"{title} {'▼' if descending else '▲'}"
                style = sorted_style
            pieces.append((fit(title, col_width), style))
            pieces.append((" " * GAP, header))
        return Strip(_joined(pieces[:-1])).adjust_cell_length(frame.width, header)

    def _render_row(self, row: R, index: int, frame: _Frame) -> Strip:
        row_id = row.id
        marked = "virtual-table--marked" if row_id in self.marked else None
        # The cursor style applies on top of the status colours (CSS decides focused vs blurred looks).
        cursor = "virtual-table--cursor" if index == self.cursor else None
        write = self.write_marks.get(row_id)
        if marked:
            lead = Segment("▌", self._look(marked))
        elif write is not None:  # a change is queued (~) or was refused / held (!)
            failed = write in ("failed", "conflict")
            lead = Segment("!" if failed else "~",
                           self._look("virtual-table--write-failed" if failed else "virtual-table--write-queued"))
        else:
            lead = Segment(" ", self._look())
        ctx, cells = frame.ctx, self.CELLS
        plain = self._look(marked, cursor)
        gap = (" " * GAP, plain)
        pieces: list[tuple[str, Style | None]] = [(lead.text, lead.style)]
        for column, col_width in frame.columns:
            pieces.append((fit(cells[column.key](row, ctx), col_width),
                           self._look(marked, self.cell_class(column, row), cursor)))
            pieces.append(gap)
        # without the last gap the row is the table's width: nothing to crop (cropping walks the text)
        return Strip(_joined(pieces[:-1])).adjust_cell_length(frame.width, plain)
