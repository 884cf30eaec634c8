"""What the outbox says a queued write is: in the dispatcher's words, its times in the board's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from jpm_tui.cache.outbox import Outbox, describe
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d

PHOENIX = ZoneInfo("America/Phoenix")
"""UTC-7 all year: 16:00 UTC is 09:00 there."""


def test_times_are_said_in_the_boards_zone() -> None:
    move = d.RescheduleAppointment(7, datetime(2026, 12, 5, 16, tzinfo=UTC), datetime(2026, 12, 5, 18, tzinfo=UTC))
    assert describe(move, tz=PHOENIX) == "reschedule appointment 7 to 2026-12-05 09:00 (Sat) – 11:00"
    late = d.CreateAppointment(3, datetime(2026, 12, 6, 5, tzinfo=UTC), datetime(2026, 12, 6, 8, tzinfo=UTC))
    assert describe(late, tz=PHOENIX) == ("create an appointment for job 3 at 2026-12-05 22:00 (Sat) – "
                                          "2026-12-06 01:00 (Sun)")


def test_the_outbox_says_its_entries_in_the_zone_it_is_given(store: CacheStore) -> None:
    entry = Outbox(store).enqueue(d.RescheduleAppointment(7, datetime(2026, 12, 5, 16, tzinfo=UTC),
                                                          datetime(2026, 12, 5, 18, tzinfo=UTC)))
    words = Outbox(store).describe(entry, PHOENIX)
    assert words.endswith("to 2026-12-05 09:00 (Sat) – 11:00") and "UTC" not in words
