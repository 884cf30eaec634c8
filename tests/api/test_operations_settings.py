"""Every SettingsApi operation against the sandbox over real HTTP."""

from __future__ import annotations

import pytest
from support.api_live import active_ids, collect, drain

from jpm_tui.api.models import (
    ExportBusinessUnit,
    ExportEmployee,
    ExportTagType,
    ExportTechnician,
    Technician,
    parse_rows,
)


async def test_technicians(st, state):
    page = await st.settings.list_technicians(page_size=3, include_total=True)
    assert page.total_count == len(active_ids(state["technicians"].values()))
    assert all(isinstance(t, Technician) for t in page.data)
    every = await collect(st.settings.iter_technicians(active="Any"))
    assert {t.id for t in every} == {t["id"] for t in state["technicians"].values()}
    one = every[0]
    assert (await st.settings.get_technician(one.id)).name == one.name
    named = await st.settings.list_technicians(name=one.name[:3].lower(), active="Any")
    assert one.id in {t.id for t in named.data}
    by_ids = await st.settings.list_technicians(ids=[t.id for t in every[:2]], active="Any")
    assert sorted(t.id for t in by_ids.data) == sorted(t.id for t in every[:2])


async def test_employees(st, state):
    every = await collect(st.settings.iter_employees(active="Any"))
    assert {e.id for e in every} == {e["id"] for e in state["employees"].values()}
    page = await st.settings.list_employees(include_total=True)
    assert page.total_count == len(active_ids(state["employees"].values()))
    assert (await st.settings.get_employee(every[0].id)).role == every[0].role


async def test_business_units(st, state):
    every = await collect(st.settings.iter_business_units(active="Any"))
    assert {b.id for b in every} == {b["id"] for b in state["business_units"].values()}
    page = await st.settings.list_business_units()
    assert {b.id for b in page.data} == active_ids(state["business_units"].values())
    assert (await st.settings.get_business_unit(every[0].id)).name == every[0].name


async def test_tag_types(st, state):
    every = await collect(st.settings.iter_tag_types(active="Any"))
    assert {t.id for t in every} == {t["id"] for t in state["tag_types"].values()}
    page = await st.settings.list_tag_types(page_size=2)
    assert len(page.data) <= 2


@pytest.mark.parametrize(
    ("method", "row", "collection"),
    [
        ("export_technicians", ExportTechnician, "technicians"),
        ("export_employees", ExportEmployee, "employees"),
        ("export_business_units", ExportBusinessUnit, "business_units"),
        ("export_tag_types", ExportTagType, "tag_types"),
    ],
)
async def test_exports(st, state, method, row, collection):
    rows = await drain(getattr(st.settings, method)())
    models = parse_rows(row, rows)
    assert {m.id for m in models} == {r["id"] for r in state[collection].values()}
    assert all(isinstance(m.active, bool) for m in models)
