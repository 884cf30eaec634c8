"""Every test runs on a pinned clock and zone (tests/conftest.py's ``pinned_clock``): whatever reads the wall clock
or the local zone, in the tests or in the product, reads the pinned ones. If this fails, the suite depends on the
hour and the day it is run at again."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support.pinned_times import AWKWARD_TIMES, PINNED_NOW, PINNED_ZONE, at_awkward_times

from jpm_tui.sandbox import build_state
from jpm_tui.ui.format import system_clock

CLOSE = timedelta(seconds=30)  # the pinned clock ticks on from the instant


def _assert_clock_at(instant: datetime, zone: str) -> None:
    assert abs(datetime.now(UTC) - instant) < CLOSE
    assert abs(datetime.fromtimestamp(time.time(), UTC) - instant) < CLOSE
    assert abs(system_clock() - instant) < CLOSE  # the board's default clock
    local = datetime.now().astimezone()  # in the machine's zone, as a board without a configured zone shows it
    assert local.utcoffset() == instant.astimezone(ZoneInfo(zone)).utcoffset()
    assert date.today() == local.date() == instant.astimezone(ZoneInfo(zone)).date()


def test_an_unmarked_test_runs_at_the_pinned_instant_and_zone() -> None:
    _assert_clock_at(PINNED_NOW, PINNED_ZONE)


@at_awkward_times()
def test_a_marked_test_runs_at_its_instant_and_zone(pinned_zone: str, request: pytest.FixtureRequest) -> None:
    instant, zone = AWKWARD_TIMES[request.node.callspec.id]
    assert zone == pinned_zone
    _assert_clock_at(instant, zone)
    # a sandbox on a running clock (as `sandbox serve` and --demo have) starts from the pinned instant
    state = build_state(jobs=0, seed=1)
    assert abs(state.now() - instant) < CLOSE
