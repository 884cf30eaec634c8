"""The board on a big cache, in process (``JpmApp`` run headless, no command line, config, session or terminal):
time to the first painted job list, key-to-screen latency, memory. What a user meets in a terminal is
``bench/first_paint.py`` and ``bench/terminal_keys.py``.

    python bench/board_keys_in_process.py --path /tmp/bench1m.sqlite3     # a cache built by bench/cache_queries.py
    python bench/board_keys_in_process.py --jobs 100000                    # builds a temporary cache of that size

First paint is measured in fresh interpreters, from process start to the end of the first frame the compositor
renders with the content (the job list's rows; the minimal app's text), beside a minimal Textual app measured
the same way, the two taking turns (seven runs each, medians). Key latency is measured in one process, keys sent as the
terminal driver sends them: from the key event to the end of the frame that shows its result (see
``key_latencies``). Pilot is not used for it: its press-and-wait adds ~65-85 ms of fixed idle waits per key.
The last keys are pressed while a first sync of 100,000 jobs from the in-process sandbox runs in the same process
(into another cache file), as the board's own sync runs on its event loop; memory is read before it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.frames import KeyTimer, workers_done  # noqa: E402

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
    return bool(tables and tables.first().row_count and tables.first().window.holds_rows)

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


def first_paints(apps: dict[str, str], path: str, runs: int = 7) -> dict[str, tuple[float, float]]:
    """For each app: the median seconds from process start to the first paint, and the most resident memory
    (MB) of a run. The apps take turns, run after run, so that both see the same machine."""
    times: dict[str, list[float]] = {name: [] for name in apps}
    memory: dict[str, list[float]] = {name: [0.0] for name in apps}
    # As installed: bytecode cached (a shell with PYTHONDONTWRITEBYTECODE=1 would recompile every module of
    # ours on each start while Textual's own come precompiled); the first, warming run is not counted.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for run in range(runs + 1):
        for name, code in apps.items():
            out = subprocess.run([sys.executable, "-c", FIRST_PAINT.format(app=code), str(time.time()), path],
                                 capture_output=True, text=True, check=True, env=env)
            if run == 0:
                continue
            lines = out.stdout.strip().splitlines()
            times[name].append(float(lines[0]))
            memory[name] += [float(line) for line in lines[1:]]
    return {name: (statistics.median(times[name]), max(memory[name])) for name in apps}


SYNC_JOBS = 100_000


def resident() -> dict[str, float]:
    """MB: the most this process has held, and what it holds now (its own memory; pages of mapped files)."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {"max": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **{key: int(status[key].split()[0]) / 1024 for key in ("RssAnon", "RssFile")}}


