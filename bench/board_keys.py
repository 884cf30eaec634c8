"""The board on a big cache: time to the first painted job list, key-to-screen latency, memory.

    python bench/board_keys.py --path /tmp/bench1m.sqlite3     # a cache built by bench/cache_queries.py
    python bench/board_keys.py --jobs 100000                    # builds a temporary cache of that size

First paint is measured in fresh interpreters, from process start to the end of the first frame the compositor
renders with the content (the job list's rows; the minimal app's text), beside a minimal Textual app measured
the same way. Key latency is measured in one process, keys sent as the
terminal driver sends them: from the key event to the end of the frame that shows its result (see
``key_latencies``). Pilot is not used for it: its press-and-wait adds ~65-85 ms of fixed idle waits per key.
"""

from __future__ import annotations

import argparse
import os
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FIRST_PAINT = """
import sys, time
started = float(sys.argv[1])
from textual.screen import Screen

render = Screen._compositor_refresh

def painted(screen):  # the end of the first frame that shows the app's content
    render(screen)
    if shows_content(screen):
        print(time.time() - started, file=sys.__stdout__, flush=True)
        Screen._compositor_refresh = render
        screen.app.exit()

Screen._compositor_refresh = painted
{app}
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.__stdout__, flush=True)
"""
BOARD = """
from jpm_tui.cache.store import CacheStore
from jpm_tui.ui.app import JpmApp
from jpm_tui.ui.widgets.job_table import JobTable

def shows_content(screen):
    tables = screen.query(JobTable)
    return bool(tables and tables.first().row_count and tables.first()._pages)

JpmApp(CacheStore(sys.argv[2])).run(headless=True, size=(120, 40))
"""
MINIMAL = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("jobs " * 200)

def shows_content(screen):
    return bool(screen.query(Static))

Minimal().run(headless=True, size=(120, 40))
"""


def first_paint(app_code: str, path: str, runs: int = 5) -> tuple[float, float]:
    """Median seconds from process start to the first paint, and the most resident memory (MB) of a run."""
    times, memory = [], [0.0]
    # As installed: bytecode cached (a shell with PYTHONDONTWRITEBYTECODE=1 would recompile every module of
    # ours on each start while Textual's own come precompiled); the first, warming run is not counted.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for run in range(runs + 1):
        out = subprocess.run([sys.executable, "-c", FIRST_PAINT.format(app=app_code), str(time.time()), path],
                             capture_output=True, text=True, check=True, env=env)
        if run == 0:
            continue
        lines = out.stdout.strip().splitlines()
        times.append(float(lines[0]))
        memory += [float(line) for line in lines[1:]]
    return statistics.median(times), max(memory)


async def key_latencies(path: str, rounds: int = 30) -> dict[str, list[float]]:
    """Seconds from a key event entering the app (as the terminal driver hands it over) to the end of the first
    frame the compositor renders once the screen shows the key's result: the table's visible rows read (on the
    reader thread) for the new cursor, sort or search. Headless, so writing the frame to a terminal is not in it."""
    from textual import events
    from textual.screen import Screen

    from jpm_tui.cache.store import CacheStore
    from jpm_tui.ui.app import JpmApp
    from jpm_tui.ui.widgets.job_table import JobTable
    from jpm_tui.ui.widgets.virtual_table import PAGE_SIZE

    frames: list[float] = []
    render = Screen._compositor_refresh

    def recorded(screen: Screen) -> None:
        render(screen)
        frames.append(time.perf_counter())

    Screen._compositor_refresh = recorded  # type: ignore[method-assign]
    app = JpmApp(CacheStore(path))
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(JobTable)
        assert table.row_count, "the cache has no jobs"

        def shown() -> bool:
            """The visible rows are those of the current query and position."""
            if table.row_count is None:
                return False
            first = int(table.scroll_y)
            last = min(table.row_count - 1, first + table.size.height - 1)
            pages = {first // PAGE_SIZE, max(first, last) // PAGE_SIZE} if table.row_count else set()
            return all(p in table._pages and p not in table._stale_pages for p in pages)

        async def timed(label: str, key: str, done) -> None:  # noqa: ANN001 - a predicate
            started = time.perf_counter()
            event = events.Key(key, {"space": " ", "greater_than_sign": ">"}.get(key, key if len(key) == 1 else None))
            event.set_sender(app)
            app._driver.send_message(event)
            not_yet = started
            while not (done() and shown()):
                not_yet = time.perf_counter()
                await asyncio.sleep(0.0005)
                if not_yet - started > 5:
                    raise RuntimeError(f"{label}: no result after 5 s")
            while not frames or frames[-1] <= not_yet:  # the frame that painted it
                await asyncio.sleep(0.0005)
            timings.setdefault(label, []).append(next(f for f in frames if f > not_yet) - started)
            await app.workers.wait_for_complete()  # the neighbour pages it prefetches: not the next key's cost

        for _ in range(rounds):
            target = table.cursor + 1
            await timed("cursor down (j)", "j", lambda: table.cursor == target)
        for _ in range(rounds):
            target = min(table.cursor + table.page_rows, table.row_count - 1)
            await timed("page down", "pagedown", lambda: table.cursor == target)
        for _ in range(rounds):
            await timed("G (last job)", "G", lambda: table.cursor == table.row_count - 1)
            await timed("g (first job)", "g", lambda: table.cursor == 0)
        for _ in range(rounds):
            before = table.query.sort
            await timed("sort (>)", "greater_than_sign", lambda: table.query.sort != before)
        await pilot.press("slash")
        typed = ""
        for letter in ("harbor road " * 3)[:rounds]:
            typed += letter
            key = "space" if letter == " " else letter
            if len(typed.strip()) < 2 or letter == " ":  # no search yet (one letter) / no new word yet: echo only
                await timed("search box echo", key, lambda: app.screen.search_input.value == typed)
                continue
            await timed("search keystroke (results)", key, lambda: table.query.text == typed.strip())
    Screen._compositor_refresh = render  # type: ignore[method-assign]
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", help="an existing cache file (from bench/cache_queries.py --keep)")
    parser.add_argument("--jobs", type=int, default=100_000, help="size of the cache to build without --path")
    args = parser.parse_args()
    path = args.path
    if path is None:
        from bench.cache_queries import build  # the one synthetic-cache builder

        from jpm_tui.cache.store import CacheStore

        path = str(Path(tempfile.mkdtemp()) / "board.sqlite3")
        store = CacheStore(path)
        build(store, args.jobs)
        store.close()
    board, minimal = first_paint(BOARD, path), first_paint(MINIMAL, path)
    print(f"first paint, job list      {board[0] * 1000:7.0f} ms   (resident memory {board[1]:.0f} MB)")
    print(f"first paint, minimal app   {minimal[0] * 1000:7.0f} ms   ratio {board[0] / minimal[0]:.2f} (target 1.5)")
    for label, values in asyncio.run(key_latencies(path)).items():
        print(f"key: {label:<28} median {statistics.median(values) * 1000:6.1f} ms   p95 {p95(values) * 1000:6.1f} ms")
    print(f"resident memory (max, this process incl. any cache build) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
