"""How the board writes values it shows: phone numbers."""

from __future__ import annotations

import pytest

from jpm_tui.ui.format import phone


@pytest.mark.parametrize(("given", "shown"), [
    ("4806590164", "(480) 659-0164"),
    ("14806590164", "(480) 659-0164"),
    ("+14806590164", "(480) 659-0164"),
    ("+44 20 7946 0958", "+44 20 7946 0958"),  # not North American: as the server gave it
    ("480-659-0164 x12", "480-659-0164 x12"),  # already written by a person
    ("", ""),
])
def test_a_north_american_number_is_grouped_and_any_other_kept(given: str, shown: str) -> None:
    assert phone(given) == shown
