"""The virtual table's paging on its own, without an App: windows held and evicted, stale windows after a refresh,
reads dropped when a newer generation or a scroll made them useless, and the bookmark walk. (That the module
imports no Textual is an import contract in pyproject.toml, run by tests/test_architecture.py.)"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from jpm_tui.ui import table_window
from jpm_tui.ui.source import Reader
from jpm_tui.ui.table_window import (
    MAX_PAGES,
    PAGE_SIZE,
    TableWindow,
    first_page,
    pages_from,
    walk_bookmarks,
    wanted_pages,
)


@dataclass(frozen=True)
class Row:
    id: int


def rows(page: int, count: int = PAGE_SIZE, first_id: int = 0) -> list[Row]:
    return [Row(first_id + page * PAGE_SIZE + n) for n in range(count)]


def test_first_page_reads_the_window_before_counting_and_skips_the_count_when_empty() -> None:
    calls: list[str] = []

    def count(query: str) -> int:
        calls.append("count")
        return 500

    def window(query: str, offset: int, limit: int) -> list[Row]:
        calls.append(f"window {offset} {limit}")
        return rows(0) if query == "some" else []

    assert first_page(count, window, "some") == (500, rows(0))
    assert calls == [f"window 0 {PAGE_SIZE}", "count"]
    calls.clear()
    assert first_page(count, window, "none") == (0, [])
    assert calls == [f"window 0 {PAGE_SIZE}"]


def test_the_pages_a_screen_shows_and_wants() -> None:
    assert pages_from(0, 20, 1000) == {0}
    assert pages_from(PAGE_SIZE - 5, 20, 1000) == {0, 1}
    assert pages_from(0, 20, 3) == {0}  # fewer rows than the screen
    # shown pages, the cursor's, and one on each side
    assert wanted_pages(PAGE_SIZE * 3, 20, 100 * PAGE_SIZE, cursor=PAGE_SIZE * 3) == {2, 3, 4}
    assert wanted_pages(0, 20, 100 * PAGE_SIZE, cursor=PAGE_SIZE * 50) == {0, 1, 50}
    assert wanted_pages(0, 20, 10, cursor=0) == {0}  # no neighbours past the last row


def test_windows_are_held_least_recently_read_first_out() -> None:
    window: TableWindow[Row] = TableWindow()
    for page in range(MAX_PAGES + 2):
        window.put(page, rows(page))
    assert window.row_at(0) is None and window.row_at(PAGE_SIZE) is None  # the two oldest went
    assert window.row_at(2 * PAGE_SIZE + 5) == Row(2 * PAGE_SIZE + 5)
    assert window.loaded({2, MAX_PAGES + 1}) and not window.loaded({0, 2})
    window.put(7, rows(7, count=3))  # a short last window
    assert window.row_at(7 * PAGE_SIZE + 2) == Row(7 * PAGE_SIZE + 2) and window.row_at(7 * PAGE_SIZE + 3) is None


def test_a_refresh_keeps_the_rows_on_screen_as_stale_until_read_again() -> None:
    window: TableWindow[Row] = TableWindow()
    window.put(0, rows(0))
    window.put(1, rows(1))
    generation = window.renew(keep_rows=True)
    assert generation == 1 and window.row_at(3) == Row(3)  # still drawn
    assert not window.loaded({0}) and not window.all_fresh
    assert window.find(3) is None  # a stale window does not say where a row is now
    window.put(0, rows(0, first_id=1000))  # the data moved: row 1003 is now where 3 was
    assert window.find(1003) == 3 and window.loaded({0}) and not window.all_fresh
    window.put(1, rows(1))
    assert window.all_fresh
    window.renew(keep_rows=False)
    assert window.loaded({0, 1})  # a new query's windows go when its first page comes (clear())
    window.clear()
    assert not window.holds_rows


def test_a_window_is_read_once_per_generation() -> None:
    window: TableWindow[Row] = TableWindow()
    window.put(0, rows(0))
    assert window.to_read({2, 0, 1}) == [1, 2]
    assert window.to_read({1, 2, 3}) == [3]  # 1 and 2 are being read
    assert window.reading
    window.renew(keep_rows=True)
    assert not window.reading
    assert window.to_read({0, 1}) == [0, 1]  # stale, and the reads of the old generation are forgotten


async def test_a_read_is_kept_only_for_its_generation_and_while_wanted() -> None:
    reader = Reader(inline=True)
    window: TableWindow[Row] = TableWindow()
    asked: list[tuple[int, int]] = []

    def read_window(offset: int, limit: int) -> list[Row]:
        asked.append((offset, limit))
        return rows(offset // PAGE_SIZE)

    (page,) = window.to_read({2})
    assert await window.read(reader, window.generation, page, read_window, wanted=lambda _page: True)
    assert asked == [(2 * PAGE_SIZE, PAGE_SIZE)] and window.loaded({2}) and not window.reading

    (page,) = window.to_read({3})
    assert not await window.read(reader, window.generation, page, read_window, wanted=lambda _page: False)
    assert len(asked) == 1 and not window.loaded({3}) and not window.reading  # scrolled away: never read

    old = window.generation
    (page,) = window.to_read({4})
    window.renew(keep_rows=False)
    assert not await window.read(reader, old, page, read_window, wanted=lambda _page: True)
    assert len(asked) == 1 and not window.loaded({4})  # a new query came first

    def broken(offset: int, limit: int) -> list[Row]:
        raise RuntimeError("database is locked")

    (page,) = window.to_read({5})
    with pytest.raises(RuntimeError):
        await window.read(reader, window.generation, page, broken, wanted=lambda _page: True)
    assert not window.reading  # a failed read may be tried again
    assert window.to_read({5}) == [5]


async def test_the_bookmark_walk_steps_until_done_waits_for_reads_and_ends_with_its_generation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_window, "BOOKMARK_WAIT", 0.001)
    reader = Reader(inline=True)
    window: TableWindow[Row] = TableWindow()
    steps: list[float] = []
    going: list[bool] = []

    def step(seconds: float, going_on: bool) -> bool:
        steps.append(seconds)
        going.append(going_on)
        return len(steps) == 3

    await walk_bookmarks(window, window.generation, reader, step)
    assert steps == [table_window.BOOKMARK_SECONDS] * 3
    assert going == [False, True, True]  # the source can tell a walk begun now from one going on

    steps.clear()
    window.to_read({0})  # the table waits for a window of its own: the walk waits too
    walk = asyncio.ensure_future(walk_bookmarks(window, window.generation, reader, step))
    await asyncio.sleep(0.01)
    assert steps == [] and not walk.done()
    window.renew(keep_rows=False)  # a new query: the walk ends without a step
    await asyncio.wait_for(walk, 1)
    assert steps == []
