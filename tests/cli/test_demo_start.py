"""The demo's start-up at scale: progress lines on stderr while the sandbox is made and while each feed's first
page is cached, and a cache that holds those pages (not the whole world) with tokens the board's sync resumes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from jpm_tui.cache.store import CacheStore
from jpm_tui.demo_start import cache_first_pages
from jpm_tui.sandbox.data_at_scale import AT_SCALE_FROM
from jpm_tui.session import demo_session


def test_the_demo_caches_each_feeds_first_page_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    session = demo_session(tmp_path, jobs=AT_SCALE_FROM)
    store = CacheStore(session.cache_file)
    try:
        cache_first_pages(session, store)
        counts = store.counts()
        jobs_token = store.token("jobs")
    finally:
        store.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"jpm-tui: demo: making the sandbox ({AT_SCALE_FROM:,} jobs)…"
    assert lines[1].startswith("jpm-tui: demo: sandbox ready in ")
    assert lines[2] == "jpm-tui: demo: caching the first page of each feed…"
    assert lines[-1].startswith("jpm-tui: demo: 26 feeds, ") and lines[-1].endswith("(the rest fills in behind)")
    assert 0 < counts["jobs"] < AT_SCALE_FROM  # the first pages, not the world
    assert counts["appointments"] > 0 and counts["customers"] > 0 and counts["technicians"] > 0
    assert jobs_token  # where the board's sync goes on
