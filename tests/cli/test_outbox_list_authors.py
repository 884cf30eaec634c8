"""`jpm-tui outbox list` on a cache several dispatchers queue into: each change says by whom, and yours that failed
come first (config `dispatcher_name`)."""

from __future__ import annotations

from support.isolated_config import cache_file, isolate, profile_config

from jpm_tui.cache.outbox import Outbox
from jpm_tui.cache.store import CacheStore
from jpm_tui.cli import main
from jpm_tui.provider import domain as d


def test_outbox_list_names_the_authors_and_puts_your_failures_first(tmp_path, monkeypatch, capsys) -> None:
    isolate(tmp_path, monkeypatch)
    opts = profile_config(tmp_path, top='dispatcher_name = "Bob"\n', timezone="America/New_York")
    path = cache_file(tmp_path)
    path.parent.mkdir(parents=True)
    store = CacheStore(path)
    try:
        anns = Outbox(store, author="Ann").enqueue(d.AddJobNote(job_id=7, text="for Ann"))
        bobs = Outbox(store, author="Bob").enqueue(d.AddJobNote(job_id=8, text="for Bob"))
        with store.transaction() as conn:  # both refused by the server earlier
            conn.execute("UPDATE outbox SET state = 'failed', error = '{\"message\": \"Job is closed\"}'")
    finally:
        store.close()

    assert main(["outbox", "list", *opts]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "STATE", "COMMAND"]
    # queued at the pinned 15:00 UTC, said in the profile's zone like the descriptions
    assert lines[1].startswith(f"{bobs.id:>5}  2026-11-23 10:00 EST  failed") and lines[1].endswith('add a note to job 8: "for Bob"  (by Bob)')
    assert lines[2].endswith("↳ Job is closed")
    assert lines[3].startswith(f"{anns.id:>5}  ") and lines[3].endswith("(by Ann)")
