"""CRM routes of the sandbox over real HTTP: customers and locations with their notes, contacts and tags,
bookings, leads and GUID contacts; shapes per crm-v2.json, filters, export feeds and writes."""

from __future__ import annotations

import pytest
from support.st_docs import (
    assert_problem,
    check_documented,
    check_request,
    ensure_basics,
    export_all,
    module_client,
    server_state,
)

M = "crm"
GUID = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
ADDRESS = {"street": "742 Evergreen Terrace", "unit": None, "city": "Springfield", "state": "OR", "zip": "97403",
           "country": "USA"}


@pytest.fixture
def api(sandbox_server, state):
    with module_client(sandbox_server, M) as client:
        yield client


@pytest.fixture
def state(sandbox_server, sandbox_state):
    st = server_state(sandbox_server, sandbox_state)
    ensure_basics(st)
    return st


def _tag_ids(state, n=1):
    tags = [t["id"] for t in state["tag_types"].values() if t.get("active", True)][:n]
    assert len(tags) == n, "the seed needs tag types"
    return tags


def _create_customer(api, **extra):
    body = {
        "name": "Marge Bouvier-Simpson", "type": "Residential", "address": ADDRESS,
        "locations": [{"name": "Home", "address": ADDRESS,
                       "contacts": [{"type": "Email", "value": "marge@example.test"}]}],
        "contacts": [{"type": "MobilePhone", "value": "(541) 555-0134", "memo": "cell"}],
        "externalData": {"applicationGuid": GUID, "externalData": [{"key": "erp", "value": "C-1"}]},
        **extra,
    }
    check_request(M, "post", "customers", body)
    r = api.post("customers", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "customers", r.json())
    return r.json()


# ------------------------------------------------------------------------------------------- customers


def test_customer_create_and_get(api):
    created = _create_customer(api)
    assert created["name"] == "Marge Bouvier-Simpson" and created["active"] is True
    assert created["locations"][0]["customerId"] == created["id"]
    assert created["contacts"][0]["value"] == "(541) 555-0134"
    assert created["externalData"] == [{"key": "erp", "value": "C-1"}]
    got = api.get(f"customers/{created['id']}")
    assert got.status_code == 200
    check_documented(M, "get", "customers/{id}", got.json())
    assert got.json()["address"]["street"] == ADDRESS["street"]
    assert got.json()["externalData"] == []  # external data only comes back for the application asked for
    mine = api.get(f"customers/{created['id']}", params={"externalDataApplicationGuid": GUID}).json()
    assert mine["externalData"] == [{"key": "erp", "value": "C-1"}]
    loc = api.get(f"locations/{created['locations'][0]['id']}")
    check_documented(M, "get", "locations/{id}", loc.json())


def test_customer_list_filters(api, state):
    created = _create_customer(api)
    page = api.get("customers", params={"includeTotal": "true", "pageSize": 2}).json()
    check_documented(M, "get", "customers", page)
    assert page["pageSize"] == 2 and page["totalCount"] >= 1

    def ids(**params):
        return {c["id"] for c in api.get("customers", params={"pageSize": 5000, **params}).json()["data"]}

    assert created["id"] in ids(name="bouvier-SIMPSON")  # case-insensitive substring
    assert created["id"] not in ids(name="Flanders")
    assert created["id"] in ids(street="evergreen", city="springfield", zip="97403")
    assert created["id"] in ids(phone="5550134")
    assert created["id"] in ids(phone="541-555-0134")
    assert created["id"] not in ids(phone="9999999")
    assert ids(ids=str(created["id"])) == {created["id"]}
    assert created["id"] in ids(modifiedOnOrAfter=created["modifiedOn"])
    assert created["id"] not in ids(createdBefore=created["createdOn"])
    assert created["id"] in ids(externalDataApplicationGuid=GUID, externalDataKey="erp", externalDataValues="C-1")
    newest = api.get("customers", params={"sort": "-Id"}).json()["data"][0]
    assert newest["id"] == created["id"]
    assert_problem(api.get("customers", params={"sort": "Name"}), 400, "sort")
    assert_problem(api.get("customers", params={"externalDataKey": "erp"}), 400, "externalDataKey")
    assert_problem(api.get("customers", params={"latitude": "north"}), 400, "latitude")


