"""Shared helpers of the operation integration tests: the resource classes over real HTTP to the sandbox (the
fixtures handing them out are in tests/api/conftest.py).

Imported by `test_operations_{jpm,dispatch,settings,crm}.py`. The client under test is the real
`ServiceTitanClient` (auth, retries, paging); the resource classes are built on it directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.settings import SettingsApi


def server_url(server: Any) -> str:
    for name in ("url", "base_url", "api_url"):
        value = getattr(server, name, None)
        if value:
            return str(value).rstrip("/")
    return str(server).rstrip("/")


@dataclass
class Apis:
    client: Any
    jpm: JpmApi
    dispatch: DispatchApi
    settings: SettingsApi
    crm: CrmApi


async def drain(feed: AsyncIterator[Any]) -> list[dict]:
    """All rows of an export feed (the client's iterator stops when `hasMore` is false)."""
    rows: list[dict] = []
    async for page in feed:
        rows.extend(page.data)
    return rows


async def collect(items: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in items]


def first(records: Iterable[dict], what: str, **match: Any) -> dict:
    for record in records:
        if all(record.get(k) == v for k, v in match.items()):
            return record
    pytest.fail(f"the sandbox seed has no {what} with {match}")


def active_ids(records: Iterable[dict]) -> set[int]:
    return {r["id"] for r in records if r.get("active", True)}
