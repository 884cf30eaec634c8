"""Customers (with locations), technicians and assets: the client's reads against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from jpm_tui.api.errors import NotFoundError


async def test_customers_page_to_the_end_and_filter(fsm, fsm_state):
    customers = [c async for c in fsm.customers.all(per_page=15)]
    assert [c.customer_id for c in customers] == sorted(fsm_state.records["customers"]) and len(customers) == 40
    assert [c.customer_name async for c in fsm.customers.all(search="DENTAL")] == ["Maple Ridge Dental"]
    assert [c async for c in fsm.customers.all(has_locations=False)] == []


async def test_a_customer_with_its_locations(fsm, fsm_state):
    theirs = [loc for loc in fsm_state.records["locations"].values() if loc["customer_id"] == 201]
    customer = await fsm.customers.get(201, include_locations=True)
    assert customer.customer_name == "Maple Ridge Dental" and customer.customer_email
    assert [loc.location_id for loc in customer.locations] == [loc["location_id"] for loc in theirs]
    assert (await fsm.customers.get(201)).locations is None
    listed = [loc async for loc in fsm.customers.locations(201, per_page=1)]
    assert [(loc.location_id, loc.location_name, loc.city) for loc in listed] == [
        (loc["location_id"], loc["location_name"], loc["city"]) for loc in theirs]


async def test_technicians_list_filter_and_get(fsm):
    everyone = [t async for t in fsm.technicians.all()]
    assert len(everyone) == 8 and everyone[0].full_name == "Mike Johnson"
    assert [t.full_name async for t in fsm.technicians.all(status="Inactive")] == ["Hannah Lindqvist"]
    available = [t async for t in fsm.technicians.all(availability_status="Available")]
    assert available and all(t.availability_status == "Available" for t in available)
    assert (await fsm.technicians.get(12)).last_name == "Whitfield"


async def test_assets_list_filter_and_get(fsm, fsm_state):
    at_501 = [a["asset_id"] for a in fsm_state.records["assets"].values() if a["location_id"] == 501]
    assert [a.asset_id async for a in fsm.assets.all(location_id=501)] == at_501
    tagged = [a async for a in fsm.assets.all(search="HVAC-007")]
    assert [a.asset_tag for a in tagged] == ["HVAC-007"]
    asset = await fsm.assets.get(tagged[0].asset_id)
    assert asset.asset_name and asset.asset_status and asset.location_id


@pytest.mark.parametrize("api", ["customers", "technicians", "assets"])
async def test_unknown_ids_are_not_found(fsm, api):
    with pytest.raises(NotFoundError):
        await getattr(fsm, api).get(5)
