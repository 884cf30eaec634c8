"""What a virtual table holds of its query's rows, and how it reads more: no Textual here.

A table never holds the whole result: it keeps a few windows ("pages") of ``PAGE_SIZE`` rows in a small LRU
cache, reads the missing ones through the app's ``Reader`` (one background thread), and walks the counted rows
for the store's bookmarks while it waits for nothing. Every new query or refresh starts a new *generation*: a
read that began in an older one is dropped when it lands, so a slow window never overwrites newer rows.
``widgets.virtual_table.VirtualTable`` draws from a ``TableWindow`` and moves its cursor over it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, Protocol, TypeVar

from .source import Reader

__all__ = ["BOOKMARK_IDLE", "BOOKMARK_SECONDS", "BOOKMARK_WAIT", "MAX_PAGES", "PAGE_SIZE", "HasId", "TableWindow", "first_page",
           "page_of", "pages_from", "walk_bookmarks", "wanted_pages"]

PAGE_SIZE = 64
MAX_PAGES = 24
BOOKMARK_SECONDS = 0.004
"""Seconds one chunk of the background walk (``walk_bookmarks``) may hold the reader thread: what a read for a
key may wait behind it."""
BOOKMARK_WAIT = 0.01
"""Seconds the walk waits, before its next chunk, while the table waits for windows of its own."""
BOOKMARK_IDLE = 1.0
"""Seconds a table's rows stay as counted before it has the walk begin: keys pressed in a row (a sort, a filter, a
search typed) each make a new query, and a walk begun for each would take a core from the next key's reads (a
million jobs take the walk a second or more); a jump deep into the list comes after the dispatcher has looked."""


class HasId(Protocol):
    """A row a table lists: the cursor and the anchor follow rows by id."""

    @property
    def id(self) -> int: ...


Q = TypeVar("Q")
R = TypeVar("R", bound=HasId)


def first_page(count_rows: Callable[[Q], int], read_window: Callable[[Q, int, int], Sequence[R]],
               query: Q) -> tuple[int, Sequence[R]]:
    """The count of ``query`` and its first ``PAGE_SIZE`` rows: what a table shows when it opens a query. The
    window is read first: after a text search's window, the store counts from the matches it kept."""
    rows = read_window(query, 0, PAGE_SIZE)
    return (count_rows(query) if rows else 0), rows


def page_of(index: int) -> int:
    return index // PAGE_SIZE