def test_customer_patch_and_export(api, state):
    created = _create_customer(api)
    _, token = export_all(api, "export/customers")
    tag = _tag_ids(state)[0]
    body = {"name": "Marge Simpson", "doNotMail": True, "tagTypeIds": [tag],
            "address": {**ADDRESS, "street": "1 New St", "latitude": None, "longitude": None}}
    r = api.patch(f"customers/{created['id']}", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "patch", "customers/{id}", r.json())
    assert r.json()["name"] == "Marge Simpson" and r.json()["tagTypeIds"] == [tag]
    assert r.json()["address"]["street"] == "1 New St" and r.json()["doNotMail"] is True
    changed, token2 = export_all(api, "export/customers", {"from": token})
    assert [c["id"] for c in changed] == [created["id"]] and changed[0]["name"] == "Marge Simpson"
    check_documented(M, "get", "export/customers", {"hasMore": False, "continueFrom": token2, "data": changed})

    api.patch(f"customers/{created['id']}", json={"active": False})
    assert created["id"] not in {c["id"] for c in api.get("customers", params={"pageSize": 5000}).json()["data"]}
    inactive = api.get("customers", params={"pageSize": 5000, "active": "False"}).json()["data"]
    assert created["id"] in {c["id"] for c in inactive}
    again, _ = export_all(api, "export/customers", {"from": token2})
    assert [(c["id"], c["active"]) for c in again] == [(created["id"], False)]


def test_customer_refusals(api, state):
    assert_problem(api.get("customers/987654321"), 404)
    assert_problem(api.patch("customers/987654321", json={"name": "x"}), 404)
    base = {"name": "X", "address": ADDRESS, "locations": [{"name": "L", "address": ADDRESS}]}
    assert_problem(api.post("customers", json={**base, "locations": []}), 400, "locations")
    assert_problem(api.post("customers", json={**base, "vip": True}), 400, "vip")
    assert_problem(api.post("customers", json={**base, "address": {"street": "1"}}), 400, "city")
    assert_problem(api.post("customers", json={**base, "type": "Alien"}), 400, "type")
    assert_problem(api.post("customers", json={**base, "tagTypeIds": [987654321]}), 400, "tagTypeIds")
    assert_problem(api.post("customers", json={**base, "contacts": [{"type": "Email", "value": "nope"}]}), 400,
                   "value")
    before = len(list(state["customers"].values()))
    assert_problem(api.post("customers", json={**base, "locations": [
        {"name": "L", "address": ADDRESS, "contacts": [{"type": "Phone", "value": "12"}]}]}), 400)
    assert len(list(state["customers"].values())) == before  # nothing half-written
    cust = _create_customer(api)
    assert_problem(api.patch(f"customers/{cust['id']}", json={"balance": 5}), 400, "balance")


def test_customer_notes(api):
    created = _create_customer(api)
    cid = created["id"]
    body = {"text": "Beware of dog", "pinToTop": True, "addToLocations": True}
    r = api.post(f"customers/{cid}/notes", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "customers/{id}/notes", r.json())
    note = r.json()
    assert note["isPinned"] is True and note["text"] == "Beware of dog"
    listed = api.get(f"customers/{cid}/notes").json()
    check_documented(M, "get", "customers/{id}/notes", listed)
    assert [n["id"] for n in listed["data"]] == [note["id"]]
    loc_notes = api.get(f"locations/{created['locations'][0]['id']}/notes").json()["data"]
    assert [n["text"] for n in loc_notes] == ["Beware of dog"]

    assert api.delete(f"customers/{cid}/notes/{note['id']}").status_code == 200
    assert api.get(f"customers/{cid}/notes").json()["data"] == []
    assert_problem(api.delete(f"customers/{cid}/notes/{note['id']}"), 404)
    assert_problem(api.post(f"customers/{cid}/notes", json={"pinToTop": True}), 400, "text")
    assert_problem(api.post(f"customers/{cid}/notes", json={"text": "x", "color": "red"}), 400, "color")
    assert_problem(api.get("customers/987654321/notes"), 404)


