"""What the sync service and ``doctor`` say: a round's line counts changes only (a list feed read whole after every
restart is no change), and the database's refusal is said as the server said it."""

from __future__ import annotations

import psycopg

from jpm_tui.cache.pg.reach import reason
from jpm_tui.cache.sync import FeedResult, SyncSummary
from jpm_tui.cache.watch import round_line


def test_a_round_line_counts_the_changed_feeds_not_the_lists_read_whole() -> None:
    restart = SyncSummary(results=[FeedResult("job_types", "job_types", "list", pages=1, records=23),
                                   FeedResult("shifts", "shifts", "list", pages=3, records=279),
                                   FeedResult("jobs", "jobs", "export", pages=1, records=0)])
    assert round_line(restart, None) is None
    changed = SyncSummary(results=[*restart.results, FeedResult("appointments", "appointments", "export", records=2)])
    assert round_line(changed, None) == "appointments +2"


def test_the_database_refusal_is_said_as_the_server_said_it_trimmed() -> None:
    refused = psycopg.OperationalError('connection to server at "127.0.0.1", port 5432 failed: FATAL:  password '
                                       'authentication failed for user "jpm"\n')
    assert reason(refused) == 'FATAL:  password authentication failed for user "jpm"'
    assert reason(psycopg.OperationalError("connection failed: Connection refused\n\tIs the server running?")) == (
        "Connection refused")
