"""The FSM Navigator sandbox's generated world and its serve-side helpers (no HTTP)."""

from __future__ import annotations

import tomllib
from collections import Counter

from support.fsm_world import FROZEN_NOW

from jpm_tui.sandbox.fsm_navigator import API_KEY, build_state, profile_text
from jpm_tui.sandbox.fsm_navigator.data import generate

STATUSES = {"Pending", "Assigned", "In Progress", "On Hold", "Completed", "Invoiced", "Paid", "Closed", "Cancelled"}


def test_the_world_is_deterministic_and_realistic():
    first, again = generate(seed=3, jobs=300, now=FROZEN_NOW), generate(seed=3, jobs=300, now=FROZEN_NOW)
    assert first == again and first != generate(seed=4, jobs=300, now=FROZEN_NOW)
    counts = {kind: len(rows) for kind, rows in first.items()}
    assert counts["technicians"] == 8 and counts["customers"] == 40 and counts["jobs"] == 300
    assert counts["locations"] >= 40 and counts["assets"] >= counts["locations"]
    assert {a["asset_tag"].split("-")[0] for a in first["assets"]} >= {"HVAC", "PLB", "ELC"}
    now = "2026-11-23T15:00:00Z"
    jobs = first["jobs"]
    assert set(Counter(j["job_status"] for j in jobs)) == STATUSES
    assert any(j["scheduled_start"] and j["scheduled_start"] < now for j in jobs)
    assert any(j["scheduled_start"] and j["scheduled_start"] > now for j in jobs)
    assert all(j["created_at"] <= j["updated_at"] <= now for j in jobs)
    assert all(j["assigned_technician_id"] is None for j in jobs if j["job_status"] == "Pending")
    assert all(j["actual_start"] for j in jobs if j["job_status"] == "In Progress")
    assert all(t.isprintable() for j in jobs for t in (j["job_title"], j["customer_name"]))


def test_every_status_even_in_a_small_world():
    assert {j["job_status"] for j in generate(seed=9, jobs=9, now=FROZEN_NOW)["jobs"]} == STATUSES


def test_hostile_adds_jobs_with_markup_escapes_and_bidi():
    titles = [j["job_title"] for j in generate(seed=1, jobs=10, now=FROZEN_NOW, hostile=True)["jobs"][10:]]
    assert any("[bold" in t for t in titles) and any("\x1b[" in t for t in titles)
    assert any("\u202e" in t for t in titles) and any("\u200b" in t for t in titles)


def test_reset_brings_back_the_loaded_world_and_settings():
    state = build_state(jobs=30, seed=7, now=FROZEN_NOW, frozen=True)
    state.jobs[10001]["job_status"] = "Closed"
    state.rate_limit, state.fail_next = 5, [503]
    state.advance(3600)
    state.reset()
    assert state.jobs[10001]["job_status"] == "Pending" and state.rate_limit is None and state.fail_next == []
    assert state.now() == FROZEN_NOW


def test_the_profile_is_paste_ready_toml():
    profile = tomllib.loads(profile_text("http://127.0.0.1:8123"))["profiles"]["fsm-sandbox"]
    assert profile == {"backend": "fsm-navigator", "api_url": "http://127.0.0.1:8123/api/v1", "api_key": API_KEY,
                       "timezone": "America/New_York"}
