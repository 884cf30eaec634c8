"""The sandbox at scale, as a user runs it: ``jpm-tui sandbox serve --jobs N`` started as a process (time to the
ready line, its peak resident memory while serving and that of its export workers at scale), its jobs and
appointments export feeds read over loopback by a plain HTTP client (rows per second: the server's rate, with the
client only splitting pages; the CPU time of the server and of its workers), the jobs list's first
page and the health counts (seconds: neither should make every record), and ``jpm-tui --demo
--demo-jobs N`` in a pty, timed from the exec to a board that shows job rows and scrolls (PageDown moves it), with
the last progress line it printed before. Each figure is the median of ``--runs`` runs, per size.

    python bench/sandbox_scale.py                                # 200,000 and 1,000,000 jobs, 3 runs each
    python bench/sandbox_scale.py --jobs 2000 --runs 1 --no-demo  # a quick look

Targets (issue 20, at 1,000,000 jobs): ready in under 60 s and under 2 GB, the export at 20,000 jobs/s or more,
the demo's scrollable board in under 90 s with a progress line while it prepares. The machine's load average is
printed with the figures: other work on the machine slows every one of them.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.first_paint import JOB_ROW, shows_jobs  # noqa: E402
from bench.terminal import KEYS, Terminal, bytecode_env  # noqa: E402

READY_SECONDS, READY_MB, EXPORT_RATE, DEMO_SECONDS = 60.0, 2048.0, 20_000.0, 90.0
JPM = str(Path(sys.executable).with_name("jpm-tui"))
FEEDS = ("jpm/v2/tenant/{tenant}/export/jobs", "jpm/v2/tenant/{tenant}/export/appointments")
LIST = "jpm/v2/tenant/{tenant}/jobs"


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident memory now (VmRSS) or at its peak so far (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def serve(jobs: int) -> tuple[subprocess.Popen[str], str, float]:
    """The server started, its base URL, seconds to ready."""
    started = time.perf_counter()
    server = subprocess.Popen([JPM, "sandbox", "serve", "--port", "0", "--jobs", str(jobs), "--rate-limit", "100000"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert server.stdout is not None
    for line in server.stdout:
        found = re.search(r"api_url\s*=\s*\"(http://[^\"]+)\"", line)
        if found:
            return server, found.group(1), time.perf_counter() - started
    raise RuntimeError(f"the sandbox ended before it was ready (exit {server.wait()})")


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system): what it spent, however busy the machine was."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers(pid: int) -> list[int]:
    """The server's child processes: at scale, the workers that make its export rows (jpm_tui/sandbox/
    export_workers.py) and multiprocessing's resource tracker; their CPU time and memory are the server's too."""
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def workers_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def api_headers(client: httpx.Client) -> dict[str, str]:
    from jpm_tui.sandbox import state

    token = client.post("/connect/token", data={"grant_type": "client_credentials", "client_id": state.CLIENT_ID,
                                                "client_secret": state.CLIENT_SECRET}).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "ST-App-Key": state.APP_KEY}


def export_rate(base: str, limit: int, pid: int) -> dict[str, tuple[int, float, float, float, float]]:
    """Each feed read from the beginning (at most ``limit`` rows): rows, seconds, the server's CPU seconds, its
    workers' and the client's (this process's): what they did not spend of the seconds went to other work on the
    machine."""
    from jpm_tui.sandbox import state

    rates = {}
    helpers = workers(pid)  # started with the server, before it is ready
    with httpx.Client(base_url=base, timeout=300) as client:
        headers = api_headers(client)
        for feed in FEEDS:
            path, params, rows = feed.format(tenant=state.TENANT), {}, 0
            started, cpu, mine = time.perf_counter(), cpu_seconds(pid), time.process_time()
            helped = workers_cpu(helpers)
            while rows < limit:
                page = client.get(path, params=params, headers=headers)
                page.raise_for_status()
                body = orjson.loads(page.content)  # the client's parse is not the server's time
                rows += len(body["data"])
                if not body["hasMore"]:
                    break
                params = {"from": body["continueFrom"]}
            rates[feed.rsplit("/", 1)[1]] = (rows, time.perf_counter() - started, cpu_seconds(pid) - cpu,
                                             workers_cpu(helpers) - helped, time.process_time() - mine)
    return rates


def reads(base: str) -> tuple[float, float]:
    """Seconds to the first page of the jobs list (no filter, no sort) and to the health endpoint's counts."""
    from jpm_tui.sandbox import state

    with httpx.Client(base_url=base, timeout=600) as client:
        headers = api_headers(client)
        started = time.perf_counter()
        client.get(LIST.format(tenant=state.TENANT), params={"page": 1}, headers=headers).raise_for_status()
        listed = time.perf_counter()
        client.get("/_sandbox/health").raise_for_status()
        return listed - started, time.perf_counter() - listed


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def demo(jobs: int) -> tuple[float, float, str]:
    """Seconds from exec to job rows, to a PageDown that moved them, and the last line it printed before."""
    with Terminal([JPM, "--demo", "--demo-jobs", str(jobs)], bytecode_env({})) as term:
        progress: list[str] = []

        def noted(screen: list[str]) -> bool:
            for line in screen:  # each progress line once, in the order they showed
                text = line.strip()
                if text.startswith("jpm-tui:") and text not in progress:
                    progress.append(text)
            return shows_jobs(screen)

        shown = term.wait(noted, timeout=1800) - term.started
        first = [line for line in term.display() if JOB_ROW.match(line)]
        term.send(KEYS["pagedown"])
        scrolled = term.wait(lambda s: [line for line in s if JOB_ROW.match(line)] != first, 120) - term.started
        return shown, scrolled, f"{len(progress)} lines, the last: {progress[-1]}" if progress else "(none)"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


Measured = tuple[float, float, dict[str, tuple[float, float, float, float, float, float]], tuple[float, float],
                 list[float]]


def measure_server(jobs: int, rows: int) -> Measured:
    """One run: seconds to ready, peak resident MB while serving, rows/s of each feed (by the clock, per second of
    the server's CPU time and per second of the server's and its workers' together) with the shares of the clock time
    the server, its workers and the client were on a CPU, seconds to the jobs list's first page and to the health
    counts, each child process's peak resident MB (most first)."""
    server, base, ready = serve(jobs)
    try:
        rates = export_rate(base, rows, server.pid)
        peak = resident_mb(server.pid, "VmHWM")
        helpers = sorted((resident_mb(pid, "VmHWM") for pid in workers(server.pid)), reverse=True)
        listed = reads(base)
    finally:
        stop(server)
    return (ready, peak, {feed: (n / seconds, n / max(cpu, 0.01), n / max(cpu + helped, 0.01), cpu / seconds,
                                 helped / seconds, client / seconds)
                          for feed, (n, seconds, cpu, helped, client) in rates.items()}, listed, helpers)


def report(jobs: int, runs: int, rows: int, with_demo: bool) -> None:
    measured = [measure_server(jobs, rows) for _ in range(runs)]
    ready = statistics.median(m[0] for m in measured)
    peak = statistics.median(m[1] for m in measured)
    print(f"jpm-tui sandbox serve --jobs {jobs:,} (median of {runs}; load average {os.getloadavg()[0]:.1f})")
    print(f"  ready in {ready:6.1f} s (target {READY_SECONDS:.0f} s)  {verdict(ready < READY_SECONDS)}")
    helpers = [statistics.median(m[4][k] for m in measured) for k in range(min(len(m[4]) for m in measured))]
    total = peak + sum(helpers)
    print(f"  peak resident {peak:6.0f} MB, its {len(helpers)} child processes' (export workers) "
          f"{' + '.join(f'{mb:.0f}' for mb in helpers) or '0'} MB: {total:.0f} MB (target {READY_MB:.0f} MB, most "
          f"seen while serving) {verdict(total < READY_MB)}")
    for feed in measured[0][2]:
        rate = statistics.median(m[2][feed][0] for m in measured)
        per_cpu, per_all, server, helped, client = (statistics.median(m[2][feed][k] for m in measured)
                                                    for k in (1, 2, 3, 4, 5))
        print(f"  export/{feed:<13} {rate:9,.0f} rows/s over loopback, first {rows:,} rows "
              f"(target {EXPORT_RATE:,.0f}/s) {verdict(rate >= EXPORT_RATE)}; {per_cpu:,.0f} rows per server CPU "
              f"second, {per_all:,.0f} per CPU second of the server and its workers")
        print(f"  {'':<20} of the clock time the server was on a CPU {server:4.0%}, its workers {helped:4.0%}, "
              f"the client {client:4.0%} (the rest: waiting for the machine)")
    print(f"  GET jobs?page=1 in {statistics.median(m[3][0] for m in measured):.2f} s, "
          f"health counts in {statistics.median(m[3][1] for m in measured):.2f} s")
    if with_demo:
        demos = [demo(jobs) for _ in range(runs)]
        shown = statistics.median(d[0] for d in demos)
        scrolled = statistics.median(d[1] for d in demos)
        print(f"jpm-tui --demo --demo-jobs {jobs:,} (median of {runs}; load average {os.getloadavg()[0]:.1f})")
        print(f"  job rows after {shown:6.1f} s, scrolled by PageDown at {scrolled:6.1f} s "
              f"(target {DEMO_SECONDS:.0f} s) {verdict(scrolled < DEMO_SECONDS)}")
        print(f"  progress before the board: {demos[-1][2]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", default="200000,1000000", help="world sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (medians are printed)")
    parser.add_argument("--rows", type=int, default=200_000, help="rows read from each feed at most")
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args(argv)
    for jobs in (int(size) for size in args.jobs.split(",")):
        report(jobs, max(1, args.runs), args.rows, not args.no_demo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
