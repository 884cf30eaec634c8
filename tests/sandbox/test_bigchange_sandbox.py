"""The BigChange sandbox on its own (in process): a deterministic world with every visible status, the gate's
and the token endpoint's refusals, a body that is not JSON, problems for unknown paths, admin endpoints and the
paste-ready profile."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime

import httpx
import pytest

from jpm_tui.sandbox.bigchange import build_state, create_app, profile_toml

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
VISIBLE = {"new", "scheduled", "unscheduled", "sent", "read", "accepted", "refused", "onTheWay", "started",
           "suspended", "completedOk", "completedWithIssues", "cancelled"}
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
async def api():
    state = build_state(jobs=40, seed=3, now=NOW, frozen=True, rate_limit=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state)), base_url="http://bc") as http:
        token = (await http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": state.client_id,
                                                      "client_secret": state.client_secret})).json()["access_token"]
        http.headers.update({"authorization": f"Bearer {token}", "customer-id": str(state.customer_id)})
        yield http, state


def test_the_world_is_deterministic_and_shows_every_visible_status():
    one, two = (build_state(jobs=40, seed=3, now=NOW).tables for _ in range(2))
    assert one == two
    assert {j["status"] for j in one["jobs"].values()} == VISIBLE
    for job in one["jobs"].values():
        history = [h["status"] for h in one["status_history"].values() if h["jobId"] == job["id"]]
        assert history[0] == "new" and history[-1] == job["status"]
        assert all(h["createdAt"] <= "2026-11-23T15:00:00Z" for h in one["status_history"].values())
    assert not any("\x1b" in j["description"] for j in one["jobs"].values())
    hostile = build_state(jobs=40, seed=3, now=NOW, hostile=True).tables["jobs"].values()
    assert any("\x1b" in j["description"] for j in hostile)


async def test_the_gate_refuses_with_problems(api):
    http, _ = api
    missing = await http.get("/v1/jobs", headers={"customer-id": ""})
    other = await http.get("/v1/jobs", headers={"customer-id": "777"})
    no_token = await http.get("/v1/jobs", headers={"authorization": ""})
    assert (missing.status_code, other.status_code, no_token.status_code) == (400, 403, 401)
    for answer in (missing, other, no_token):
        assert set(answer.json()) == PROBLEM_KEYS
        assert answer.headers["content-type"] == "application/problem+json"


async def test_the_token_endpoint_refuses_with_problems(api):
    http, state = api
    incomplete = await http.post("/auth/token", data={"grant_type": "client_credentials"})
    assert incomplete.status_code == 422 and set(incomplete.json()["errors"]) == {"client_id", "client_secret"}
    wrong = await http.post("/auth/token", data={"grant_type": "client_credentials", "client_id": state.client_id,
                                                 "client_secret": "nope"})
    assert wrong.status_code == 400 and set(wrong.json()) == PROBLEM_KEYS


async def test_a_patch_body_that_is_not_json_is_a_400_and_is_kept_as_received(api):
    http, state = api
    job_id = next(iter(state.tables["jobs"]))
    answer = await http.patch(f"/v1/jobs/{job_id}", content=b'{"reference": ', headers={"content-type":
                                                                                      "application/json"})
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["detail"]
    assert state.received_patches == [(job_id, b'{"reference": ')]
    assert (await http.get("/_sandbox/patches")).json() == [{"jobId": job_id, "body": '{"reference": '}]


async def test_unknown_paths_and_methods_and_page_limits_are_problems(api):
    http, _ = api
    assert (await http.get("/v1/vehicles")).status_code == 404
    assert (await http.delete("/v1/jobs/1")).status_code == 405
    too_big = await http.get("/v1/jobs", params={"pageSize": 1001})
    assert too_big.status_code == 400 and "pageSize" in too_big.json()["detail"]


async def test_admin_moves_a_job_and_faults_answer_500(api):
    http, state = api
    job_id = next(j["id"] for j in state.tables["jobs"].values() if j["status"] == "accepted")
    moved = await http.post(f"/_sandbox/jobs/{job_id}/status", json={"status": "started", "comment": "On site"})
    assert moved.json()["status"] == "started" and state.tables["jobs"][job_id]["realStartAt"] == "2026-11-23T15:00:00Z"
    await http.post("/_sandbox/faults", json={"fail_next": [500]})
    failed = await http.get(f"/v1/jobs/{job_id}")
    assert failed.status_code == 500 and set(failed.json()) == PROBLEM_KEYS
    assert (await http.get(f"/v1/jobs/{job_id}")).status_code == 200


def test_the_profile_is_paste_ready():
    profile = tomllib.loads(profile_toml("http://127.0.0.1:8123/"))["profiles"]["bigchange-sandbox"]
    assert profile == {"backend": "bigchange", "api_url": "http://127.0.0.1:8123/v1",
                       "auth_url": "http://127.0.0.1:8123/auth/token", "client_id": "sandbox-bigchange-client",
                       "client_secret": "sandbox-bigchange-secret", "customer_id": 14532,
                       "timezone": "Europe/London"}
