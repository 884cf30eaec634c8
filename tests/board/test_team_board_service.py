"""A team board says what is true of the team's sync service (issue 21), from the heartbeat the service writes in
the team's database every few seconds: "● online" and the time of its last successful round while it syncs; "no
sync service: changes wait" when no beat came for 15 s (or none ever), writes still being queued; "backend offline
(seen by the sync service): <reason>" when the service cannot reach the backend. Each beat reaches the board by the
database's notifications, the sync time ticking on from the service's last round."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg
from support.team_boards import open_boards, sync_service, until
from textual.widgets import Static

from jpm_tui.cache.opening import CacheLocation, open_store
from jpm_tui.cache.pg.heartbeat import write_beat
from jpm_tui.ui.screens.help import HelpScreen
from jpm_tui.ui.screens.sync import SyncScreen
from jpm_tui.ui.widgets.board_footer import BoardFooter

WITHIN = 2.0
"""Seconds a beat may take to show on the board (a notification, then a read)."""


async def test_a_team_board_says_whether_the_sync_service_runs_and_what_it_sees_of_the_backend(
        postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url)
    async with open_boards(location, 1) as (board,):
        db = board.store.db
        await until(lambda: "○ no sync service: changes wait" in board.header(), "no service, ever", WITHIN)
        assert "Nothing cached yet: no sync service: changes wait." in board.shown()  # not "Syncing the first..."
        assert board.app.live is not None and board.app.live.refusal is None  # changes are queued: they wait

        await until(lambda: write_beat(db, "office-sync|4417", True, None, 42.0) is None, "the beat written", 1)
        await until(lambda: "● online" in board.header(), "the service's beat", WITHIN)
        assert re.search(r"● online\s+synced 4[23]s ago", board.header()), board.header()
        assert "no sync service" not in board.header()

        write_beat(db, "office-sync|4417", False, "Could not reach api.servicetitan.io: Connection refused", None)
        await until(lambda: "backend offline" in board.header(), "the backend offline", WITHIN)
        assert board.app.status.service_notice == ("backend offline (seen by the sync service): Could not reach "
                                                   "api.servicetitan.io: Connection refused")
        assert "○ backend offline (seen by the sync service): Could not reach api.service" in board.header()
        assert re.search(r"synced 4\ds ago", board.header())  # the last successful round's, kept
        await board.pilot.resize_terminal(80, 30)  # the reason gives way: the sync time and the outbox stay
        await board.pilot.pause(0.1)
        header = board.header()
        assert "○ backend offline (seen by" in header and header.rstrip().endswith("outbox 0") and len(header) <= 80

        with psycopg.connect(postgres_url, autocommit=True) as conn:  # its last beat 20 s ago: the service is gone
            conn.execute("UPDATE service_heartbeat SET online = true, beat_at = clock_timestamp() - interval '20 s'")
        await until(lambda: "○ no sync service: changes wait" in board.header(), "a stale beat", WITHIN)
        assert board.app.status.online  # the database answers: only the service is missing


async def test_a_team_board_says_no_sync_service_within_2_s_of_the_service_stopping_cleanly(
        sandbox_server: Any, postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url)
    service_store = open_store(CacheLocation(tmp_path / "service.sqlite3", url=postgres_url))
    try:
        async with open_boards(location, 1) as (board,):
            async with sync_service(service_store, sandbox_server.base_url):
                await until(lambda: "● online" in board.header(), "the service's beat", 5)
            # stopped as SIGTERM stops it (the beat just written is young: only its last beat says it stopped)
            await until(lambda: "○ no sync service: changes wait" in board.header(), "no service", WITHIN)
            assert board.app.status.online  # the database answers: only the service is gone
    finally:
        service_store.close()


async def test_the_sync_screen_of_a_team_board_offers_no_sync_keys_and_shows_the_service(
        postgres_url: str, tmp_path: Path) -> None:
    location = CacheLocation(tmp_path / "no-file.sqlite3", url=postgres_url)
    async with open_boards(location, 1) as (board,):
        write_beat(board.store.db, "office-sync|4417", True, None, 42.0)
        await until(lambda: "● online" in board.header(), "the service's beat", WITHIN)
        await board.pilot.press("S")
        await until(lambda: isinstance(board.app.screen, SyncScreen), "the sync screen", WITHIN)
        screen = board.app.screen
        summary = screen.query_one("#sync-summary", Static)
        await until(lambda: "team's service" in str(summary.render()), "the service said", WITHIN)
        assert re.search(r"Synced by the team's service \(sync --watch\) · running, backend online · last round 4\ds ago",
                         str(summary.render()))
        offered = {b.binding.action for b in board.app.active_bindings.values()}  # what the footer shows
        assert {"retry", "drop", "show_change"} <= offered  # the outbox's keys are offered, the sync's are not
        assert not offered & {"sync_now", "pause", "resume", "resync"}
        footer = screen.query_one(BoardFooter)
        assert "r d c v Outbox" in board.shown() and {item.group for item in footer.items} == {"", "Outbox"}
        for key in ("s", "p", "u", "F"):
            assert screen.check_action({"s": "sync_now", "p": "pause", "u": "resume", "F": "resync"}[key], ()) is False
            await board.pilot.press(key)
        await board.pilot.pause(0.2)
        assert not board.app._notifications and board.app.live is not None and not board.app.live.paused

        await board.pilot.press("question_mark")  # the help follows: no sync keys there either
        await until(lambda: isinstance(board.app.screen, HelpScreen), "the help", WITHIN)
        assert "Full resync" not in board.shown() and "Sync now" not in board.shown()
        await board.pilot.press("escape")

        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute("UPDATE service_heartbeat SET beat_at = clock_timestamp() - interval '20 s'")
        said = screen.query_one("#sync-offline", Static)
        await until(lambda: str(said.render()) == " no sync service: changes wait", "no service, said", WITHIN)
        assert "running" not in str(summary.render())
