"""The bench scripts still run against the code they measure: they are not collected as tests, so a renamed store
constant once broke one (``job_index_usage``) without any test noticing."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py"))
HELPERS = ("frames", "terminal")  # the key benches' frame timer; the pty and screen of the terminal benches


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_bench_script_imports(script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    module = importlib.import_module(f"bench.{script}")
    assert module.__doc__, f"bench/{script}.py says what it measures"
    assert script in HELPERS or callable(module.main)


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_ingest_bench_runs_on_a_small_sandbox() -> None:
    out = run("sync_ingest.py", "--jobs", "2000", "--base-jobs", "500", "--rounds", "2")
    assert "round 2: sync" in out and "floor, bare table" in out
    assert "target: the sync within 2x the bare floor's time:" in out and "medians of 2 rounds" in out


def test_the_query_bench_runs_on_a_small_cache() -> None:
    out = run("cache_queries.py", "--jobs", "3000", "--runs", "2")
    assert "queries over" in out and "text search, phone" in out
    for group in ("windows", "counts", "text search"):
        assert f"  {group} " in out.split("targets: p95 under 20 ms")[1]


def test_the_postgresql_store_bench_runs_beside_sqlite(postgres_server: object) -> None:
    out = run("pg_store.py", "--jobs", "3000", "--runs", "2")  # postgres_server: skipped where none can start
    assert "building 3,000 jobs in SQLite" in out and "building 3,000 jobs in PostgreSQL" in out
    assert "paging down at 1,500 (the page before it read first)" in out and "a phone number, first page" in out
    verdicts = out.split("verdicts (PostgreSQL p95, slowest of each group):")[1]
    for group, target in (("windows", 20), ("counts", 20), ("text search", 50)):
        assert f"  {group:<12} under {target} ms: " in verdicts


def test_the_first_paint_bench_runs_in_a_terminal() -> None:
    out = run("first_paint.py", "--jobs", "2000", "--rounds", "1", "--demo-jobs", "0")  # the demo: sandbox_scale
    assert "minimal Textual app" in out and "jpm-tui --profile" in out
    assert "target: jpm-tui --profile within 1.5x of the minimal app:" in out


def test_the_terminal_keys_bench_runs_in_a_terminal() -> None:
    out = run("terminal_keys.py", "--jobs", "2000", "--rounds", "1", "--quiet", "0.1")
    assert "PageDown" in out and "search keystroke" in out
    assert out.count("every key            p95") == 2 and "another process writes jobs" in out


def test_the_sandbox_scale_bench_runs_on_a_small_world() -> None:
    out = run("sandbox_scale.py", "--jobs", "200", "--rows", "1000")
    assert "ready in" in out and "export/jobs" in out and "export/appointments" in out
    assert "scrolled by PageDown" in out
