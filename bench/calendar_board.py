"""The calendar on a big day: 200 technicians, 2,000 appointments.

    python bench/calendar_board.py [--technicians 200] [--appointments 2000] [--rounds 40]

Prints the load (the cache reads on the reader thread), the time from pressing C to the day view painted,
and key-to-screen latency (median / p95) for moving across it: lanes down/up (j/k), appointments right/left
(l/h), a page of lanes, and switching to the week and back. Target: p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.frames import KeyTimer, p95  # noqa: E402
from jpm_tui.cache.store import CacheStore  # noqa: E402
from jpm_tui.provider import domain as d  # noqa: E402

NOW = datetime(2025, 5, 14, 15, 30, tzinfo=UTC)
DAY = datetime(2025, 5, 14, tzinfo=UTC)


def build(path: str, technicians: int, appointments: int, seed: int = 5) -> None:
    rnd = random.Random(seed)
    store = CacheStore(path)
    teams = ["Red Team", "Blue Team", "Gold Team", "Install Crew"]
    store.upsert("zones", [d.Zone(id=z, name=f"Zone {z}") for z in range(1, 9)])
    store.upsert("technicians", [d.Technician(id=1000 + n, name=f"Tech {n:03d} {rnd.choice('ABCDEFGH')}.",
                                              team=rnd.choice(teams), zone_ids=(rnd.randint(1, 8),))
                                 for n in range(technicians)])
    store.upsert("shifts", [d.Shift(id=5000 + n, technician_id=1000 + n, kind="Normal",
                                    start=DAY + timedelta(hours=7), end=DAY + timedelta(hours=17))
                            for n in range(technicians)])
    store.upsert("customers", [d.Customer(id=200 + n, name=f"Customer {n}") for n in range(500)])
    jobs, appts, assignments = [], [], []
    for n in range(appointments):
        job_id = 100_000 + n
        jobs.append(d.Job(id=job_id, number=str(40_000 + n), status=d.JobStatus.SCHEDULED,
                          priority=rnd.choice(list(d.Priority)[:4]), job_type_id=None, business_unit_id=None,
                          customer_id=200 + n % 500, location_id=None))
        start = DAY + timedelta(hours=rnd.randint(6, 17), minutes=rnd.choice((0, 15, 30, 45)))
        status = rnd.choice(["Scheduled", "Dispatched", "Working", "Done", "Hold"])
        appts.append(d.Appointment(id=300_000 + n, job_id=job_id, number=f"{40_000 + n}-1", start=start,
                                   end=start + timedelta(hours=rnd.choice((1, 1.5, 2, 3))),
                                   arrival_window_start=start, arrival_window_end=start + timedelta(hours=2),
                                   status=d.AppointmentStatus.parse(status), confirmed=rnd.random() < 0.7))
        if rnd.random() > 0.05:
            assignments.append(d.Assignment(id=700_000 + n, appointment_id=300_000 + n, job_id=job_id,
                                            technician_id=1000 + rnd.randrange(technicians)))
    store.upsert("jobs", jobs)
    store.upsert("appointments", appts)
    store.upsert("appointment_assignments", assignments)
    print("query plans:", "; ".join(store.explain_calendar(DAY, DAY + timedelta(days=1))))
    store.close()


async def measure(path: str, rounds: int) -> None:
    from jpm_tui.provider.backends import workflow_for
    from jpm_tui.ui.app import JpmApp
    from jpm_tui.ui.calendar_layout import load_calendar
    from jpm_tui.ui.calendar_model import build_lanes
    from jpm_tui.ui.screens.calendar import CalendarScreen
    from jpm_tui.ui.widgets.calendar_grid import CalendarGrid

    store = CacheStore(path)
    started = time.perf_counter()
    data = load_calendar(store, DAY, DAY + timedelta(days=1))
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    lanes = build_lanes(data, workflow_for())
    laid_out = time.perf_counter() - started
    print(f"load (cache reads)          {loaded * 1000:7.1f} ms   {len(data.items)} appointments")
    print(f"lane layout                 {laid_out * 1000:7.1f} ms   {len(lanes)} lanes")

    app = JpmApp(store, clock=lambda: NOW, tz=UTC)
    async with app.run_test(size=(160, 50)) as pilot:
        async def settle() -> None:
            await app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        started = time.perf_counter()
        await pilot.press("C")
        while not (isinstance(app.screen, CalendarScreen) and app.screen.data is not None):
            await pilot.pause(0.001)
        await settle()
        print(f"C to the day view painted   {(time.perf_counter() - started) * 1000:7.1f} ms")
        screen = app.screen
        grid = screen.query_one(CalendarGrid)
        started = time.perf_counter()
        for _ in range(rounds):
            grid.forget()
            for y in range(grid.size.height):
                grid.render_line(y)
        print(f"draw every visible line     {(time.perf_counter() - started) / rounds * 1000:7.1f} ms "
              f"({grid.size.height} lines x {grid.size.width} columns)")

        direct: list[float] = []
        for n in range(rounds * 4):  # the move itself: the handler, then redraw the grid's lines
            t0 = time.perf_counter()
            screen.action_lane(1 if n % 8 < 4 else -1) if n % 2 else screen.action_across(1 if n % 4 else -1)
            for y in range(grid.size.height):
                grid.render_line(y)
            direct.append(time.perf_counter() - t0)
        print(f"move, in process            {statistics.median(direct) * 1000:7.1f} ms median, "
              f"{p95(direct) * 1000:.1f} ms p95")

        def moved():  # noqa: ANN202 - a predicate: the selection is elsewhere than before the key
            before = (screen.cursor.lane_index, screen.cursor.item_index)
            return lambda: (screen.cursor.lane_index, screen.cursor.item_index) != before

        def loaded(view: str):  # noqa: ANN202 - a predicate: that view, its appointments read again
            before = screen.loads
            return lambda: screen.view == view and screen.loads > before

        with KeyTimer(app) as keys:  # key to the frame that shows it (bench/frames.py)
            for _ in range(rounds):  # down and up, right and left: each key always has somewhere to go
                await keys.press("j (next lane)", "j", moved())
                await keys.press("k (previous lane)", "k", moved())
            for _ in range(rounds):
                await keys.press("l (next appt)", "l", moved())
                await keys.press("h (previous appt)", "h", moved())
            for _ in range(min(rounds, 15)):
                await keys.press("pagedown (10 lanes)", "pagedown", moved())
            for _ in range(min(rounds, 10)):
                await keys.press("w (week, read again)", "w", loaded("week"))
                await keys.press("d (day, read again)", "d", loaded("day"))
        keys.report()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--technicians", type=int, default=200)
    parser.add_argument("--appointments", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    path = str(Path(tempfile.mkdtemp()) / "calendar.sqlite3")
    build(path, args.technicians, args.appointments)
    asyncio.run(measure(path, args.rounds))


if __name__ == "__main__":
    main()
