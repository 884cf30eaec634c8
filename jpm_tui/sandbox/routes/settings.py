"""Settings module routes (`/settings/v2/tenant/{tenant}/...`), shaped after settings-v2.json.

Technicians and employees (list, get, create, patch, export, account actions), business units (list, get,
patch of external data, export), tag types (list, export) and user roles (list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import json_response

from ._common import (
    CREATED,
    CREATED_MODIFIED,
    F,
    Filter,
    Record,
    Shape,
    bad_request,
    body,
    coll,
    export_route,
    f_active,
    f_contains,
    f_ids,
    get_route,
    list_route,
    path_id,
    require,
    require_ids,
)

# --------------------------------------------------------------------------------------------- shapes

CUSTOM_FIELD = Shape("typeId", "name", "value")
PERMISSION = Shape("id", "value")
TECHNICIAN_HOME = Shape("street", "unit", "country", "city", "state", "zip", "streetAddress", "latitude", "longitude")
TECHNICIAN = Shape(
    "id", "userId", "name", "roleIds", "businessUnitId", "mainZoneId", "zoneIds", "createdOn", "modifiedOn",
    "email", "phoneNumber", "loginName", "home", "dailyGoal", "isManagedTech", "customFields", "active",
    "aadUserId", "burdenRate", "team", "jobFilter", "permissions", "accountLocked",
    home=TECHNICIAN_HOME, customFields=CUSTOM_FIELD, permissions=PERMISSION,
)
EMPLOYEE = Shape(
    "id", "userId", "name", "role", "roleIds", "businessUnitId", "createdOn", "modifiedOn", "email",
    "phoneNumber", "loginName", "customFields", "active", "aadUserId", "permissions", "accountLocked",
    customFields=CUSTOM_FIELD, permissions=PERMISSION,
)
BU_ADDRESS = Shape("street", "unit", "city", "state", "zip", "country")
BU_TENANT = Shape("id", "name", "accountCode", "franchiseId", "conceptCode", "modifiedOn")
EXTERNAL_DATA = Shape("key", "value")
BUSINESS_UNIT = Shape(
    "id", "active", "name", "officialName", "email", "currency", "phoneNumber", "invoiceHeader",
    "invoiceMessage", "defaultTaxRate", "authorizationParagraph", "acknowledgementParagraph", "address",
    "materialSku", "quickbooksClass", "accountCode", "franchiseId", "conceptCode", "corporateContractNumber",
    "tenant", "createdOn", "modifiedOn", "externalData",
    address=BU_ADDRESS, tenant=BU_TENANT, externalData=EXTERNAL_DATA,
)
TAG_TYPE = Shape(
    "id", "name", "color", "code", "importance", "isConversionOpportunity", "allowToUseOnTimesheetActivity",
    "active", "createdOn", "modifiedOn",
)
USER_ROLE = Shape("id", "active", "name", "createdOn", "employeeType")

# -------------------------------------------------------------------------------------------- enums

ACCOUNT_CREATION_METHODS = ("CreateLater", "SendInvite", "AssignLoginAndPassword")
TECHNICIAN_POSITIONS = (
    "Installer", "Service", "Sales", "Maintenance", "Helper", "InstallProductionManager", "ServiceManager",
    "SalesManager", "PartRunner", "DummyTech",
)
EMPLOYEE_POSITIONS = (
    "CSR", "Dispatcher", "CsrManager", "DispatchManager", "InstallProductionManager", "ServiceManager",
    "SalesManager", "MarketingManager", "Administrator", "PayrollManager", "Bookkeeper", "PurchasingManager",
    "WarehouseManager", "OfficeManager", "GeneralManager", "BusinessOwner", "AnsweringService", "InsideSales",
    "GeneralOfficeNonManagement",
)
LICENSE_TYPES = ("NonManagedTech", "ManagedTech", "ManagedInstaller")
ACCOUNT_LICENSE_TYPES = ("NonManagedTechnician", "ManagedTechnician", "ManagedInstaller")
JOB_FILTERS = (
    "AllScheduledDispatchedWorking", "NextScheduledDispatchedWorking", "DispatchedWorking",
    "NextScheduledDispatchedWorkingToday", "AllScheduledDispatchedWorkingToday",
    "AllScheduledDispatchedWorkingFiveDays", "NextScheduledDispatchedWorkingTodayTomorrow",
    "AllScheduledDispatchedWorkingTodayTomorrow", "Next2ScheduledDispatchedWorkingToday",
)
JOB_HISTORY_DATE_FILTERS = ("AllJobs", "LastThreeDays", "LastSevenDays", "LastMonth")
ACCOUNT_ACTIONS = ("Activate", "Deactivate", "SendInvite", "SendPasswordResetLink")
PATCH_MODES = ("Replace", "Merge")
EMPLOYEE_TYPES = ("None", "Employee", "Technician", "All")

# How an employee's first position maps onto the `role` the document answers with.
_ROLE_BY_POSITION = {
    "CSR": "CSR", "CsrManager": "CSR", "AnsweringService": "CSR", "InsideSales": "CSR",
    "Dispatcher": "Dispatch", "DispatchManager": "Dispatch",
    "InstallProductionManager": "FieldManager", "ServiceManager": "FieldManager",
    "SalesManager": "SalesManager", "Administrator": "Admin", "GeneralManager": "Admin",
    "BusinessOwner": "Owner", "PayrollManager": "Accounting", "Bookkeeper": "Accounting",
}

# ---------------------------------------------------------------------------------------------- bodies

_ADDRESS_BODY = {
    "unit": F("str"), "street": F("str", req=True), "city": F("str", req=True), "state": F("str"),
    "country": F("str"), "zip": F("str"), "latitude": F("num"), "longitude": F("num"),
}
_CUSTOM_FIELD_BODY = {"typeId": F("int", req=True, null=False), "value": F("str")}

TECHNICIAN_CREATE_BODY = {
    "name": F("str", req=True, null=False),
    "phoneNumber": F("str"),
    "email": F("str"),
    "login": F("str"),
    "password": F("str"),
    "accountCreationMethod": F("str", req=True, null=False, enum=ACCOUNT_CREATION_METHODS),
    "businessUnitId": F("int"),
    "roleId": F("int", req=True, null=False),
    "positions": F("array", req=True, null=False, items=F("str", null=False, enum=TECHNICIAN_POSITIONS)),
    "aadUserId": F("str"),
    "licenseType": F("str", req=True, null=False, enum=LICENSE_TYPES),
    "team": F("str"),
    "dailyGoal": F("num"),
    "burdenRate": F("num"),
    "bio": F("str"),
    "memo": F("str"),
    "jobFilter": F("str", enum=JOB_FILTERS),
    "jobHistoryDateFilter": F("str", enum=JOB_HISTORY_DATE_FILTERS),
    "home": F("object", schema=_ADDRESS_BODY),
    "customFields": F("array", items=F("object", null=False, schema=_CUSTOM_FIELD_BODY)),
}
# Update bodies: every property optional; nullable exactly where the document says so.
TECHNICIAN_UPDATE_BODY = {
    "name": F("str", null=False),
    "phoneNumber": F("str", null=False),
    "email": F("str", null=False),
    "login": F("str", null=False),
    "businessUnitId": F("int"),
    "roleId": F("int", null=False),
    "positions": F("array", null=False, items=F("str", null=False, enum=TECHNICIAN_POSITIONS)),
    "aadUserId": F("str", null=False),
    "licenseType": F("str", null=False, enum=LICENSE_TYPES),
    "team": F("str", null=False),
    "dailyGoal": F("num"),
    "burdenRate": F("num"),
    "bio": F("str", null=False),
    "memo": F("str", null=False),
    "jobFilter": F("str", enum=JOB_FILTERS),
    "jobHistoryDateFilter": F("str", enum=JOB_HISTORY_DATE_FILTERS),
    "home": F("object", null=False, schema=_ADDRESS_BODY),
    "customFields": F("array", null=False, items=F("object", null=False, schema=_CUSTOM_FIELD_BODY)),
    "accountLocked": F("bool", null=False),
}
EMPLOYEE_CREATE_BODY = {
    "name": F("str", req=True, null=False),
    "mobilePhoneNumber": F("str"),
    "phoneNumber": F("str"),
    "email": F("str", req=True, null=False),
    "login": F("str"),
    "password": F("str"),
    "accountCreationMethod": F("str", req=True, null=False, enum=ACCOUNT_CREATION_METHODS),
    "businessUnitId": F("int"),
    "roleId": F("int", req=True, null=False),
    "positions": F("array", req=True, null=False, items=F("str", null=False, enum=EMPLOYEE_POSITIONS)),
    "aadUserId": F("str"),
    "customFields": F("array", items=F("object", null=False, schema=_CUSTOM_FIELD_BODY)),
}
EMPLOYEE_UPDATE_BODY = {
    "name": F("str", null=False),
    "mobilePhoneNumber": F("str", null=False),
    "phoneNumber": F("str", null=False),
    "email": F("str", null=False),
    "login": F("str", null=False),
    "businessUnitId": F("int"),
    "roleId": F("int", null=False),
    "positions": F("array", null=False, items=F("str", null=False, enum=EMPLOYEE_POSITIONS)),
    "aadUserId": F("str", null=False),
    "customFields": F("array", null=False, items=F("object", null=False, schema=_CUSTOM_FIELD_BODY)),
    "accountLocked": F("bool", null=False),
}
EMPLOYEE_ACCOUNT_ACTION_BODY = {"action": F("str", req=True, null=False, enum=ACCOUNT_ACTIONS)}
TECHNICIAN_ACCOUNT_ACTION_BODY = {
    "action": F("str", req=True, null=False, enum=ACCOUNT_ACTIONS),
    "licenseType": F("str", enum=ACCOUNT_LICENSE_TYPES),
    "truckId": F("int"),
}
BUSINESS_UNIT_UPDATE_BODY = {
    "externalData": F("object", schema={
        "patchMode": F("str", enum=PATCH_MODES),
        "applicationGuid": F("str", req=True, null=False),
        "externalData": F("array", req=True, null=False, items=F("object", null=False, schema={
            "key": F("str", req=True, null=False),
            "value": F("str"),
        })),
    }),
}

_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")

# ------------------------------------------------------------------------------------------ helpers

PEOPLE_FILTERS: list[Filter] = [
    f_ids("ids"),
    f_ids("userIds", "userId"),
    f_contains("name"),
    f_active(),
    *CREATED_MODIFIED,
]


def _validate_people(request: Request, data: Record, *, creating: bool) -> None:
    errors: dict[str, list[str]] = {}
    email = data.get("email")
    if email is not None and (email.count("@") != 1 or email.startswith("@") or email.endswith("@")):
        errors["email"] = [f"'{email}' is not a valid email address."]
    if "name" in data and not (data.get("name") or "").strip():
        errors["name"] = ["The name field is required."]
    if creating and data.get("accountCreationMethod") == "AssignLoginAndPassword":
        for key in ("login", "password"):
            if not data.get(key):
                errors[key] = [f"{key} is required when accountCreationMethod is AssignLoginAndPassword."]
    if data.get("positions") is not None and creating and not data["positions"]:
        errors["positions"] = ["At least one position is required."]
    if errors:
        raise bad_request("One or more validation errors occurred.", errors)
    if data.get("businessUnitId") is not None:
        require_ids(request, "business_units", [data["businessUnitId"]], "businessUnitId", "Business unit")
    if data.get("roleId") is not None:
        require_ids(request, "user_roles", [data["roleId"]], "roleId", "User role")


def _custom_fields(current: list[Record] | None, updates: list[Record]) -> list[Record]:
    fields = {f["typeId"]: dict(f) for f in current or []}
    for item in updates:
        entry = fields.setdefault(item["typeId"], {"typeId": item["typeId"], "name": None, "value": None})
        entry["value"] = item.get("value")
    return list(fields.values())


def _home(address: Record) -> Record:
    parts = [address.get("street"), address.get("unit")]
    street_address = " ".join(p for p in parts if p)
    return {
        "street": address.get("street"), "unit": address.get("unit"), "country": address.get("country"),
        "city": address.get("city"), "state": address.get("state"), "zip": address.get("zip"),
        "streetAddress": street_address or None,
        "latitude": address.get("latitude"), "longitude": address.get("longitude"),
    }


def _apply_common(record: Record, data: Record) -> None:
    for key in ("name", "phoneNumber", "email", "businessUnitId", "aadUserId", "accountLocked"):
        if key in data:
            record[key] = data[key]
    if "login" in data:
        record["loginName"] = data["login"]
    if data.get("roleId") is not None:
        record["roleIds"] = [data["roleId"]]
    if "positions" in data:
        record["positions"] = list(data["positions"])
    if data.get("customFields") is not None:
        record["customFields"] = _custom_fields(record.get("customFields"), data["customFields"])


def _employee_role(positions: list[str] | None) -> str:
    for position in positions or []:
        if position in _ROLE_BY_POSITION:
            return _ROLE_BY_POSITION[position]
    return "GeneralOffice"


def _new_user_id(request: Request) -> int:
    st = request.app.state.sandbox
    return st.next_id()


# --------------------------------------------------------------------------------------- technicians


async def create_technician(request: Request) -> Response:
    data = await body(request, TECHNICIAN_CREATE_BODY)
    _validate_people(request, data, creating=True)
    record: Record = {
        "userId": _new_user_id(request), "roleIds": [], "mainZoneId": None, "zoneIds": [],
        "email": None, "phoneNumber": None, "loginName": None, "home": None, "customFields": [],
        "active": True, "aadUserId": None, "permissions": [], "accountLocked": False, "team": None,
        "jobFilter": None,
    }
    _apply_common(record, data)
    record.update(
        dailyGoal=data.get("dailyGoal") or 0,
        burdenRate=data.get("burdenRate") or 0,
        isManagedTech=data["licenseType"] != "NonManagedTech",
        team=data.get("team"),
        jobFilter=data.get("jobFilter"),
        home=_home(data["home"]) if data.get("home") else None,
    )
    record = coll(request, "technicians").insert(record)
    return json_response({"id": record["id"]})


async def update_technician(request: Request) -> Response:
    record = require(request, "technicians", path_id(request), "Technician")
    data = await body(request, TECHNICIAN_UPDATE_BODY)
    _validate_people(request, data, creating=False)
    _apply_common(record, data)
    for key in ("team", "jobFilter"):
        if key in data:
            record[key] = data[key]
    for key in ("dailyGoal", "burdenRate"):
        if data.get(key) is not None:
            record[key] = data[key]
    if "licenseType" in data:
        record["isManagedTech"] = data["licenseType"] != "NonManagedTech"
    if data.get("home") is not None:
        record["home"] = _home(data["home"])
    coll(request, "technicians").touch(record)
    return json_response({"id": record["id"]})


def _account_action(collection: str, what: str, schema: dict[str, Any]) -> Callable:
    async def handler(request: Request) -> Response:
        record = require(request, collection, path_id(request), what)
        data = await body(request, schema)
        action = data["action"]
        if action in ("Activate", "Deactivate"):
            want = action == "Activate"
            if bool(record.get("active")) != want:
                record["active"] = want
                coll(request, collection).touch(record)
        elif action == "SendPasswordResetLink" and not record.get("email"):
            raise bad_request(f"The {what.lower()} has no email address.",
                              {"action": ["A password reset link needs an email address on file."]})
        return json_response({"status": "Success"})

    return handler


# ------------------------------------------------------------------------------------------ employees


async def create_employee(request: Request) -> Response:
    data = await body(request, EMPLOYEE_CREATE_BODY)
    _validate_people(request, data, creating=True)
    record: Record = {
        "userId": _new_user_id(request), "roleIds": [], "businessUnitId": None, "email": None,
        "phoneNumber": None, "loginName": None, "customFields": [], "active": True, "aadUserId": None,
        "permissions": [], "accountLocked": False,
    }
    _apply_common(record, data)
    record["role"] = _employee_role(data["positions"])
    record = coll(request, "employees").insert(record)
    return json_response({"id": record["id"]})


async def update_employee(request: Request) -> Response:
    record = require(request, "employees", path_id(request), "Employee")
    data = await body(request, EMPLOYEE_UPDATE_BODY)
    _validate_people(request, data, creating=False)
    _apply_common(record, data)
    if data.get("positions"):
        record["role"] = _employee_role(data["positions"])
    coll(request, "employees").touch(record)
    return json_response({"id": record["id"]})


# ------------------------------------------------------------------------------------- business units


def _guid_param(request: Request) -> str | None:
    raw = request.query_params.get("externalDataApplicationGuid")
    if raw is None or raw == "":
        return None
    if not _GUID.match(raw.strip()):
        raise bad_request("One or more validation errors occurred.",
                          {"externalDataApplicationGuid": [f"'{raw}' is not a valid GUID."]})
    return raw.strip().lower()


def _business_unit_shape(request: Request) -> Callable[[Record], Record]:
    """External data is per application: only the GUID asked for comes back (null when none is asked)."""
    guid = _guid_param(request)

    def shape(record: Record) -> Record:
        out = BUSINESS_UNIT(record)
        if guid is None:
            out["externalData"] = None
        else:
            out["externalData"] = [EXTERNAL_DATA(x) for x in (record.get("_externalData") or {}).get(guid, [])]
        return out

    return shape


async def update_business_unit(request: Request) -> Response:
    record = require(request, "business_units", path_id(request), "Business unit")
    data = await body(request, BUSINESS_UNIT_UPDATE_BODY)
    update = data.get("externalData")
    if update is not None:
        guid = update["applicationGuid"].strip()
        if not _GUID.match(guid):
            raise bad_request("One or more validation errors occurred.",
                              {"externalData.applicationGuid": [f"'{guid}' is not a valid GUID."]})
        store: dict[str, list[Record]] = record.setdefault("_externalData", {})
        items = [{"key": x["key"], "value": x.get("value")} for x in update["externalData"]]
        if (update.get("patchMode") or "Replace") == "Replace":
            store[guid.lower()] = items
        else:
            merged = {x["key"]: x for x in store.get(guid.lower(), [])}
            merged.update({x["key"]: x for x in items})
            store[guid.lower()] = list(merged.values())
        coll(request, "business_units").touch(record)
    return json_response({"id": record["id"]})


# ----------------------------------------------------------------------------------------- user roles


def _employee_type_filter(request: Request):
    raw = request.query_params.get("employeeType")
    if raw is None or raw == "":
        return None
    value = {v.lower(): v for v in EMPLOYEE_TYPES}.get(raw.strip().lower())
    if value is None:
        raise bad_request("One or more validation errors occurred.",
                          {"employeeType": [f"The value '{raw}' is not valid. Values: {', '.join(EMPLOYEE_TYPES)}."]})
    if value in ("All", "None"):
        return None
    return lambda r: r.get("employeeType") == value


# ------------------------------------------------------------------------------------------- routes


def routes() -> list[Route]:
    return [
        # technicians
        list_route("/technicians", "technicians", TECHNICIAN, PEOPLE_FILTERS, sort=None),
        Route("/technicians", create_technician, methods=["POST"]),
        get_route("/technicians/{id:int}", "technicians", TECHNICIAN, "Technician"),
        Route("/technicians/{id:int}", update_technician, methods=["PATCH"]),
        Route("/technicians/{id:int}/account-actions",
              _account_action("technicians", "Technician", TECHNICIAN_ACCOUNT_ACTION_BODY), methods=["POST"]),
        export_route("/export/technicians", "technicians", TECHNICIAN),
        # employees
        list_route("/employees", "employees", EMPLOYEE, PEOPLE_FILTERS, sort=None),
        Route("/employees", create_employee, methods=["POST"]),
        get_route("/employees/{id:int}", "employees", EMPLOYEE, "Employee"),
        Route("/employees/{id:int}", update_employee, methods=["PATCH"]),
        Route("/employees/{id:int}/account-actions",
              _account_action("employees", "Employee", EMPLOYEE_ACCOUNT_ACTION_BODY), methods=["POST"]),
        export_route("/export/employees", "employees", EMPLOYEE),
        # business units
        list_route("/business-units", "business_units", _business_unit_shape,
                   [f_ids("ids"), f_contains("name"), f_active(), *CREATED_MODIFIED], sort=None),
        get_route("/business-units/{id:int}", "business_units", _business_unit_shape, "Business unit"),
        Route("/business-units/{id:int}", update_business_unit, methods=["PATCH"]),
        export_route("/export/business-units", "business_units", _business_unit_shape),
        # tag types
        list_route("/tag-types", "tag_types", TAG_TYPE, [f_active(), *CREATED_MODIFIED]),
        export_route("/export/tag-types", "tag_types", TAG_TYPE),
        # user roles
        list_route("/user-roles", "user_roles", USER_ROLE,
                   [f_ids("ids"), f_contains("name"), f_active(), *CREATED, lambda r: _employee_type_filter(r)],
                   sort=None),
    ]
