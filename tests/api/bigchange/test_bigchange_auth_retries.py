"""The BigChange client's sign-in and pacing against the sandbox: the token renewed before it expires and once
on a 401, refused credentials, 429 with Retry-After (injected, then the sandbox's real rate limit), 5xx."""

from __future__ import annotations

import asyncio
import time

import pytest

from jpm_tui.api.errors import AuthError


def statuses(wire) -> list[tuple[str, int]]:
    return [("token" if not e.url.path.startswith("/v1/") else e.method, e.status) for e in wire.exchanges]


async def test_the_token_is_renewed_before_it_expires(connect, bc_state):
    bc_state.token_lifetime = 120
    bc = connect()
    await bc.client.get_job(next(iter(bc_state.tables["jobs"])))
    bc.clock.now += 110  # within the 120 s, but past the renewal point (90% of so short a lifetime)
    bc_state.advance(110)
    await bc.client.get_job(next(iter(bc_state.tables["jobs"])))
    assert statuses(bc.wire) == [("token", 200), ("GET", 200), ("token", 200), ("GET", 200)]
    first, second = (e.headers["authorization"] for e in bc.wire.api())
    assert first != second


async def test_a_401_gets_one_new_token_and_the_request_again(bc):
    job_id = next(iter(bc.state.tables["jobs"]))
    await bc.client.get_job(job_id)
    bc.state.tokens.clear()  # revoked on the server's side, still fresh on the client's clock
    await bc.client.update_job(job_id, {"reference": "after-401"})
    assert statuses(bc.wire) == [("token", 200), ("GET", 200), ("PATCH", 401), ("token", 200), ("PATCH", 204)]
    assert bc.state.tables["jobs"][job_id]["reference"] == "after-401"


async def test_an_expired_token_on_the_servers_clock_is_a_401_then_renewed(bc):
    job_id = next(iter(bc.state.tables["jobs"]))
    await bc.client.get_job(job_id)
    bc.state.advance(bc.state.token_lifetime + 1)
    await bc.client.get_job(job_id)
    assert statuses(bc.wire)[-3:] == [("GET", 401), ("token", 200), ("GET", 200)]


async def test_refused_credentials_say_so_without_the_secret(connect):
    bc = connect(client_secret="wrong-secret-value")
    with pytest.raises(AuthError) as raised:
        await bc.client.get_job(1)
    assert "BigChange rejected the client credentials" in str(raised.value)
    assert "wrong-secret-value" not in str(raised.value) and bc.wire.api() == []


async def test_a_429_waits_its_retry_after_even_for_a_patch(bc):
    job_id = next(j["id"] for j in bc.state.tables["jobs"].values() if j["status"] == "scheduled")
    bc.state.faults.fail_next = [429, 429]
    await bc.client.update_job(job_id, {"plannedDuration": 75})
    assert [e.status for e in bc.wire.api("PATCH")] == [429, 429, 204]
    assert bc.clock.slept == [1.0, 1.0]  # the sandbox's Retry-After
    assert [j for j, _ in bc.state.received_patches] == [job_id]  # refused before handling: applied once
    assert bc.state.tables["jobs"][job_id]["plannedDuration"] == 75


async def test_a_503_on_a_read_is_retried_after_a_backoff(bc):
    bc.state.faults.fail_next = [503]
    types = [t async for t in bc.client.list_job_types()]
    assert types and [e.status for e in bc.wire.api()] == [503, 200]
    assert len(bc.clock.slept) == 1


async def test_the_sandboxs_rate_limit_is_met_with_backoff_and_every_read_succeeds(connect, bc_state):
    bc_state.rate_limit = 4  # requests a second
    bc = connect(sleep=asyncio.sleep, clock=time.monotonic)
    ids = sorted(bc_state.tables["jobs"])[:8]
    started = time.monotonic()
    jobs = await asyncio.gather(*(bc.client.get_job(job_id) for job_id in ids))
    assert [j.id for j in jobs] == ids
    answered = [e.status for e in bc.wire.api()]
    assert answered.count(200) == 8 and 429 in answered and set(answered) == {200, 429}
    assert time.monotonic() - started >= 0.9  # 8 reads at 4 a second cannot all go in the first second