async def key_latencies(path: str, memory: dict[str, float], rounds: int = 30) -> KeyTimer:
    """Key to screen (``bench/frames.py``): the result of a key is the table showing its visible rows (read on
    the reader thread) for the new cursor, sort or search."""
    from bench.sync_ingest import make_client, make_state
    from jpm_tui.cache.store import CacheStore
    from jpm_tui.cache.sync import SyncEngine
    from jpm_tui.provider.servicetitan import ServiceTitanProvider
    from jpm_tui.sandbox import create_app
    from jpm_tui.ui.app import JpmApp
    from jpm_tui.ui.widgets.job_table import JobTable

    app = JpmApp(CacheStore(path), freeze_start_up=True)  # as the board runs (``session.board_app``)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(JobTable)
        assert table.row_count, "the cache has no jobs"

        def shown(done):  # noqa: ANN001, ANN202 - a predicate, and one that also waits for the rows
            return lambda: done() and table.shows_rows

        with KeyTimer(app) as keys:
            for _ in range(rounds):
                target = table.cursor + 1
                await keys.press("cursor down (j)", "j", shown(lambda: table.cursor == target))
            for _ in range(rounds):
                target = min(table.cursor + table.page_rows, table.row_count - 1)
                await keys.press("page down", "pagedown", shown(lambda: table.cursor == target))
            for _ in range(rounds):
                await keys.press("G (last job)", "G", shown(lambda: table.cursor == table.row_count - 1))
                await keys.press("g (first job)", "g", shown(lambda: table.cursor == 0))
            for _ in range(rounds):
                before = table.list_query.sort
                await keys.press("sort (>)", "greater_than_sign", shown(lambda: table.list_query.sort != before))
            def walking() -> bool:
                return any(w.group.endswith("-bookmarks") and not w.is_finished for w in app.workers)

            walked_through = 0
            for _ in range(rounds):  # keys while the store walks the new order in the background (bookmarks)
                app.source.bookmarks.anchors.clear()  # the store forgets its bookmarks: each order is walked anew
                before = table.list_query.descending
                await keys.press("reverse (r), no settling", "r", shown(lambda: table.list_query.descending != before),
                                 settle=False)
                while not walking():  # it starts after the frame that shows the new order
                    await asyncio.sleep(0.0005)
                target = table.cursor + 1
                await keys.press("j during the walk", "j", shown(lambda: table.cursor == target), settle=False)
                walked_through += walking()  # still under way when j's frame was painted
                await workers_done(app)
            await pilot.press("slash")
            typed = ""
            for letter in ("harbor road " * 3)[:rounds]:
                typed += letter
                key = "space" if letter == " " else letter
                if len(typed.strip()) < 2 or letter == " ":  # no search yet (one letter) / no new word: echo only
                    await keys.press("search box echo", key, lambda: app.screen.search_input.value == typed)
                    continue
                await keys.press("search keystroke (results)", key, shown(lambda: table.list_query.text == typed.strip()))
            await pilot.press("escape")
            memory.update(resident())  # the board's, before the sandbox below is built

            # a first fill of SYNC_JOBS jobs into another cache, from the in-process sandbox, while j is pressed
            sandbox = create_app(make_state(SYNC_JOBS, 1000, 2000))
            sync_store = CacheStore(Path(tempfile.mkdtemp(prefix="jpm-bench-keys-")) / "sync.sqlite3")

            async def sync() -> int:
                async with make_client(sandbox) as client:
                    async with SyncEngine(sync_store, ServiceTitanProvider(client)) as engine:
                        return (await engine.run(["jobs"])).records

            syncing = asyncio.create_task(sync())
            while not sync_store.token("jobs"):  # its first page is written
                await asyncio.sleep(0.005)
            synced_through = 0
            for _ in range(rounds):
                target = table.cursor + 1
                await keys.press("j while a sync writes", "j", shown(lambda: table.cursor == target))
                synced_through += not syncing.done()
            synced = await syncing
    print(f"(j during the walk: sent once the walk had started; still walking when {walked_through} of {rounds} "
          f"of those frames were painted)")
    print(f"(j while a sync writes: a first fill of {synced:,} jobs from the in-process sandbox into another cache, in "
          f"the board's process; still under way when {synced_through} of {rounds} of those frames were painted)")
    sync_store.close()
    shutil.rmtree(sync_store.path.parent, ignore_errors=True)
    return keys


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
    paints = first_paints({"board": BOARD, "minimal": MINIMAL}, path)
    board, minimal = paints["board"], paints["minimal"]
    print(f"first paint, job list      {board[0] * 1000:7.0f} ms   (resident memory {board[1]:.0f} MB)")
    print(f"first paint, minimal app   {minimal[0] * 1000:7.0f} ms   ratio {board[0] / minimal[0]:.2f} (target 1.5)")
    memory: dict[str, float] = {}
    asyncio.run(key_latencies(path, memory)).report()
    print(f"resident memory (max, this process incl. any cache build, before the sync) {memory['max']:.0f} MB")
    own = "the board's own" if args.path else "the board's and the cache build's"
    print(f"resident memory after the keys: {memory['RssAnon']:.0f} MB {own}, {memory['RssFile']:.0f} MB pages of "
          "files mapped (the cache file, which SQLite maps, and the interpreter's libraries: the system's file cache)")


if __name__ == "__main__":
    main()
