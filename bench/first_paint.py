"""First paint as a user meets it: ``jpm-tui --config F --profile P`` on a big cache, and ``jpm-tui --demo``, each
started in a real terminal (a pty, the screen kept by a VT parser), timed from the exec to the first screen that
shows job rows; beside a minimal Textual app (Header, Static, Footer) started the same way, the three taking turns,
several rounds, medians. Bytecode cached; the first round warms the file cache and is not counted.

    python bench/first_paint.py --home /tmp/home1m --jobs 1000000    # builds the home's cache once (minutes)
    python bench/first_paint.py --jobs 20000 --rounds 3              # a temporary home

Target: the profile's board within 1.5x of the minimal app. The demo is shown for the record: its rows come from a
first sync of the in-process sandbox, so it waits on the sandbox's world and that sync, not on the board.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.profile_home import bench_home  # noqa: E402
from bench.terminal import Terminal, bytecode_env  # noqa: E402

TARGET = 1.5
#: a job row as the board draws it: its number, then its status
JOB_ROW = re.compile(r"^\s*\d{5,}\s+(Scheduled|Dispatched|In ?Progress|Hold|Completed|Canceled)\b")
MINIMAL_TEXT = "Dispatch board ready"
MINIMAL = f"""
from textual.app import App
from textual.widgets import Footer, Header, Static

class Minimal(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Header()
        yield Static({MINIMAL_TEXT!r})
        yield Footer()

Minimal().run()
"""


def shows_jobs(screen: list[str]) -> bool:
    return any(JOB_ROW.match(line) for line in screen)


def shows_minimal(screen: list[str]) -> bool:
    return any(MINIMAL_TEXT in line for line in screen)


def first_paint(argv: list[str], env: dict[str, str], shown, timeout: float) -> float:  # noqa: ANN001
    with Terminal(argv, bytecode_env(env)) as term:
        return term.wait(shown, timeout) - term.started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, help="a home made by bench/profile_home.py (built here if empty)")
    parser.add_argument("--jobs", type=int, default=200_000, help="jobs in the cache when it is built")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--demo-jobs", type=int, default=200, help="--demo-jobs of the demo's runs (0: no demo)")
    args = parser.parse_args(argv)
    with bench_home(args.home, args.jobs) as home:
        jpm = str(Path(sys.executable).with_name("jpm-tui"))
        apps = {
            "minimal Textual app": ([sys.executable, "-c", MINIMAL], {}, shows_minimal),
            "jpm-tui --profile": (home.argv(), home.env(), shows_jobs),
        }
        if args.demo_jobs:
            apps[f"jpm-tui --demo ({args.demo_jobs:,} jobs)"] = (
                [jpm, "--demo", "--demo-jobs", str(args.demo_jobs)], {}, shows_jobs)
        times: dict[str, list[float]] = {name: [] for name in apps}
        load_before = os.getloadavg()[0]
        for round_ in range(args.rounds + 1):  # taking turns; round 0 warms up
            for name, (command, env, shown) in apps.items():
                seconds = first_paint(command, env, shown, timeout=600)
                if round_:
                    times[name].append(seconds)
        medians = {name: statistics.median(t) for name, t in times.items()}
        minimal = medians["minimal Textual app"]
        print(f"first paint in a 120x40 pty, exec to the first screen with the content; medians of {args.rounds} "
              f"rounds, the apps taking turns (jobs in the profile's cache: {home.jobs():,}; load average "
              f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after: the ratio is judged on a quiet machine)")
        for name, seconds in medians.items():
            spread = f"{min(times[name]) * 1000:.0f}-{max(times[name]) * 1000:.0f}"
            print(f"  {name:<32} {seconds * 1000:7.0f} ms  (range {spread} ms)  ratio {seconds / minimal:4.2f}")
        ratio = medians["jpm-tui --profile"] / minimal
        print(f"target: jpm-tui --profile within {TARGET}x of the minimal app: {ratio:.2f}x "
              f"{'met' if ratio <= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
