"""Fixtures of the operation tests: the real client over loopback HTTP to the sandbox, contract-checked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from support.api_contract import SESSION, Contract, ContractTransport, documents_present
from support.api_live import Apis, server_url

from jpm_tui.api.client import ServiceTitanClient
from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.settings import SettingsApi
from jpm_tui.sandbox.state import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT


@pytest.fixture
def contract() -> Contract:
    """Every exchange of the `st` client, checked against ServiceTitan's documents (see support/api_contract.py);
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





def pytest_terminal_summary(terminalreporter) -> None:
    if not SESSION.operations:
        return
    by_module: dict[str, int] = {}
    for module, _, _ in SESSION.operations:
        by_module[module] = by_module.get(module, 0) + 1
    modules = ", ".join(f"{m} {n}" for m, n in sorted(by_module.items()))
    terminalreporter.write_line(
        f"contract: {len(SESSION.operations)} documented operations exercised ({modules}); "
        f"{SESSION.checked['requests']} requests, {SESSION.checked['responses']} responses and "
        f"{SESSION.checked['errors']} error answers validated against the documents; "
        f"{len(SESSION.undocumented)} newer-than-document operations checked for ApiErrorResponse only")
