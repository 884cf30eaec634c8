"""Settings routes of the sandbox over real HTTP: technicians, employees, business units, tag types, user
roles; shapes per settings-v2.json, filters, export feeds and writes."""

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

M = "settings"
GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture
def api(sandbox_server, state):
    with module_client(sandbox_server, M) as client:
        yield client


@pytest.fixture
def state(sandbox_server, sandbox_state):
    st = server_state(sandbox_server, sandbox_state)
    ensure_basics(st)
    return st


def _role(state, kind):
    role = next((r for r in state["user_roles"].values() if r.get("employeeType") == kind), None)
    return role or next(iter(state["user_roles"].values()))


def _tech_body(state, **extra):
    body = {"name": "Quinn Questfield", "accountCreationMethod": "CreateLater", "roleId": _role(state, "Technician")["id"],
            "positions": ["Service"], "licenseType": "ManagedTech", "email": "quinn@example.test",
            "phoneNumber": "5550102030", "home": {"street": "12 Pine Rd", "city": "Springfield", "zip": "62701"},
            "customFields": [{"typeId": 5, "value": "blue"}], **extra}
    check_request(M, "post", "technicians", body)
    return body


# ------------------------------------------------------------------------------------------ technicians


def test_technicians_list_filters_and_paging(api, state):
    page = api.get("technicians", params={"includeTotal": "true", "pageSize": 3}).json()
    check_documented(M, "get", "technicians", page)
    assert page["pageSize"] == 3 and page["totalCount"] >= len(page["data"])
    assert all(t["active"] for t in page["data"])
    tech = page["data"][0]
    needle = tech["name"].split()[0][1:4].upper()  # case-insensitive "contains"
    named = api.get("technicians", params={"name": needle, "pageSize": 5000}).json()["data"]
    assert tech["id"] in {t["id"] for t in named}
    assert all(needle.lower() in t["name"].lower() for t in named)
    by_ids = api.get("technicians", params={"ids": f"{tech['id']}"}).json()["data"]
    assert [t["id"] for t in by_ids] == [tech["id"]]
    by_user = api.get("technicians", params={"userIds": f"{tech['userId']}"}).json()["data"]
    assert [t["id"] for t in by_user] == [tech["id"]]
    total_any = api.get("technicians", params={"active": "Any", "includeTotal": "true"}).json()["totalCount"]
    total_false = api.get("technicians", params={"active": "False", "includeTotal": "true"}).json()["totalCount"]
    assert total_any == page["totalCount"] + total_false
    assert_problem(api.get("technicians", params={"ids": "1,x"}), 400, "ids")
    assert_problem(api.get("technicians", params={"ids": ",".join(str(i) for i in range(1, 60))}), 400, "ids")


def test_technician_create_get_patch(api, state):
    r = api.post("technicians", json=_tech_body(state))
    assert r.status_code == 200, r.text
    check_documented(M, "post", "technicians", r.json())
    tech_id = r.json()["id"]
    got = api.get(f"technicians/{tech_id}")
    assert got.status_code == 200
    check_documented(M, "get", "technicians/{id}", got.json())
    tech = got.json()
    assert tech["name"] == "Quinn Questfield" and tech["isManagedTech"] is True and tech["active"] is True
    assert tech["home"]["street"] == "12 Pine Rd" and tech["customFields"][0]["value"] == "blue"

    p = api.patch(f"technicians/{tech_id}", json={"name": "Quinn Q. Questfield", "licenseType": "NonManagedTech",
                                                  "dailyGoal": 1500.5, "customFields": [{"typeId": 5, "value": "red"}]})
    assert p.status_code == 200 and p.json() == {"id": tech_id}
    check_documented(M, "patch", "technicians/{id}", p.json())
    after = api.get(f"technicians/{tech_id}").json()
    assert after["name"] == "Quinn Q. Questfield" and after["isManagedTech"] is False
    assert after["dailyGoal"] == 1500.5 and after["customFields"] == [{"typeId": 5, "name": None, "value": "red"}]
    assert after["modifiedOn"] >= tech["modifiedOn"]


