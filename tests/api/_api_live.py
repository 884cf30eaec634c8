"""Shared fixtures of the operation integration tests: the resource classes over real HTTP to the sandbox.

Imported by `test_operations_{jpm,dispatch,settings,crm}.py`. The client under test is the real
`ServiceTitanClient` (auth, retries, paging); the resource classes are built on it directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

import httpx
from _contract import SESSION, Contract, ContractTransport, documents_present

from jpm_tui.api.client import ServiceTitanClient
from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.settings import SettingsApi

from jpm_tui.sandbox.state import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT


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


@pytest.fixture
def contract() -> Contract:
    """Every exchange of the `st` client, checked against ServiceTitan's documents (see _contract.py);
    one record for the whole run, so the summary can say how much of the documents the tests covered."""
    return SESSION


@pytest.fixture
async def st(sandbox_server, sandbox_state, contract) -> AsyncIterator[Apis]:
    url = server_url(sandbox_server)
    transport = httpx.AsyncHTTPTransport()
    if documents_present():
        transport = ContractTransport(transport, contract)
    client = ServiceTitanClient(
        api_url=url,
        auth_url=url,
        tenant=getattr(sandbox_state, "tenant", TENANT),
        client_id=getattr(sandbox_state, "client_id", CLIENT_ID),
        client_secret=getattr(sandbox_state, "client_secret", CLIENT_SECRET),
        app_key=getattr(sandbox_state, "app_key", APP_KEY),
        max_retries=1,
        timeout=20,
        transport=transport,
    )
    seen = len(contract.violations)
    try:
        yield Apis(client, JpmApi(client), DispatchApi(client), SettingsApi(client), CrmApi(client))
    finally:
        await client.aclose()
    assert not contract.violations[seen:], "\n".join(contract.violations[seen:])


@pytest.fixture
def state(sandbox_server, sandbox_state):
    """The server's state (the fixture's, unless the server object carries its own)."""
    return getattr(sandbox_server, "state", None) or sandbox_state


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