def pages_from(top: int, page_rows: int, row_count: int | None) -> set[int]:
    """The windows a screen of ``page_rows`` rows shows with ``top`` as its first row."""
    last = min((row_count or 1) - 1, top + page_rows - 1)
    return {top // PAGE_SIZE, max(top, last) // PAGE_SIZE}


def wanted_pages(first: int, height: int, row_count: int, cursor: int) -> set[int]:
    """The windows to have for a screen whose first row is ``first``: those it shows, the cursor's, and their
    neighbours (so scrolling a line at a time rarely meets a placeholder)."""
    last = min(row_count - 1, first + max(1, height))
    wanted = {first // PAGE_SIZE, last // PAGE_SIZE, cursor // PAGE_SIZE}
    return wanted | {max(0, first // PAGE_SIZE - 1), min((row_count - 1) // PAGE_SIZE, last // PAGE_SIZE + 1)}


class TableWindow(Generic[R]):
    """The windows of rows a table holds for its query, the reads under way, and the generation they belong to."""

    def __init__(self) -> None:
        self.generation = 0
        self._pages: OrderedDict[int, list[R]] = OrderedDict()
        self._stale: set[int] = set()
        """Windows from before a refresh: shown until read again."""
        self._pending: set[tuple[int, int]] = set()
        """(generation, page) of the reads under way."""

    # ------------------------------------------------------------------ generations

    def renew(self, *, keep_rows: bool) -> int:
        """A new query or new data: reads under way are forgotten, and (``keep_rows``) the windows held stay on
        screen, stale, until read again. Returns the new generation."""
        self.generation += 1
        self._pending.clear()
        if keep_rows:
            self._stale = set(self._pages)
        return self.generation

    def current(self, generation: int) -> bool:
        return generation == self.generation

    def clear(self) -> None:
        """No rows held (the new query's windows are still to come)."""
        self._pages.clear()
        self._stale.clear()

    # ------------------------------------------------------------------ rows held

    @property
    def holds_rows(self) -> bool:
        return bool(self._pages)

    @property
    def reading(self) -> bool:
        """Windows of this table are being read (the bookmark walk waits meanwhile)."""
        return bool(self._pending)

    def row_at(self, index: int) -> R | None:
        """The row at ``index`` if its window is held (never reads)."""
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def loaded(self, pages: Iterable[int]) -> bool:
        """Every one of ``pages`` is held and fresh."""
        return all(page in self._pages and page not in self._stale for page in pages)

    def put(self, page: int, rows: Sequence[R]) -> None:
        """Keep a window just read (the least recently read goes past ``MAX_PAGES``)."""
        self._pages[page] = list(rows)
        self._pages.move_to_end(page)
        self._stale.discard(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def find(self, row_id: int) -> int | None:
        """The index of the row ``row_id`` in the fresh windows; None when it is not in them."""
        for page, rows in self._pages.items():
            if page in self._stale:
                continue
            for offset, row in enumerate(rows):
                if row.id == row_id:
                    return page * PAGE_SIZE + offset
        return None

    @property
    def all_fresh(self) -> bool:
        """No stale window is held any more."""
        return not self._stale & set(self._pages)

    # ------------------------------------------------------------------ reads

    def to_read(self, pages: Iterable[int]) -> list[int]:
        """Of ``pages``, those missing or stale and not being read already, in order; each is marked as being
        read (in this generation) until ``read`` ends."""
        out = []
        for page in sorted(pages):
            key = (self.generation, page)
            if (page not in self._pages or page in self._stale) and key not in self._pending:
                self._pending.add(key)
                out.append(page)
        return out

    async def read(self, reader: Reader, generation: int, page: int,
                   read_window: Callable[[int, int], Sequence[R]], wanted: Callable[[int], bool]) -> bool:
        """Read window ``page`` (begun in ``generation``) on the reader thread and keep it; False when it was not
        kept: a newer generation, or a window the screen no longer wants by the time its turn came. A failed
        read raises."""

        def read() -> Sequence[R] | None:
            # Skip windows the user has already scrolled away from while this one waited its turn.
            if not self.current(generation) or not wanted(page):
                return None
            return read_window(page * PAGE_SIZE, PAGE_SIZE)

        try:
            rows = await reader(read)
        finally:
            self._pending.discard((generation, page))
        if rows is None or not self.current(generation):
            return False
        self.put(page, rows)
        return True


async def walk_bookmarks(window: TableWindow[R], generation: int, reader: Reader,
                         step: Callable[[float, bool], bool]) -> None:
    """Let the source walk the counted rows on the reader thread (``step(seconds, going_on)``: True when there is
    nothing more to walk; ``going_on`` from the second chunk, so the source can tell a walk it should end, its
    data changed since it began, from one begun now), a short chunk at a time and only while the table reads none
    of its own windows, so that a jump deep into them (the scrollbar dragged) seeks from near where it lands. A new
    generation ends the walk; a failed chunk raises."""
    begun = False

    def chunk() -> bool:
        nonlocal begun
        # a chunk that waited its turn past a new query or new data is not taken
        if not window.current(generation):
            return True
        going_on, begun = begun, True
        return step(BOOKMARK_SECONDS, going_on)

    while window.current(generation):
        if window.reading:
            await asyncio.sleep(BOOKMARK_WAIT)
            continue
        if await reader(chunk):
            return
