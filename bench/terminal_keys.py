"""Keys as a user meets them: ``jpm-tui --config F --profile P`` on a big cache in a real terminal (a pty, the
screen kept by a VT parser), keys written to the terminal as a terminal sends them, each timed from the write to
the screen's last change it caused (the screen, less its top status line, then stays the same for ``QUIET``
seconds). PageDown, PageUp, G, g, a search keystroke, a sort (``>``) and a filter (``s``, the status filter), over
several rounds; then the same keys while another process writes jobs into the same cache, pages of 5,000 jobs
through ``CacheStore.upsert`` one transaction each, as a sync does (the rows it writes change no column the board
shows, so its reloads repaint the same screen and are not taken for a key's result).

    python bench/terminal_keys.py --home /tmp/home1m --jobs 1000000   # a home from bench/profile_home.py
    python bench/terminal_keys.py --jobs 20000 --rounds 3               # a temporary home

Target: p95 within 50 ms, at rest and while the writer runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.first_paint import shows_jobs  # noqa: E402
from bench.profile_home import Home, bench_home  # noqa: E402
from bench.terminal import KEYS, Terminal, bytecode_env  # noqa: E402

TARGET_MS = 50.0
QUIET = 0.3  # seconds without a change that end a key's result (--quiet)
BELOW_STATUS = slice(1, None)  # the header's status line changes on its own (sync state, clock)
SEARCH = "furnace"  # words of the cache builder's jobs: each letter after the second narrows the results


def press(term: Terminal, keys: str, quiet: float) -> float | None:
    """Milliseconds from writing ``keys`` to the last change they made (then ``quiet`` seconds without one), or None
    when nothing changed."""
    sent = term.send(keys)
    changed = term.settle(quiet, BELOW_STATUS)
    return None if changed is None else (changed - sent) * 1000


def round_of_keys(term: Terminal, quiet: float, timings: dict[str, list[float]], missed: dict[str, int]) -> None:
    def timed(label: str, keys: str) -> None:
        ms = press(term, keys, quiet)
        if ms is None:
            missed[label] = missed.get(label, 0) + 1
        else:
            timings.setdefault(label, []).append(ms)

    timed("PageDown", KEYS["pagedown"])
    timed("PageDown", KEYS["pagedown"])
    timed("PageUp", KEYS["pageup"])
    timed("G (last job)", "G")
    timed("g (first job)", "g")
    timed("sort (>)", ">")
    timed("filter (s: status)", "s")
    press(term, "0", quiet)  # all jobs again, untimed
    press(term, "/", quiet)
    for k, letter in enumerate(SEARCH):
        if k < 2:  # one or two letters: the board waits for more before it searches
            press(term, letter, quiet)
        else:
            timed("search keystroke", letter)
    press(term, KEYS["escape"], quiet)
    press(term, KEYS["escape"], quiet)
    press(term, "<", quiet)  # back to the first sort, untimed


def writer(path: str, stop: multiprocessing.synchronize.Event, pages: multiprocessing.sharedctypes.Synchronized) -> None:
    """Re-writes the cache's jobs, 5,000 a page in a transaction, until ``stop``: new ``modified_on``, nothing the
    board's columns show."""
    import dataclasses
    from datetime import UTC, datetime

    from jpm_tui.cache.store import CacheStore, JobQuery

    store = CacheStore(path)
    total = store.count_jobs(JobQuery(include_inactive=True))  # the builder's job ids are 1..total
    first = 1
    while not stop.is_set():
        jobs = [store.job(i) for i in range(first, first + 5000)]
        stamp = datetime.now(UTC)
        with store.transaction():
            store.upsert("jobs", [dataclasses.replace(job, modified_on=stamp) for job in jobs if job is not None])
            store.save_token("jobs", f"bench-{pages.value}")
        pages.value += 1
        first = first + 5000 if first + 10_000 <= total else 1
    store.close()


def keys_report(title: str, timings: dict[str, list[float]], missed: dict[str, int]) -> float:
    print(title)
    every: list[float] = []
    for label, values in timings.items():
        values.sort()
        every += values
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"  {label:<20} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} keys)")
    for label, count in missed.items():
        print(f"  {label:<20} {count} key(s) changed nothing on screen (left out)")
    every.sort()
    p95 = every[min(len(every) - 1, round(0.95 * (len(every) - 1)))]
    print(f"  every key            p95 {p95:6.1f} ms: target {TARGET_MS:.0f} ms {'met' if p95 <= TARGET_MS else 'NOT met'}")
    return p95


def run(home: Home, rounds: int, quiet: float) -> None:
    with Terminal(home.argv(), bytecode_env(home.env())) as term:
        term.wait(shows_jobs)
        term.settle(1.0)  # the board's start-up work (counts, bookmarks walk) is over
        press(term, "G", quiet)  # warm: the first walk to the end of each order
        press(term, "g", quiet)
        timings: dict[str, list[float]] = {}
        missed: dict[str, int] = {}
        for _ in range(rounds):
            round_of_keys(term, quiet, timings, missed)
        keys_report(f"keys through the terminal, {rounds} rounds (from the write to the screen's last change)",
                    timings, missed)
        stop, pages = multiprocessing.Event(), multiprocessing.Value("i", 0)
        process = multiprocessing.Process(target=writer, args=(str(home.store), stop, pages))
        process.start()
        while pages.value < 1:  # its first page is written
            term.read(0.05)
        started = time.perf_counter()
        timings, missed = {}, {}
        for _ in range(rounds):
            round_of_keys(term, quiet, timings, missed)
        stop.set()
        process.join()
        written = pages.value * 5000 / (time.perf_counter() - started)
        keys_report(f"the same while another process writes jobs into the cache (~{written:,.0f} jobs/s)",
                    timings, missed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a home made by bench/profile_home.py (built here if empty)")
    parser.add_argument("--jobs", type=int, default=200_000, help="jobs in the cache when it is built")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--quiet", type=float, default=QUIET, help="seconds without a change that end a key's result")
    args = parser.parse_args(argv)
    with bench_home(args.home, args.jobs) as home:
        run(home, args.rounds, args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
