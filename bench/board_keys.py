"""The board on a big cache: time to the first painted job list, key-to-screen latency, memory.

    python bench/board_keys.py --path /tmp/bench1m.sqlite3     # a cache built by bench/cache_queries.py
    python bench/board_keys.py --jobs 100000                    # builds a temporary cache of that size

First paint is measured in fresh interpreters (process start to the first rows of the job table on screen),
beside a minimal Textual app measured the same way. Key latency is measured with Pilot in one process:
from the key press until the table shows the result (workers done, screen refreshed).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
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
{app}
"""
BOARD = """
from jpm_tui.cache.store import CacheStore
from jpm_tui.ui.app import JpmApp
from jpm_tui.ui.widgets.job_table import JobTable

async def first_rows(pilot):
    while True:
        tables = pilot.app.screen.query(JobTable)
        if tables and tables.first().row_count and tables.first()._pages:
            print(time.time() - started, file=sys.__stdout__, flush=True)
            pilot.app.exit()
            return
        await pilot.pause(0.002)

JpmApp(CacheStore(sys.argv[2])).run(headless=True, size=(120, 40), auto_pilot=first_rows)
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.__stdout__, flush=True)
"""
MINIMAL = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("jobs " * 200)

async def painted(pilot):
    await pilot.pause()
    print(time.time() - started, file=sys.__stdout__, flush=True)
    pilot.app.exit()

Minimal().run(headless=True, size=(120, 40), auto_pilot=painted)
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
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.ui.app import JpmApp
    from jpm_tui.ui.widgets.job_table import JobTable

    app = JpmApp(CacheStore(path))
    timings: dict[str, list[float]] = {"unbound key (Pilot)": [], "page down": [], "G (last row)": [],
                                       "sort (>)": [], "search keystroke": []}
    async with app.run_test(size=(120, 40)) as pilot:

        async def settle() -> None:
            await app.workers.wait_for_complete()
            await pilot.pause()

        async def timed(label: str, *keys: str) -> None:
            started = time.perf_counter()
            await pilot.press(*keys)
            await settle()
            timings[label].append(time.perf_counter() - started)

        await settle()
        table = app.screen.query_one(JobTable)
        assert table.row_count, "the cache has no jobs"
        # The same moves without Pilot: the action, its reads on the reader thread, then every visible line drawn
        # (what a key costs the board itself; Pilot's press-and-wait adds its own fixed delays on top).
        async def direct(label: str, act) -> None:  # noqa: ANN001 - a callable
            started = time.perf_counter()
            act()
            await app.workers.wait_for_complete()
            for y in range(table.size.height):
                table.render_line(y)
            timings.setdefault(label, []).append(time.perf_counter() - started)

        screen = app.screen
        for n in range(rounds):
            await direct("page down, in process", table.action_page_down)
        for n in range(rounds):
            await direct("G, in process", table.action_last)
            await direct("g, in process", table.action_first)
        for n in range(rounds):
            await direct("sort, in process", lambda: screen.action_sort(1))
        for n, letter in enumerate(("harbor road " * 3)[:rounds]):
            text = ("harbor road " * 3)[: n + 2].strip()  # from two letters on, as the search box runs it
            await direct("search text, in process", lambda: screen.set_query(replace(table.query, text=text)))
        await direct("clear search, in process", lambda: screen.set_query(replace(table.query, text="")))
        for _ in range(rounds):  # what Pilot's press + pause cost on their own, to read the rest against
            await timed("unbound key (Pilot)", "f12")
        for _ in range(rounds):
            await timed("page down", "pagedown")
        for _ in range(rounds):
            await timed("G (last row)", "G")
            await pilot.press("g")
            await settle()
        for _ in range(rounds):
            await timed("sort (>)", "greater_than_sign")
        await pilot.press("slash")
        for letter in ("harbor road " * 3)[:rounds]:
            await timed("search keystroke", letter if letter != " " else "space")
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
        print(f"key: {label:<20} median {statistics.median(values) * 1000:6.1f} ms   p95 {p95(values) * 1000:6.1f} ms")
    print(f"resident memory (max, this process incl. any cache build) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