def test_customer_contacts_and_contact_exports(api, state):
    created = _create_customer(api)
    cid = created["id"]
    _, token = export_all(api, "export/customers/contacts")
    state.advance(60)  # the test clock is frozen: make the new contact's modifiedOn stand out
    r = api.post(f"customers/{cid}/contacts", json={"type": "Phone", "value": "541-555-0199", "memo": "home"})
    assert r.status_code == 200, r.text
    check_documented(M, "post", "customers/{id}/contacts", r.json())
    contact = r.json()
    assert contact["phoneSettings"]["phoneNumber"] == "5415550199"
    listed = api.get(f"customers/{cid}/contacts").json()
    check_documented(M, "get", "customers/{id}/contacts", listed)
    assert len(listed["data"]) == 2

    p = api.patch(f"customers/{cid}/contacts/{contact['id']}", json={"memo": "landline"})
    assert p.status_code == 200 and p.json()["memo"] == "landline"
    check_documented(M, "patch", "customers/{id}/contacts/{contactId}", p.json())
    assert_problem(api.patch(f"customers/{cid}/contacts/{contact['id']}", json={"type": "Email"}), 400, "value")

    modified = api.get("customers/contacts", params={"modifiedOnOrAfter": contact["modifiedOn"],
                                                     "customerIds": str(cid)}).json()
    check_documented(M, "get", "customers/contacts", modified)
    assert [c["id"] for c in modified["data"]] == [contact["id"]] and modified["data"][0]["customerId"] == cid
    assert_problem(api.get("customers/contacts"), 400, "modified")

    assert api.delete(f"customers/{cid}/contacts/{contact['id']}").status_code == 200
    assert len(api.get(f"customers/{cid}/contacts").json()["data"]) == 1
    assert_problem(api.delete(f"customers/{cid}/contacts/{contact['id']}"), 404)
    changed, _ = export_all(api, "export/customers/contacts", {"from": token})
    check_documented(M, "get", "export/customers/contacts", {"hasMore": False, "continueFrom": "t", "data": changed})
    mine = [c for c in changed if c["id"] == contact["id"]]
    assert len(mine) == 1 and mine[0]["active"] is False  # the deletion is in the feed
    assert_problem(api.post(f"customers/{cid}/contacts", json={"type": "Pager", "value": "1"}), 400, "type")


def test_tags_bulk_and_single(api, state):
    a, b = _create_customer(api), _create_customer(api, name="Homer Simpson")
    tags = _tag_ids(state, 2) if len(list(state["tag_types"].values())) > 1 else _tag_ids(state)
    body = {"customerIds": [a["id"], b["id"]], "tagTypeIds": tags}
    check_request(M, "put", "tags", body)
    assert api.put("tags", json=body).status_code == 200
    for cid in (a["id"], b["id"]):
        assert api.get(f"customers/{cid}").json()["tagTypeIds"] == tags
    r = api.request("DELETE", "tags", json={"customerIds": [a["id"]], "tagTypeIds": tags[:1]})
    assert r.status_code == 200
    assert api.get(f"customers/{a['id']}").json()["tagTypeIds"] == tags[1:]
    assert_problem(api.put("tags", json={**body, "customerIds": [987654321]}), 400, "customerIds")
    assert_problem(api.put("tags", json={**body, "tagTypeIds": [987654321]}), 400, "tagTypeIds")
    assert_problem(api.put("tags", json={"customerIds": [a["id"]]}), 400, "tagTypeIds")
    assert_problem(api.put("tags", json={**body, "locationIds": []}), 400, "locationIds")

    tag = tags[0]
    added = api.post(f"customers/{a['id']}/tags/{tag}")
    assert added.status_code == 200 and tag in added.json()["tagTypeIds"]
    check_documented(M, "post", "customers/{id}/tags/{tagTypeId}", added.json())
    assert_problem(api.post(f"customers/{a['id']}/tags/{tag}"), 409)
    assert api.delete(f"customers/{a['id']}/tags/{tag}").status_code == 200
    assert_problem(api.delete(f"customers/{a['id']}/tags/{tag}"), 404)
    loc_id = a["locations"][0]["id"]
    loc_added = api.post(f"locations/{loc_id}/tags/{tag}")
    assert loc_added.json() == {"locationId": loc_id, "tagTypeIds": [tag]}
    check_documented(M, "post", "locations/{id}/tags/{tagTypeId}", loc_added.json())


def test_custom_field_types(api):
    for family in ("customers", "locations"):
        page = api.get(f"{family}/custom-fields", params={"includeTotal": "true"}).json()
        check_documented(M, "get", f"{family}/custom-fields", page)
        assert page["totalCount"] == len(page["data"])


