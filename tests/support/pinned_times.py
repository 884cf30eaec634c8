"""The instant and local zone every test runs at (tests/conftest.py's ``pinned_clock``), and instants where a
test that reads "now", "today" or the local day instead of a pinned clock has failed or would fail: afternoon in
UTC (after the demo day's last openings), early morning (the evening before in Phoenix), both New York DST
changes, a month's last minutes.
``at_awkward_times`` runs a test at each of those instead; the test gets the local zone's name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

__all__ = ["AWKWARD_TIMES", "PINNED_NOW", "PINNED_ZONE", "at_awkward_times"]

PINNED_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 08:00 in Phoenix (the demo company's zone)
PINNED_ZONE = "UTC"

AWKWARD_TIMES: dict[str, tuple[datetime, str]] = {  # id -> (instant, local zone)
    "19:00 UTC, noon in Phoenix": (datetime(2026, 12, 4, 19, 0, tzinfo=UTC), "America/Phoenix"),
    "06:30 UTC, the evening before in Phoenix": (datetime(2026, 12, 4, 6, 30, tzinfo=UTC), "America/Phoenix"),
    "spring forward, New York": (datetime(2026, 3, 8, 9, 30, tzinfo=UTC), "America/New_York"),
    "fall back, New York": (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "America/New_York"),
    "31 January 23:50 UTC": (datetime(2027, 1, 31, 23, 50, tzinfo=UTC), "UTC"),
}


def at_awkward_times() -> pytest.MarkDecorator:
    """Parametrize a test over AWKWARD_TIMES: its ``pinned_zone`` argument is the local zone of the instant."""
    return pytest.mark.parametrize("pinned_zone", [
        pytest.param(zone, marks=pytest.mark.clock(instant, zone=zone), id=name)
        for name, (instant, zone) in AWKWARD_TIMES.items()])
