"""The sandbox core over real HTTP with plain httpx: auth, error bodies, paging, export feeds, rate limit,
fault switches and the admin endpoints."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route
from support.st_docs import assert_problem

from jpm_tui.sandbox import ServeError, create_app, serve
from jpm_tui.sandbox.faults import ConnectionDropped

# Plain HTTP on loopback: verify=False only skips loading the CA bundle, which costs 0.2 s per client.
HTTP = httpx.Client(verify=False, timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _close_http():
    yield
    HTTP.close()


def token(server, **overrides) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": server.client_id,
            "client_secret": server.client_secret, **overrides}
    return HTTP.post(f"{server.base_url}/connect/token", data=form)


@pytest.fixture
def headers(sandbox_server) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(sandbox_server).json()['access_token']}",
            "ST-App-Key": sandbox_server.app_key}


@pytest.fixture
def api(sandbox_server, headers):
    with httpx.Client(base_url=sandbox_server.api_url("jpm"), headers=headers, timeout=10, verify=False) as client:
        yield client


def add_reasons(state, n: int) -> list[int]:
    return [state["job_hold_reasons"].insert({"name": f"Reason {i}", "active": i % 2 == 0})["id"] for i in range(n)]


# ------------------------------------------------------------------------------------------------ auth


def test_token_endpoint_issues_bearer_tokens(sandbox_server):
    response = token(sandbox_server)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == sandbox_server.state.token_lifetime
    assert body["access_token"] != token(sandbox_server).json()["access_token"]


@pytest.mark.parametrize(("override", "error"), [
    ({"client_secret": "wrong"}, "invalid_client"),
    ({"client_id": "someone-else"}, "invalid_client"),
    ({"grant_type": "password"}, "unsupported_grant_type"),
])
def test_token_endpoint_refuses_like_oauth(sandbox_server, override, error):
    response = token(sandbox_server, **override)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error


def test_token_endpoint_wants_a_form(sandbox_server):
    response = HTTP.post(f"{sandbox_server.base_url}/connect/token", json={"grant_type": "client_credentials"})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("form", ["Bearer {}", "bearer {}", "BEARER  {}", "{}"])
def test_the_token_is_taken_with_or_without_the_bearer_scheme(sandbox_server, form):
    """ServiceTitan takes the access token bare as well as after `Bearer `; some public clients send it bare."""
    access = token(sandbox_server).json()["access_token"]
    response = HTTP.get(sandbox_server.api_url("jpm", "jobs"), params={"pageSize": 1},
                        headers={"Authorization": form.format(access), "ST-App-Key": sandbox_server.app_key})
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == 1


@pytest.mark.parametrize(("value", "title"), [
    (None, "missing"), ("", "missing"), ("Bearer", "missing"),
    ("Bearer not-a-token", "invalid"), ("not-a-token", "invalid"), ("Basic {}", "invalid"), ("Bearer {}x", "invalid"),
])
def test_a_missing_or_wrong_token_is_refused_with_or_without_the_scheme(sandbox_server, value, title):
    access = token(sandbox_server).json()["access_token"]
    headers = {"ST-App-Key": sandbox_server.app_key}
    if value is not None:
        headers["Authorization"] = value.format(access)
    response = HTTP.get(sandbox_server.api_url("jpm", "jobs"), headers=headers)
    body = assert_problem(response, 401, "Authorization")
    assert title in body["title"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_tokens_expire(sandbox_server, headers):
    url = sandbox_server.api_url("jpm", "jobs")
    assert HTTP.get(url, headers=headers).status_code == 200
    sandbox_server.state.advance(sandbox_server.state.token_lifetime + 1)
    body = assert_problem(HTTP.get(url, headers=headers), 401)
    assert "expired" in body["title"]


def test_token_lifetime_is_configurable(sandbox_server):
    sandbox_server.state.token_lifetime = 5
    assert token(sandbox_server).json()["expires_in"] == 5


def test_app_key_is_required_and_checked(sandbox_server, headers):
    url = sandbox_server.api_url("jpm", "jobs")
    bearer = {"Authorization": headers["Authorization"]}
    assert_problem(HTTP.get(url, headers=bearer), 401, "ST-App-Key")
    assert_problem(HTTP.get(url, headers={**bearer, "ST-App-Key": "wrong"}), 403, "ST-App-Key")
    by_query = HTTP.get(url, headers=bearer, params={"servicetitanapplicationkey": sandbox_server.app_key})
    assert by_query.status_code == 200


def test_other_tenants_are_forbidden(sandbox_server, headers):
    response = HTTP.get(f"{sandbox_server.base_url}/jpm/v2/tenant/999/jobs", headers=headers)
    assert_problem(response, 403, "tenant")


# ---------------------------------------------------------------------------------------------- errors


def test_unknown_route_and_wrong_method_are_problems(api):
    assert_problem(api.get("no-such-thing"), 404)
    response = api.delete("jobs")
    assert_problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_unhandled_exceptions_become_500_without_traceback(sandbox_state):
    async def boom(request):
        raise RuntimeError("secret internals")

    app = create_app(sandbox_state)
    app.router.routes.insert(0, Route("/jpm/v2/tenant/{tenant:int}/boom", boom))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        form = {"grant_type": "client_credentials", "client_id": sandbox_state.client_id,
                "client_secret": sandbox_state.client_secret}
        access = (await client.post("/connect/token", data=form)).json()["access_token"]
        response = await client.get(f"/jpm/v2/tenant/{sandbox_state.tenant}/boom",
                                    headers={"Authorization": f"Bearer {access}", "ST-App-Key": sandbox_state.app_key})
    assert_problem(response, 500)
    assert "secret internals" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize(("content", "field"), [
    (b"{not json", "$"),
    (b"", "$"),
    (b"[1, 2]", "$"),
    (b'{"reasonId": "seven", "memo": "m"}', "reasonId"),
    (b'{"reasonId": 1}', "memo"),
    (b'{"reasonId": 1, "memo": "m", "color": "red"}', "color"),
    (b'{"reasonId": true, "memo": "m"}', "reasonId"),
])
def test_bodies_are_validated(api, content, field):
    response = api.put("jobs/1/cancel", content=content, headers={"Content-Type": "application/json"})
    body = assert_problem(response, 400)
    assert field in body["errors"], body


# ---------------------------------------------------------------------------------------------- paging


def test_paging_walks_every_record(api, sandbox_state):
    add_reasons(sandbox_state, 7)
    total = len(sandbox_state["job_hold_reasons"])
    first = api.get("job-hold-reasons", params={"pageSize": 3, "includeTotal": "true"}).json()
    assert (first["page"], first["pageSize"], first["hasMore"], first["totalCount"]) == (1, 3, True, total)
    assert api.get("job-hold-reasons", params={"pageSize": 3}).json()["totalCount"] is None
    seen, page = [], 1
    while True:
        body = api.get("job-hold-reasons", params={"pageSize": 3, "page": page}).json()
        seen += [r["id"] for r in body["data"]]
        if not body["hasMore"]:
            break
        page += 1
    assert seen == sorted(r["id"] for r in sandbox_state["job_hold_reasons"].values())
    beyond = api.get("job-hold-reasons", params={"pageSize": 3, "page": page + 5}).json()
    assert beyond["data"] == [] and beyond["hasMore"] is False


def test_default_page_size_is_50(api):
    assert api.get("job-hold-reasons").json()["pageSize"] == 50


@pytest.mark.parametrize(("params", "field"), [
    ({"pageSize": 0}, "pageSize"),
    ({"pageSize": 5001}, "pageSize"),
    ({"pageSize": "ten"}, "pageSize"),
    ({"page": 0}, "page"),
    ({"includeTotal": "maybe"}, "includeTotal"),
    ({"modifiedOnOrAfter": "yesterday"}, "modifiedOnOrAfter"),
    ({"active": "Sometimes"}, "active"),
    ({"sort": "+Color"}, "sort"),
])
def test_bad_query_parameters_name_the_parameter(api, params, field):
    assert_problem(api.get("job-hold-reasons", params=params), 400, field)


def test_list_filters_and_sort(api, sandbox_state):
    ids = add_reasons(sandbox_state, 4)
    active = api.get("job-hold-reasons", params={"active": "True", "pageSize": 5000}).json()["data"]
    assert all(r["active"] for r in active) and ids[0] in {r["id"] for r in active}
    inactive = api.get("job-hold-reasons", params={"active": "false", "pageSize": 5000}).json()["data"]
    assert ids[1] in {r["id"] for r in inactive} and not any(r["active"] for r in inactive)
    descending = api.get("job-hold-reasons", params={"sort": "-Id", "pageSize": 5000, "unknownParam": "x"}).json()
    assert [r["id"] for r in descending["data"]] == sorted((r["id"] for r in descending["data"]), reverse=True)
    assert_problem(api.get("jobs", params={"ids": "1,x"}), 400, "ids")
    assert_problem(api.get("jobs", params={"jobStatus": "Sleeping"}), 400, "jobStatus")


# ---------------------------------------------------------------------------------------- export feeds


def drain(api, path: str, start: str | None = None, **params) -> tuple[list[dict], str, int]:
    rows, token_, calls = [], start, 0
    while True:
        query = {**params, **({"from": token_} if token_ else {})}
        body = api.get(path, params=query).json()
        assert set(body) == {"hasMore", "continueFrom", "data"}
        rows += body["data"]
        token_, calls = body["continueFrom"], calls + 1
        if not body["hasMore"]:
            return rows, token_, calls


def test_export_pages_follow_tokens_to_the_end(api, sandbox_state):
    add_reasons(sandbox_state, 3)
    for i in range(25):
        sandbox_state["job_notes"].insert({"jobId": 1, "text": f"note {i}", "isPinned": False, "createdById": 1,
                                           "active": True})
    sandbox_state.export_page_size = 10
    rows, last, calls = drain(api, "export/job-notes")
    assert [r["id"] for r in rows] == [r["id"] for _, r in sandbox_state["job_notes"].changed_after(0)]
    assert calls == -(-len(rows) // 10)  # hasMore is false on the last page, even a full one
    again = api.get("export/job-notes", params={"from": last}).json()
    assert again == {"hasMore": False, "continueFrom": last, "data": []}


def test_export_shows_changes_made_after_the_token(api, sandbox_state):
    notes = sandbox_state["job_notes"]
    first, second = (notes.insert({"jobId": 1, "text": t, "isPinned": False, "createdById": 1, "active": True})
                     for t in ("a", "b"))
    _, last, _ = drain(api, "export/job-notes")
    first["text"] = "edited"
    notes.touch(first)
    rows, newer, _ = drain(api, "export/job-notes", last)
    assert [(r["id"], r["text"]) for r in rows] == [(first["id"], "edited")]
    assert newer != last
    assert drain(api, "export/job-notes", newer)[0] == []
    assert second["id"] not in {r["id"] for r in rows}


def test_export_pages_are_the_shaped_rows_and_follow_every_change(api, sandbox_state):
    """Export pages join each row's stored JSON (Collection.encoded): byte for byte what shaping the rows and
    rendering the page would give, and a row changed (touched) since is sent as it is now, also to a client
    reading the feed again from the beginning."""
    from jpm_tui.sandbox.routes.jpm.notes import EXPORT_JOB_NOTE

    notes = sandbox_state["job_notes"]
    first, _second = (notes.insert({"jobId": 1, "text": t, "isPinned": False, "createdById": 1, "active": True,
                                    "internal": "not in the shape"}) for t in ("a", "b"))

    def expected_body(response) -> bytes:
        page = response.json()
        rows = [r for _, r in notes.changed_after(0)]
        return json.dumps({**page, "data": [EXPORT_JOB_NOTE(r) for r in rows]}, ensure_ascii=False,
                          allow_nan=False, separators=(",", ":")).encode()

    before = api.get("export/job-notes")
    assert before.content == expected_body(before) and before.headers["content-type"] == "application/json"
    assert api.get("export/job-notes").content == before.content  # served again from the stored rows
    first["text"] = "edited"
    notes.touch(first)
    after = api.get("export/job-notes")
    assert after.content == expected_body(after)
    assert [r["text"] for r in after.json()["data"]][-2:] == ["b", "edited"]
    notes.delete(first["id"])
    assert [r["text"] for r in api.get("export/job-notes").json()["data"]][-1:] == ["b"]


@pytest.mark.parametrize("module, feed", [
    ("jpm", "export/job-notes"), ("jpm", "export/jobs"), ("crm", "export/customers"), ("crm", "export/locations"),
])
def test_an_export_read_again_serialises_no_row_again(sandbox_server, headers, sandbox_state, monkeypatch,
                                                         module, feed):
    """Each row's JSON is kept per shape (one shape object per external-data application): reading a feed again
    joins the kept bytes, whatever module serves it."""
    from jpm_tui.sandbox import state as sandbox_state_module

    serialised: list[int] = []
    json_bytes = sandbox_state_module.json_bytes
    monkeypatch.setattr(sandbox_state_module, "json_bytes", lambda value: serialised.append(1) or json_bytes(value))
    with httpx.Client(base_url=sandbox_server.api_url(module), headers=headers, timeout=10, verify=False) as client:
        first = client.get(feed)
        rows = len(first.json()["data"])
        assert rows and len(serialised) == rows
        assert client.get(feed).content == first.content and len(serialised) == rows  # nothing serialised again


def test_export_from_a_date(api, sandbox_state):
    notes = sandbox_state["job_notes"]
    old = notes.insert({"jobId": 1, "text": "old", "modifiedOn": "2020-01-01T00:00:00Z", "active": True})
    new = notes.insert({"jobId": 1, "text": "new", "active": True})
    rows, _, _ = drain(api, "export/job-notes", "2026-01-01")
    ids = {r["id"] for r in rows}
    assert new["id"] in ids and old["id"] not in ids


@pytest.mark.parametrize("bad", ["garbage!", "eyJub3QiOiJ0b2tlbiJ9"])
def test_bad_tokens_are_400(api, bad):
    assert_problem(api.get("export/jobs", params={"from": bad}), 400, "from")


def test_tokens_belong_to_one_feed(api):
    token_ = api.get("export/jobs").json()["continueFrom"]
    assert_problem(api.get("export/appointments", params={"from": token_}), 400, "from")


def test_recent_changes_are_withheld_unless_asked_for(api, sandbox_state):
    notes = sandbox_state["job_notes"]
    _, start, _ = drain(api, "export/job-notes", includeRecentChanges="true")
    sandbox_state.recent_changes_delay = 60
    recent = notes.insert({"jobId": 1, "text": "just now", "active": True})
    # A row logged after the recent one but stamped long ago must not overtake it: the feed stops at the
    # first withheld row, so the token never moves past a change the client has not seen.
    backdated = notes.insert({"jobId": 1, "text": "backdated", "modifiedOn": "2020-01-01T00:00:00Z", "active": True})
    held = api.get("export/job-notes", params={"from": start}).json()
    assert held == {"hasMore": False, "continueFrom": start, "data": []}
    eager, _, _ = drain(api, "export/job-notes", start, includeRecentChanges="true")
    assert [r["id"] for r in eager] == [recent["id"], backdated["id"]]
    sandbox_state.advance(61)
    assert [r["id"] for r in drain(api, "export/job-notes", start)[0]] == [recent["id"], backdated["id"]]


# ------------------------------------------------------------------------------------- rate limit & faults


def test_rate_limit_answers_429_with_retry_after(api, sandbox_state, sandbox_server):
    sandbox_state.rate_limit = 5
    statuses = [api.get("job-hold-reasons").status_code for _ in range(8)]
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    limited = api.get("job-hold-reasons")
    body = assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    assert f"retry after {limited.headers['Retry-After']} seconds" in body["title"].lower()
    assert token(sandbox_server).status_code == 200  # the token endpoint is not limited
    assert HTTP.get(f"{sandbox_server.base_url}/_sandbox/health").status_code == 200


def test_fail_next_answers_exact_statuses_then_recovers(api, sandbox_server):
    switches = HTTP.post(f"{sandbox_server.base_url}/_sandbox/faults", json={"fail_next": [503, 500, 429]})
    assert switches.status_code == 200 and switches.json()["fail_next"] == [503, 500, 429]
    assert token(sandbox_server).status_code == 200  # not an API request: does not consume a failure
    responses = [api.get("jobs") for _ in range(4)]
    assert [r.status_code for r in responses] == [503, 500, 429, 200]
    for r in responses[:3]:
        assert_problem(r, r.status_code)
    assert responses[2].headers["Retry-After"] == "1"


def test_error_rate_answers_server_errors(api, sandbox_state):
    sandbox_state.faults.error_rate = 1.0
    assert {api.get("jobs").status_code for _ in range(10)} <= {500, 502, 503}


def test_drop_rate_drops_the_connection(api, sandbox_state):
    sandbox_state.faults.drop_rate = 1.0
    with pytest.raises(httpx.TransportError):
        api.get("job-hold-reasons")
    sandbox_state.faults.drop_rate = 0.0
    assert api.get("job-hold-reasons").status_code == 200


async def test_drop_in_process_is_an_httpx_transport_error(sandbox_state):
    sandbox_state.faults.drop_rate = 1.0
    app = create_app(sandbox_state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        form = {"grant_type": "client_credentials", "client_id": sandbox_state.client_id,
                "client_secret": sandbox_state.client_secret}
        access = (await client.post("/connect/token", data=form)).json()["access_token"]
        with pytest.raises(httpx.TransportError) as caught:
            await client.get(f"/jpm/v2/tenant/{sandbox_state.tenant}/jobs",
                             headers={"Authorization": f"Bearer {access}", "ST-App-Key": sandbox_state.app_key})
    assert isinstance(caught.value, ConnectionDropped)


def test_malformed_rate_truncates_json(api, sandbox_state):
    sandbox_state.faults.malformed_rate = 1.0
    response = api.get("job-hold-reasons")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_latency(api, sandbox_state):
    sandbox_state.faults.latency_ms = 150
    started = time.monotonic()
    assert api.get("job-hold-reasons").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_rates_are_seeded(sandbox_state, sandbox_server, headers):
    def run() -> list[int]:
        sandbox_state.reset()
        sandbox_state.faults.error_rate = 0.5
        with httpx.Client(base_url=sandbox_server.api_url("jpm"), headers=headers, verify=False) as client:
            return [client.get("job-hold-reasons").status_code for _ in range(12)]

    assert run() == run()


# ------------------------------------------------------------------------------------------- admin


def test_admin_faults_validates_and_sets_settings(sandbox_server):
    url = f"{sandbox_server.base_url}/_sandbox/faults"
    assert_problem(HTTP.post(url, json={"explode": True}), 400)
    assert_problem(HTTP.post(url, json={"error_rate": 2}), 400)
    assert_problem(HTTP.post(url, json={"export_page_size": 0}), 400)
    body = HTTP.post(url, json={"latency_ms": 5, "rate_limit": None, "recent_changes_delay": 30,
                                 "export_page_size": 7}).json()
    assert (body["latency_ms"], body["rate_limit"], body["recent_changes_delay"], body["export_page_size"]) == (
        5, None, 30, 7)
    assert sandbox_server.state.export_page_size == 7


def test_admin_reset_restores_the_seeded_world(sandbox_server, api):
    state = sandbox_server.state
    before = {name: len(c) for name, c in state.collections.items()}
    add_reasons(state, 3)
    state.faults.latency_ms = 10
    health = HTTP.get(f"{sandbox_server.base_url}/_sandbox/health").json()
    assert health["status"] == "ok" and health["tenant"] == state.tenant
    assert HTTP.post(f"{sandbox_server.base_url}/_sandbox/reset").status_code == 200
    assert {name: len(c) for name, c in state.collections.items()} == before
    assert state.faults.latency_ms == 0
    assert api.get("jobs").status_code == 200  # tokens survive a reset


async def test_concurrent_requests_are_served(sandbox_server, headers):
    async with httpx.AsyncClient(base_url=sandbox_server.api_url("jpm"), headers=headers, verify=False) as client:
        responses = await asyncio.gather(*(client.get("job-hold-reasons") for _ in range(20)))
    assert {r.status_code for r in responses} == {200}


# ------------------------------------------------------------------------------------- serving & domain


SERVE = """
import sys
from jpm_tui.sandbox import serve
serve(jobs=2, on_ready=lambda url: print(url, flush=True))
print("stopped", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_reports_its_url_and_stops_cleanly_on_signals(sig):
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", SERVE], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read()
        assert HTTP.get(f"{url}/_sandbox/health").json()["status"] == "ok"
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.strip() == "stopped" and err == ""


def test_serve_on_a_busy_port_is_a_one_line_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(ServeError, match=r"^cannot listen on 127\.0\.0\.1:\d+ \(.+\)$"):
            serve(port=busy.getsockname()[1], jobs=1)


@pytest.mark.parametrize(("status", "allowed"), [("Scheduled", True), ("Dispatched", True), ("Working", False),
                                                 ("Done", False)])
def test_working_or_done_technicians_cannot_be_unassigned(sandbox_state, status, allowed):
    assert sandbox_state.can_unassign({"status": status}) is allowed