# ------------------------------------------------------------------------------------------- locations


def test_locations_crud_filters_export(api, state):
    customer = _create_customer(api)
    _, token = export_all(api, "export/locations")
    body = {"customerId": customer["id"], "name": "Lake House", "address": {**ADDRESS, "street": "9 Lake Rd"},
            "contacts": [{"type": "Phone", "value": "541-555-0101"}]}
    check_request(M, "post", "locations", body)
    r = api.post("locations", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "locations", r.json())
    loc = r.json()
    assert loc["customerId"] == customer["id"] and len(loc["contacts"]) == 1

    def ids(**params):
        return {x["id"] for x in api.get("locations", params={"pageSize": 5000, **params}).json()["data"]}

    assert loc["id"] in ids(customerId=customer["id"], name="lake", street="LAKE RD")
    assert loc["id"] not in ids(name="mountain")
    listed = api.get("locations", params={"customerId": customer["id"]}).json()
    check_documented(M, "get", "locations", listed)

    p = api.patch(f"locations/{loc['id']}", json={"name": "Lake Cabin", "taxZoneId": 3})
    assert p.status_code == 200 and p.json()["name"] == "Lake Cabin" and p.json()["taxZoneId"] == 3
    check_documented(M, "patch", "locations/{id}", p.json())
    changed, _ = export_all(api, "export/locations", {"from": token})
    assert [c["id"] for c in changed][-1] == loc["id"] and changed[-1]["name"] == "Lake Cabin"
    check_documented(M, "get", "export/locations", {"hasMore": False, "continueFrom": "t", "data": changed})

    assert_problem(api.post("locations", json={**body, "customerId": 987654321}), 400, "customerId")
    assert_problem(api.post("locations", json={k: v for k, v in body.items() if k != "customerId"}), 400,
                   "customerId")
    assert_problem(api.patch(f"locations/{loc['id']}", json={"customerId": 987654321}), 400, "customerId")
    assert_problem(api.patch(f"locations/{loc['id']}", json={"zoneId": 1}), 400, "zoneId")
    assert_problem(api.get("locations/987654321"), 404)


def test_location_notes_and_contacts(api):
    customer = _create_customer(api)
    loc_id = customer["locations"][0]["id"]
    note = api.post(f"locations/{loc_id}/notes", json={"text": "Side door", "addToCustomer": True})
    assert note.status_code == 200
    check_documented(M, "post", "locations/{id}/notes", note.json())
    check_documented(M, "get", "locations/{id}/notes", api.get(f"locations/{loc_id}/notes").json())
    assert [n["text"] for n in api.get(f"customers/{customer['id']}/notes").json()["data"]] == ["Side door"]
    assert api.delete(f"locations/{loc_id}/notes/{note.json()['id']}").status_code == 200

    _, token = export_all(api, "export/locations/contacts")
    c = api.post(f"locations/{loc_id}/contacts", json={"type": "Fax", "value": "541-555-0111"})
    assert c.status_code == 200, c.text
    check_documented(M, "post", "locations/{id}/contacts", c.json())
    listed = api.get(f"locations/{loc_id}/contacts").json()
    check_documented(M, "get", "locations/{id}/contacts", listed)
    assert len(listed["data"]) == 2
    p = api.patch(f"locations/{loc_id}/contacts/{c.json()['id']}", json={"value": "541-555-0112"})
    check_documented(M, "patch", "locations/{id}/contacts/{contactId}", p.json())
    across = api.get("locations/contacts", params={"locationIds": str(loc_id), "modifiedBefore": "2999-01-01"}).json()
    check_documented(M, "get", "locations/contacts", across)
    assert {x["locationId"] for x in across["data"]} == {loc_id}
    assert api.delete(f"locations/{loc_id}/contacts/{c.json()['id']}").status_code == 200
    changed, _ = export_all(api, "export/locations/contacts", {"from": token})
    check_documented(M, "get", "export/locations/contacts", {"hasMore": False, "continueFrom": "t", "data": changed})
    assert [(x["id"], x["active"]) for x in changed] == [(c.json()["id"], False)]


# -------------------------------------------------------------------------------------- bookings, leads


