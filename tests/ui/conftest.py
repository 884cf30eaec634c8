from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # fakes.py and board_kit.py, for the tests here

from fakes import FakeSource  # noqa: E402


@pytest.fixture
def source() -> FakeSource:
    return FakeSource(200)
