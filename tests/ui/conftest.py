from __future__ import annotations

import pytest
from support.fake_sources import FakeSource


@pytest.fixture
def source() -> FakeSource:
    return FakeSource(200)