def test_bookings_list_get_export(api, state):
    page = api.get("bookings", params={"includeTotal": "true"}).json()
    check_documented(M, "get", "bookings", page)
    rows, token = export_all(api, "export/bookings")
    check_documented(M, "get", "export/bookings", {"hasMore": False, "continueFrom": token, "data": rows[:25]})
    assert len(rows) == len(list(state["bookings"].values()))
    if rows:
        booking = api.get(f"bookings/{rows[0]['id']}")
        check_documented(M, "get", "bookings/{id}", booking.json())
        contacts = api.get(f"bookings/{rows[0]['id']}/contacts").json()
        check_documented(M, "get", "bookings/{id}/contacts", contacts)
        ext = rows[0]["externalId"]
        assert {b["id"] for b in api.get("bookings", params={"externalId": ext}).json()["data"]} >= {rows[0]["id"]}
    assert_problem(api.get("bookings/987654321"), 404)


def test_leads_list_get_create_update_dismiss_export(api, state):
    customer = _create_customer(api)
    _, token = export_all(api, "export/leads")
    body = {"customerId": customer["id"], "locationId": customer["locations"][0]["id"], "campaignId": 4,
            "summary": "Wants a quote for a new water heater", "priority": "High"}
    check_request(M, "post", "leads", body)
    r = api.post("leads", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "leads", r.json())
    lead = r.json()
    assert lead["status"] == "Open" and lead["priority"] == "High"
    check_documented(M, "get", "leads/{id}", api.get(f"leads/{lead['id']}").json())

    listed = api.get("leads", params={"customerId": customer["id"], "status": "open"}).json()
    check_documented(M, "get", "leads", listed)
    assert [x["id"] for x in listed["data"]] == [lead["id"]]
    assert lead["id"] in {x["id"] for x in api.get("leads", params={"customerCity": "springfield",
                                                                    "pageSize": 5000}).json()["data"]}
    u = api.patch(f"leads/{lead['id']}", json={"priority": "Urgent"})
    assert u.status_code == 200 and u.json()["priority"] == "Urgent"
    assert api.post(f"leads/{lead['id']}/dismiss", json={"dismissingReasonId": 2}).status_code == 200
    assert api.get(f"leads/{lead['id']}").json()["status"] == "Dismissed"
    assert_problem(api.post(f"leads/{lead['id']}/dismiss", json={"dismissingReasonId": 2}), 400)
    changed, _ = export_all(api, "export/leads", {"from": token})
    check_documented(M, "get", "export/leads", {"hasMore": False, "continueFrom": "t", "data": changed})
    assert [(x["id"], x["status"]) for x in changed] == [(lead["id"], "Dismissed")]

    other = _create_customer(api, name="Ned Flanders")
    assert_problem(api.post("leads", json={**body, "customerId": other["id"]}), 400, "locationId")
    assert_problem(api.post("leads", json={**body, "summary": None}), 400, "summary")
    assert_problem(api.post("leads", json={**body, "source": "web"}), 400, "source")
    assert_problem(api.get("leads", params={"status": "Won"}), 400, "status")
    assert_problem(api.get("leads/987654321"), 404)


# ---------------------------------------------------------------------------------------- GUID contacts


def test_guid_contacts(api):
    r = api.post("contacts", json={"name": "Patty Bouvier", "title": "Sister-in-law", "referenceId": "R-9"})
    assert r.status_code == 200, r.text
    check_documented(M, "post", "contacts", r.json())
    contact = r.json()
    got = api.get(f"contacts/{contact['id']}")
    check_documented(M, "get", "contacts/{id}", got.json())
    assert got.json() == contact
    listed = api.get("contacts", params={"name": "patty"}).json()
    check_documented(M, "get", "contacts", listed)
    assert [c["id"] for c in listed["data"]] == [contact["id"]]
    p = api.patch(f"contacts/{contact['id']}", json={"title": "Aunt", "isArchived": True})
    assert p.status_code == 200 and p.json()["title"] == "Aunt" and p.json()["isArchived"] is True
    assert api.get("contacts", params={"isArchived": "false", "name": "patty"}).json()["data"] == []
    assert_problem(api.patch(f"contacts/{contact['id']}", json={"title": "x"}), 400, "isArchived")
    assert api.delete(f"contacts/{contact['id']}").status_code == 200
    assert_problem(api.get(f"contacts/{contact['id']}"), 404)
    assert_problem(api.get("contacts/not-a-guid"), 400, "id")