def test_technician_refusals(api, state):
    assert_problem(api.get("technicians/987654321"), 404)
    assert_problem(api.patch("technicians/987654321", json={"name": "x"}), 404)
    assert_problem(api.post("technicians", json=_tech_body(state, roleId=987654321)), 400, "roleId")
    assert_problem(api.post("technicians", json=_tech_body(state, businessUnitId=987654321)), 400, "businessUnitId")
    assert_problem(api.post("technicians", json=_tech_body(state, email="nope")), 400, "email")
    assert_problem(api.post("technicians", json=_tech_body(state, accountCreationMethod="AssignLoginAndPassword")),
                   400, "login")
    body = _tech_body(state)
    assert_problem(api.post("technicians", json={**body, "nickname": "Q"}), 400, "nickname")
    assert_problem(api.post("technicians", json={**body, "positions": ["Astronaut"]}), 400, "positions")
    del body["licenseType"]
    assert_problem(api.post("technicians", json=body), 400, "licenseType")
    tech = next(iter(state["technicians"].values()))
    assert_problem(api.patch(f"technicians/{tech['id']}", json={"name": None}), 400, "name")
    assert_problem(api.patch(f"technicians/{tech['id']}", json={"home": {"city": "x"}}), 400, "street")


def test_technician_export_feed_and_account_actions(api, state):
    rows, token = export_all(api, "export/technicians")
    assert {r["id"] for r in rows} == {t["id"] for t in state["technicians"].values()}
    check_documented(M, "get", "export/technicians", {"hasMore": False, "continueFrom": token, "data": rows[:25]})
    assert api.get("export/technicians", params={"from": token}).json()["data"] == []

    tech = next(t for t in state["technicians"].values() if t.get("active"))
    r = api.post(f"technicians/{tech['id']}/account-actions", json={"action": "Deactivate"})
    assert r.status_code == 200 and r.json() == {"status": "Success"}
    check_documented(M, "post", "technicians/{id}/account-actions", r.json())
    changed, _ = export_all(api, "export/technicians", {"from": token})
    assert [(c["id"], c["active"]) for c in changed] == [(tech["id"], False)]
    assert_problem(api.post(f"technicians/{tech['id']}/account-actions", json={"action": "Explode"}), 400, "action")
    assert_problem(api.post(f"technicians/{tech['id']}/account-actions", json={}), 400, "action")
    assert_problem(api.post("technicians/987654321/account-actions", json={"action": "Activate"}), 404)
    assert_problem(api.get("export/technicians", params={"from": "garbage-token"}), 400, "from")


# ------------------------------------------------------------------------------------------- employees


def test_employees_crud_and_export(api, state):
    page = api.get("employees", params={"includeTotal": "true"}).json()
    check_documented(M, "get", "employees", page)
    _, token = export_all(api, "export/employees")
    body = {"name": "Erin Office", "email": "erin@example.test", "accountCreationMethod": "SendInvite",
            "roleId": _role(state, "Employee")["id"], "positions": ["Dispatcher"]}
    check_request(M, "post", "employees", body)
    r = api.post("employees", json=body)
    assert r.status_code == 200, r.text
    check_documented(M, "post", "employees", r.json())
    emp = api.get(f"employees/{r.json()['id']}").json()
    check_documented(M, "get", "employees/{id}", emp)
    assert emp["role"] == "Dispatch" and emp["email"] == "erin@example.test"
    assert api.patch(f"employees/{emp['id']}", json={"phoneNumber": "5550199999"}).status_code == 200
    assert api.get(f"employees/{emp['id']}").json()["phoneNumber"] == "5550199999"
    changed, _ = export_all(api, "export/employees", {"from": token})
    assert [c["id"] for c in changed] == [emp["id"]]
    check_documented(M, "get", "export/employees", {"hasMore": False, "continueFrom": "t", "data": changed})
    assert_problem(api.post("employees", json={**body, "positions": ["Technician"]}), 400, "positions")
    assert_problem(api.post("employees", json={k: v for k, v in body.items() if k != "email"}), 400, "email")
    assert_problem(api.get("employees/987654321"), 404)
    assert api.post(f"employees/{emp['id']}/account-actions", json={"action": "SendInvite"}).json() == {
        "status": "Success"}


