"""Every CrmApi operation against the sandbox over real HTTP."""

from __future__ import annotations

import pytest
from support.api_live import active_ids, collect, drain, first

from jpm_tui.api.models import (
    Customer,
    ExportCustomer,
    ExportCustomerContact,
    ExportLocation,
    ExportLocationContact,
    parse_rows,
)


async def test_customers(st, state):
    page = await st.crm.list_customers(page_size=5, include_total=True)
    assert page.total_count == len(active_ids(state["customers"].values()))
    assert all(isinstance(c, Customer) for c in page.data)
    one = page.data[0]
    got = await st.crm.get_customer(one.id)
    assert got.name == one.name and got.address.city == one.address.city
    every = await collect(st.crm.iter_customers(active="Any", page_size=100))
    assert {c.id for c in every} == {c["id"] for c in state["customers"].values()}
    by_ids = await st.crm.list_customers(ids=[c.id for c in every[:3]], active="Any")
    assert sorted(c.id for c in by_ids.data) == sorted(c.id for c in every[:3])


async def test_locations(st, state):
    every = await collect(st.crm.iter_locations(active="Any", page_size=100))
    assert {loc.id for loc in every} == {loc["id"] for loc in state["locations"].values()}
    one = every[0]
    assert (await st.crm.get_location(one.id)).customer_id == one.customer_id
    page = await st.crm.list_locations(customer_id=one.customer_id, active="Any")
    assert one.id in {loc.id for loc in page.data}
    assert all(loc.customer_id == one.customer_id for loc in page.data)


async def test_customer_contacts(st, state):
    record = first(state["customer_contacts"].values(), "customer contact")
    page = await st.crm.list_customer_contacts(record["customerId"])
    assert record["id"] in {c.id for c in page.data}
    assert {c.id for c in await collect(st.crm.iter_customer_contacts(record["customerId"]))} == {c.id for c in page.data}


async def test_location_contacts(st, state):
    record = first(state["location_contacts"].values(), "location contact")
    page = await st.crm.list_location_contacts(record["locationId"])
    assert record["id"] in {c.id for c in page.data}
    assert {c.id for c in await collect(st.crm.iter_location_contacts(record["locationId"]))} == {c.id for c in page.data}


@pytest.mark.parametrize(
    ("method", "row", "collection"),
    [
        ("export_customers", ExportCustomer, "customers"),
        ("export_locations", ExportLocation, "locations"),
        ("export_customer_contacts", ExportCustomerContact, "customer_contacts"),
        ("export_location_contacts", ExportLocationContact, "location_contacts"),
    ],
)
async def test_exports(st, state, method, row, collection):
    rows = await drain(getattr(st.crm, method)())
    models = parse_rows(row, rows)
    assert {m.id for m in models} == {r["id"] for r in state[collection].values()}
    assert all(isinstance(m.active, bool) for m in models)