# ------------------------------------------------------------------------------------------ business units


def test_business_units_list_get_patch_export(api, state):
    page = api.get("business-units", params={"pageSize": 5000}).json()
    check_documented(M, "get", "business-units", page)
    bu = page["data"][0]
    got = api.get(f"business-units/{bu['id']}")
    check_documented(M, "get", "business-units/{id}", got.json())
    assert got.json()["name"] == bu["name"]
    assert_problem(api.get("business-units/987654321"), 404)
    _, token = export_all(api, "export/business-units")

    body = {"externalData": {"applicationGuid": GUID, "externalData": [{"key": "erp", "value": "BU-7"}]}}
    check_request(M, "patch", "business-units/{id}", body)
    r = api.patch(f"business-units/{bu['id']}", json=body)
    assert r.status_code == 200 and r.json() == {"id": bu["id"]}
    check_documented(M, "patch", "business-units/{id}", r.json())
    mine = api.get(f"business-units/{bu['id']}", params={"externalDataApplicationGuid": GUID}).json()
    assert mine["externalData"] == [{"key": "erp", "value": "BU-7"}]
    merged = {"externalData": {"applicationGuid": GUID, "patchMode": "Merge",
                               "externalData": [{"key": "crm", "value": "x"}]}}
    api.patch(f"business-units/{bu['id']}", json=merged)
    mine = api.get(f"business-units/{bu['id']}", params={"externalDataApplicationGuid": GUID}).json()
    assert sorted(x["key"] for x in mine["externalData"]) == ["crm", "erp"]
    changed, _ = export_all(api, "export/business-units", {"from": token})
    assert [c["id"] for c in changed] == [bu["id"]]
    check_documented(M, "get", "export/business-units", {"hasMore": False, "continueFrom": "t", "data": changed})

    named = api.get("business-units", params={"name": bu["name"][:3].lower(), "pageSize": 5000}).json()["data"]
    assert bu["id"] in {b["id"] for b in named}
    assert_problem(api.patch(f"business-units/{bu['id']}", json={"name": "Renamed"}), 400, "name")
    assert_problem(api.patch(f"business-units/{bu['id']}", json={
        "externalData": {"applicationGuid": "not-a-guid", "externalData": []}}), 400, "applicationGuid")
    assert_problem(api.get("business-units", params={"externalDataApplicationGuid": "zzz"}), 400,
                   "externalDataApplicationGuid")


# ------------------------------------------------------------------------------------- tag types, roles


def test_tag_types_list_and_export(api, state):
    page = api.get("tag-types", params={"includeTotal": "true"}).json()
    check_documented(M, "get", "tag-types", page)
    rows, token = export_all(api, "export/tag-types")
    check_documented(M, "get", "export/tag-types", {"hasMore": False, "continueFrom": token, "data": rows})
    assert {r["id"] for r in rows} == {t["id"] for t in state["tag_types"].values()}
    ids = [t["id"] for t in api.get("tag-types", params={"sort": "-Id", "active": "Any"}).json()["data"]]
    assert ids == sorted(ids, reverse=True)
    tag = state["tag_types"].get(rows[0]["id"])
    tag["name"] = tag["name"] + " (renamed)"
    state["tag_types"].touch(tag)
    changed, _ = export_all(api, "export/tag-types", {"from": token})
    assert [c["name"] for c in changed] == [tag["name"]]


def test_user_roles_list(api, state):
    page = api.get("user-roles", params={"includeTotal": "true", "employeeType": "All"}).json()
    check_documented(M, "get", "user-roles", page)
    techs = api.get("user-roles", params={"employeeType": "technician"}).json()["data"]
    assert all(r["employeeType"] == "Technician" for r in techs)
    assert_problem(api.get("user-roles", params={"employeeType": "Robot"}), 400, "employeeType")
