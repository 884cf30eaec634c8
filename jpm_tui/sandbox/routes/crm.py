"""CRM module routes (`/crm/v2/tenant/{tenant}/...`), shaped after crm-v2.json (Swagger 2.0).

Customers and locations share one family of sub-resources (notes, contacts, tags, custom fields, export
of contacts), generated from a `Family` table. Bookings and leads are list/get/export (plus lead create,
update and dismiss). The GUID-keyed `contacts` resource (ServiceTitan's newer contact model) lives in a
`contacts` collection the shared list does not name, keyed by GUID strings; it starts empty.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import bool_param, datetime_param, json_response, paged

from ._common import (
    CREATED_MODIFIED,
    F,
    Filter,
    Predicate,
    Record,
    Shape,
    apply_filters,
    apply_sort,
    bad_request,
    body,
    body_dt,
    coll,
    conflict,
    current_user_id,
    export_route,
    f_active,
    f_contains,
    f_enum,
    f_ids,
    f_int,
    f_number,
    get_route,
    iso,
    list_route,
    no_content,
    not_found,
    parse_dt,
    path_id,
    require,
    require_ids,
)
from .guid_projector import per_guid

# --------------------------------------------------------------------------------------------- shapes

ADDRESS = Shape("street", "unit", "city", "state", "zip", "country", "latitude", "longitude")
BOOKING_ADDRESS = Shape("street", "unit", "city", "state", "zip", "country")
CUSTOM_FIELD = Shape("typeId", "name", "value")
EXTERNAL_DATA = Shape("key", "value")
PHONE_SETTINGS = Shape("phoneNumber", "doNotText")

CUSTOMER = Shape(
    "id", "active", "name", "type", "address", "customFields", "balance", "tagTypeIds", "doNotMail",
    "doNotService", "createdOn", "createdById", "modifiedOn", "mergedToId", "externalData",
    address=ADDRESS, customFields=CUSTOM_FIELD, externalData=EXTERNAL_DATA,
)
LOCATION = Shape(
    "id", "customerId", "active", "name", "address", "customFields", "createdOn", "createdById", "modifiedOn",
    "mergedToId", "zoneId", "tagTypeIds", "externalData", "taxZoneId",
    address=ADDRESS, customFields=CUSTOM_FIELD, externalData=EXTERNAL_DATA,
)
NEW_CONTACT = Shape("id", "type", "value", "memo")  # CustomerContact / LocationContact in create answers
CUSTOMER_CONTACT = Shape(
    "id", "type", "value", "memo", "modifiedOn", "phoneSettings", "createdOn", phoneSettings=PHONE_SETTINGS
)
CUSTOMER_CONTACT_WITH_PARENT = CUSTOMER_CONTACT.plus("customerId")
CUSTOMER_CONTACT_EXPORT = CUSTOMER_CONTACT.plus("customerId", "active")
LOCATION_CONTACT = Shape(
    "id", "type", "value", "memo", "phoneSettings", "modifiedOn", "createdOn", phoneSettings=PHONE_SETTINGS
)
LOCATION_CONTACT_WITH_PARENT = LOCATION_CONTACT.plus("locationId")
LOCATION_CONTACT_EXPORT = LOCATION_CONTACT.plus("locationId", "active")
NOTE = Shape("id", "text", "isPinned", "createdById", "createdOn", "modifiedOn")
CREATED_LOCATION = LOCATION.plus("contacts", contacts=NEW_CONTACT)
CREATED_CUSTOMER = CUSTOMER.plus("locations", "contacts", locations=CREATED_LOCATION, contacts=NEW_CONTACT)
BOOKING = Shape(
    "id", "source", "createdOn", "name", "address", "customerType", "start", "summary", "campaignId",
    "businessUnitId", "isFirstTimeClient", "uploadedImages", "isSendConfirmationEmail", "status",
    "dismissingReasonId", "jobId", "externalId", "priority", "jobTypeId", "bookingProviderId", "modifiedOn",
    address=BOOKING_ADDRESS,
)
BOOKING_CONTACT = Shape("id", "type", "value", "memo", "modifiedOn")
LEAD = Shape(
    "id", "status", "customerId", "locationId", "businessUnitId", "jobTypeId", "priority", "campaignId",
    "summary", "callReasonId", "callId", "bookingId", "manualCallId", "followUpDate", "createdOn",
    "createdById", "modifiedOn", "tagTypeIds", "dismissingReasonId", "leadUrl",
)
CUSTOM_FIELD_TYPE = Shape("id", "name", "dataType", "dataTypeOptions", "createdOn", "modifiedOn")
CONTACT = Shape(
    "id", "referenceId", "name", "title", "isArchived", "createdOn", "createdBy", "modifiedOn", "modifiedBy"
)

# -------------------------------------------------------------------------------------------- enums

CUSTOMER_TYPES = ("Residential", "Commercial")
CONTACT_TYPES = ("Phone", "Email", "Fax", "MobilePhone")  # the document lists "Phone" twice (LandlinePhone)
PHONE_TYPES = ("Phone", "MobilePhone", "Fax")
LEAD_STATUSES = ("Open", "Dismissed", "Converted")
PRIORITIES = ("Low", "Normal", "High", "Urgent")
PATCH_MODES = ("Replace", "Merge")

# Custom field types the sandbox offers when the state has no collection of its own for them.
_FIELD_TYPES_ON = "2024-01-01T00:00:00Z"
DEFAULT_CUSTOM_FIELD_TYPES = {
    "customers": [
        {"id": 901, "name": "Referral Source", "dataType": "Dropdown",
         "dataTypeOptions": ["Web", "Neighbor", "Yard Sign", "Repeat"]},
        {"id": 902, "name": "Gate Code", "dataType": "Text", "dataTypeOptions": []},
        {"id": 903, "name": "Member Since", "dataType": "Date", "dataTypeOptions": []},
    ],
    "locations": [
        {"id": 951, "name": "Access Notes", "dataType": "Text", "dataTypeOptions": []},
        {"id": 952, "name": "Dog On Premises", "dataType": "Checkbox", "dataTypeOptions": []},
    ],
}

# ---------------------------------------------------------------------------------------------- bodies

_ADDRESS_BODY = {
    "street": F("str", req=True, null=False), "unit": F("str"), "city": F("str", req=True, null=False),
    "state": F("str", req=True, null=False), "zip": F("str", req=True, null=False),
    "country": F("str", req=True, null=False), "latitude": F("num"), "longitude": F("num"),
}
# UpdateCustomerAddress / AddressPatchModel also list unit (and latitude/longitude) as required; the
# sandbox lets them be absent or null, since a street without a unit is the common case.
_UPDATE_CUSTOMER_ADDRESS_BODY = dict(_ADDRESS_BODY)
_LOCATION_PATCH_ADDRESS_BODY = dict(_ADDRESS_BODY)
_NEW_CONTACT_BODY = {
    "type": F("str", req=True, null=False, enum=CONTACT_TYPES), "value": F("str", req=True, null=False),
    "memo": F("str"),
}
_CUSTOM_FIELD_BODY = {"typeId": F("int", req=True, null=False), "value": F("str", req=True)}
_EXTERNAL_ITEM_BODY = {"key": F("str", req=True, null=False), "value": F("str", req=True)}
_EXTERNAL_CREATE_BODY = {
    "applicationGuid": F("str", req=True, null=False),
    "externalData": F("array", req=True, null=False, items=F("object", null=False, schema=_EXTERNAL_ITEM_BODY)),
}
_EXTERNAL_UPDATE_BODY = {
    "patchMode": F("str", enum=PATCH_MODES),
    "applicationGuid": F("str", req=True, null=False),
    "externalData": F("array", req=True, null=False, items=F("object", null=False, schema={
        "key": F("str", req=True, null=False), "value": F("str")})),
}
_INT_LIST = F("array", items=F("int", null=False))
_CONTACT_LIST = F("array", items=F("object", null=False, schema=_NEW_CONTACT_BODY))
_CUSTOM_FIELD_LIST = F("array", items=F("object", null=False, schema=_CUSTOM_FIELD_BODY))

NEW_LOCATION_BODY = {
    "name": F("str", req=True, null=False),
    "address": F("object", req=True, null=False, schema=_ADDRESS_BODY),
    "contacts": _CONTACT_LIST,
    "customFields": _CUSTOM_FIELD_LIST,
    "tagTypeIds": _INT_LIST,
    "externalData": F("object", schema=_EXTERNAL_CREATE_BODY),
}
CUSTOMER_CREATE_BODY = {
    "name": F("str", req=True, null=False),
    "type": F("str", enum=CUSTOMER_TYPES),
    "doNotMail": F("bool"),
    "doNotService": F("bool"),
    "locations": F("array", req=True, null=False, items=F("object", null=False, schema=NEW_LOCATION_BODY)),
    "address": F("object", req=True, null=False, schema=_ADDRESS_BODY),
    "contacts": _CONTACT_LIST,
    "customFields": _CUSTOM_FIELD_LIST,
    "tagTypeIds": _INT_LIST,
    "externalData": F("object", schema=_EXTERNAL_CREATE_BODY),
}
CUSTOMER_UPDATE_BODY = {
    "name": F("str"),
    "type": F("str", enum=CUSTOMER_TYPES),
    "address": F("object", schema=_UPDATE_CUSTOMER_ADDRESS_BODY),
    "customFields": _CUSTOM_FIELD_LIST,
    "externalData": F("object", schema=_EXTERNAL_UPDATE_BODY),
    "doNotMail": F("bool"),
    "doNotService": F("bool"),
    "active": F("bool"),
    "tagTypeIds": _INT_LIST,
}
LOCATION_CREATE_BODY = {**NEW_LOCATION_BODY, "customerId": F("int", req=True, null=False)}
LOCATION_UPDATE_BODY = {
    "customerId": F("int"),
    "name": F("str"),
    "address": F("object", schema=_LOCATION_PATCH_ADDRESS_BODY),
    "active": F("bool"),
    "taxZoneId": F("int"),
    "customFields": _CUSTOM_FIELD_LIST,
    "tagTypeIds": _INT_LIST,
    "externalData": F("object", schema=_EXTERNAL_UPDATE_BODY),
}
CUSTOMER_NOTE_BODY = {"text": F("str", req=True, null=False), "pinToTop": F("bool"), "addToLocations": F("bool")}
LOCATION_NOTE_BODY = {"text": F("str", req=True, null=False), "pinToTop": F("bool"), "addToCustomer": F("bool")}
CONTACT_CREATE_BODY = dict(_NEW_CONTACT_BODY)
CONTACT_UPDATE_BODY = {"type": F("str", enum=CONTACT_TYPES), "value": F("str"), "memo": F("str")}
BULK_TAGS_BODY = {
    "customerIds": F("array", req=True, null=False, items=F("int", null=False)),
    "tagTypeIds": F("array", req=True, null=False, items=F("int", null=False)),
}
LEAD_CREATE_BODY = {
    "customerId": F("int"), "locationId": F("int"), "campaignId": F("int", req=True, null=False),
    "businessUnitId": F("int"), "jobTypeId": F("int"), "summary": F("str", req=True, null=False),
    "tagTypeIds": _INT_LIST, "priority": F("str", enum=PRIORITIES), "callReasonId": F("int"),
    "followUpDate": F("datetime"),
}
LEAD_UPDATE_BODY = {
    "campaignId": F("int"), "priority": F("str", enum=PRIORITIES), "businessUnitId": F("int"),
    "jobTypeId": F("int"),
}
LEAD_DISMISS_BODY = {"dismissingReasonId": F("int", req=True, null=False)}
GUID_CONTACT_CREATE_BODY = {"name": F("str"), "title": F("str"), "referenceId": F("str")}
GUID_CONTACT_UPDATE_BODY = {**GUID_CONTACT_CREATE_BODY, "isArchived": F("bool", req=True, null=False)}

_GUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_DIGITS = re.compile(r"\D+")


# ------------------------------------------------------------------------------------ shared helpers


def _digits(text: Any) -> str:
    return _DIGITS.sub("", str(text or ""))


def _validate_contact(kind: str, value: str, field: str = "value") -> None:
    if kind == "Email":
        if value.count("@") != 1 or value.startswith("@") or value.endswith("@") or " " in value.strip():
            raise bad_request("One or more validation errors occurred.",
                              {field: [f"'{value}' is not a valid email address."]})
    elif kind in PHONE_TYPES and not (7 <= len(_digits(value)) <= 15):
        raise bad_request("One or more validation errors occurred.",
                          {field: [f"'{value}' is not a valid phone number."]})


def _phone_settings(kind: str, value: str, current: Record | None = None) -> Record:
    """The document makes phoneSettings required (not nullable) on every contact, emails included."""
    number = _digits(value) if kind in PHONE_TYPES else ""
    return {"phoneNumber": number, "doNotText": bool((current or {}).get("doNotText", False))}


def _field_types(request: Request, family: str) -> list[Record]:
    st = request.app.state.sandbox
    name = f"{family[:-1]}_custom_field_types"  # customer_custom_field_types, location_custom_field_types
    if name in st.collections and len(st.collections[name]):
        return list(st.collections[name].values())
    return [{**t, "createdOn": _FIELD_TYPES_ON, "modifiedOn": _FIELD_TYPES_ON}
            for t in DEFAULT_CUSTOM_FIELD_TYPES[family]]


def _custom_fields(request: Request, family: str, current: list[Record] | None, updates: list[Record]) -> list[Record]:
    names = {t["id"]: t.get("name") for t in _field_types(request, family)}
    fields = {f["typeId"]: dict(f) for f in current or []}
    for item in updates:
        entry = fields.setdefault(item["typeId"], {"typeId": item["typeId"], "name": names.get(item["typeId"])})
        entry["value"] = item.get("value")
    return list(fields.values())


def _check_tags(request: Request, tag_ids: list[int] | None, field: str = "tagTypeIds") -> list[int]:
    ids = list(dict.fromkeys(tag_ids or []))
    require_ids(request, "tag_types", ids, field, "Tag type")
    return ids


def _check_guid(value: str, field: str) -> str:
    if not _GUID.match(value.strip()):
        raise bad_request("One or more validation errors occurred.", {field: [f"'{value}' is not a valid GUID."]})
    return value.strip().lower()


def _external_create(request: Request, data: Record | None, field: str = "externalData") -> dict[str, list[Record]]:
    if not data:
        return {}
    guid = _check_guid(data["applicationGuid"], f"{field}.applicationGuid")
    return {guid: [{"key": x["key"], "value": x.get("value")} for x in data["externalData"]]}


def _external_update(record: Record, data: Record | None) -> None:
    if not data:
        return
    guid = _check_guid(data["applicationGuid"], "externalData.applicationGuid")
    store = record.setdefault("_externalData", {})
    items = [{"key": x["key"], "value": x.get("value")} for x in data["externalData"]]
    if (data.get("patchMode") or "Replace") == "Replace":
        store[guid] = items
    else:
        merged = {x["key"]: x for x in store.get(guid, [])}
        merged.update({x["key"]: x for x in items})
        store[guid] = list(merged.values())


def _guid_param(request: Request) -> str | None:
    raw = request.query_params.get("externalDataApplicationGuid")
    if raw is None or raw == "":
        return None
    return _check_guid(raw, "externalDataApplicationGuid")


def _with_external(shape: Shape) -> Callable[[Request], Callable[[Record], Record]]:
    """Customers/locations answer the external data of the application asked for ([] otherwise)."""
    return per_guid(shape, _external_seen, _guid_param)


def _external_seen(record: Record, guid: str | None) -> list[Record] | None:
    """What application ``guid`` sees of a customer's or location's external data (kept per GUID); without one,
    the record's own, or []."""
    if guid is not None:
        return [EXTERNAL_DATA(x) for x in (record.get("_externalData") or {}).get(guid, [])]
    return [] if record.get("externalData") is None else None


def f_external_data() -> Filter:
    """externalDataApplicationGuid + externalDataKey + externalDataValues (comma separated, max 50)."""

    def build(request: Request) -> Predicate | None:
        guid = _guid_param(request)
        key = request.query_params.get("externalDataKey")
        raw_values = request.query_params.get("externalDataValues")
        if key is None and raw_values is None:
            return None
        if not key or raw_values is None:
            raise bad_request("One or more validation errors occurred.", {
                "externalDataKey": ["externalDataKey and externalDataValues must be provided together."]})
        values = {v.strip() for v in raw_values.split(",") if v.strip()}
        if len(values) > 50:
            raise bad_request("One or more validation errors occurred.",
                              {"externalDataValues": ["No more than 50 values may be requested at once."]})

        def pred(record: Record) -> bool:
            store = record.get("_externalData") or {}
            groups = [store.get(guid, [])] if guid else list(store.values())
            return any(x.get("key") == key and x.get("value") in values for g in groups for x in g)

        return pred

    return build


def _zone_for(request: Request, address: Record | None) -> int | None:
    zip_code = (address or {}).get("zip")
    if not zip_code:
        return None
    try:
        zones = coll(request, "zones").values()
    except KeyError:
        return None
    for zone in zones:
        if zone.get("active", True) and zip_code in (zone.get("zips") or []):
            return zone["id"]
    return None


def _address(data: Record) -> Record:
    return {k: data.get(k) for k in ADDRESS.fields}


# ------------------------------------------------------------------------------------ family (customers / locations)


@dataclass(frozen=True)
class Family:
    path: str  # "/customers"
    collection: str  # "customers"
    what: str  # "Customer"
    key: str  # "customerId"
    notes: str  # "customer_notes"
    contacts: str  # "customer_contacts"
    note_body: dict[str, Any]
    contact_shape: Shape
    contact_with_parent: Shape
    contact_export: Shape
    ids_param: str  # "customerIds"


CUSTOMERS = Family(
    "/customers", "customers", "Customer", "customerId", "customer_notes", "customer_contacts",
    CUSTOMER_NOTE_BODY, CUSTOMER_CONTACT, CUSTOMER_CONTACT_WITH_PARENT, CUSTOMER_CONTACT_EXPORT, "customerIds",
)
LOCATIONS = Family(
    "/locations", "locations", "Location", "locationId", "location_notes", "location_contacts",
    LOCATION_NOTE_BODY, LOCATION_CONTACT, LOCATION_CONTACT_WITH_PARENT, LOCATION_CONTACT_EXPORT, "locationIds",
)


def _insert_contact(request: Request, fam: Family, parent_id: int, data: Record) -> Record:
    _validate_contact(data["type"], data["value"])
    return coll(request, fam.contacts).insert({
        "type": data["type"],
        "value": data["value"],
        "memo": data.get("memo"),
        "phoneSettings": _phone_settings(data["type"], data["value"]),
        fam.key: parent_id,
        "active": True,
    })


def _insert_note(request: Request, fam: Family, parent_id: int, text: str, pinned: bool) -> Record:
    return coll(request, fam.notes).insert({
        "text": text, "isPinned": pinned, "createdById": current_user_id(request), fam.key: parent_id,
    })


def _family_routes(fam: Family) -> list[Route]:
    def parent(request: Request) -> Record:
        return require(request, fam.collection, path_id(request), fam.what)

    async def list_notes(request: Request) -> Response:
        record = parent(request)
        rows = coll(request, fam.notes).where(fam.key, record["id"])
        return paged(request, apply_filters(request, rows, CREATED_MODIFIED), NOTE)

    async def create_note(request: Request) -> Response:
        record = parent(request)
        data = await body(request, fam.note_body)
        if not data["text"].strip():
            raise bad_request("One or more validation errors occurred.", {"text": ["The text field is required."]})
        pinned = bool(data.get("pinToTop"))
        note = _insert_note(request, fam, record["id"], data["text"], pinned)
        if fam is CUSTOMERS and data.get("addToLocations"):
            for loc in coll(request, "locations").values():
                if loc.get("customerId") == record["id"] and loc.get("active", True):
                    _insert_note(request, LOCATIONS, loc["id"], data["text"], pinned)
        if fam is LOCATIONS and data.get("addToCustomer") and record.get("customerId") is not None:
            _insert_note(request, CUSTOMERS, record["customerId"], data["text"], pinned)
        return json_response(NOTE(note))

    async def delete_note(request: Request) -> Response:
        record = parent(request)
        note_id = path_id(request, "noteId")
        note = coll(request, fam.notes).get(note_id)
        if note is None or note.get(fam.key) != record["id"]:
            raise not_found("Note not found", {"noteId": [f"{fam.what} {record['id']} has no note {note_id}."]})
        coll(request, fam.notes).delete(note_id)
        return no_content()

    def contact_of(request: Request, record: Record) -> Record:
        contact_id = path_id(request, "contactId")
        contact = coll(request, fam.contacts).get(contact_id)
        if contact is None or contact.get(fam.key) != record["id"] or contact.get("active") is False:
            raise not_found("Contact not found",
                            {"contactId": [f"{fam.what} {record['id']} has no contact {contact_id}."]})
        return contact

    async def list_contacts(request: Request) -> Response:
        record = parent(request)
        rows = [c for c in coll(request, fam.contacts).where(fam.key, record["id"]) if c.get("active", True)]
        return paged(request, rows, fam.contact_shape)

    async def create_contact(request: Request) -> Response:
        record = parent(request)
        data = await body(request, CONTACT_CREATE_BODY)
        return json_response(fam.contact_shape(_insert_contact(request, fam, record["id"], data)))

    async def update_contact(request: Request) -> Response:
        record = parent(request)
        contact = contact_of(request, record)
        data = await body(request, CONTACT_UPDATE_BODY)
        kind = data.get("type") or contact.get("type")
        value = data.get("value") if data.get("value") is not None else contact.get("value")
        _validate_contact(kind, value or "")
        contact.update(type=kind, value=value, phoneSettings=_phone_settings(kind, value, contact.get("phoneSettings")))
        if "memo" in data:
            contact["memo"] = data["memo"]
        coll(request, fam.contacts).touch(contact)
        return json_response(fam.contact_shape(contact))

    async def delete_contact(request: Request) -> Response:
        record = parent(request)
        contact = contact_of(request, record)
        contact["active"] = False  # kept as a tombstone so the contacts export feed reports the removal
        coll(request, fam.contacts).touch(contact)
        return no_content()

    async def modified_contacts(request: Request) -> Response:
        q = request.query_params
        if not q.get("modifiedBefore") and not q.get("modifiedOnOrAfter"):
            raise bad_request("Either modifiedBefore or modifiedOnOrAfter must be specified.", {
                "modifiedOnOrAfter": ["Either modifiedBefore or modifiedOnOrAfter parameter must be specified."]})
        rows = [c for c in coll(request, fam.contacts).values() if c.get("active", True)]
        rows = apply_filters(request, rows, [*CREATED_MODIFIED, f_ids(fam.ids_param, fam.key)])
        return paged(request, rows, fam.contact_with_parent)

    async def add_tag(request: Request) -> Response:
        record = parent(request)
        tag_id = path_id(request, "tagTypeId")
        coll(request, "tag_types").require(tag_id, "Tag type")
        tags = list(record.get("tagTypeIds") or [])
        if tag_id in tags:
            raise conflict("Tag already assigned", {"tagTypeId": [f"{fam.what} {record['id']} already has tag {tag_id}."]})
        record["tagTypeIds"] = tags + [tag_id]
        coll(request, fam.collection).touch(record)
        return json_response({fam.key: record["id"], "tagTypeIds": list(record["tagTypeIds"])})

    async def remove_tag(request: Request) -> Response:
        record = parent(request)
        tag_id = path_id(request, "tagTypeId")
        tags = list(record.get("tagTypeIds") or [])
        if tag_id not in tags:
            raise not_found("Tag not found", {"tagTypeId": [f"{fam.what} {record['id']} has no tag {tag_id}."]})
        record["tagTypeIds"] = [t for t in tags if t != tag_id]
        coll(request, fam.collection).touch(record)
        return no_content()

    async def custom_field_types(request: Request) -> Response:
        rows = apply_filters(request, _field_types(request, fam.collection), CREATED_MODIFIED)
        return paged(request, apply_sort(request, rows), CUSTOM_FIELD_TYPE)

    p = fam.path
    return [
        Route(f"{p}/custom-fields", custom_field_types, methods=["GET"]),
        Route(f"{p}/contacts", modified_contacts, methods=["GET"]),
        Route(f"{p}/{{id:int}}/notes", list_notes, methods=["GET"]),
        Route(f"{p}/{{id:int}}/notes", create_note, methods=["POST"]),
        Route(f"{p}/{{id:int}}/notes/{{noteId:int}}", delete_note, methods=["DELETE"]),
        Route(f"{p}/{{id:int}}/contacts", list_contacts, methods=["GET"]),
        Route(f"{p}/{{id:int}}/contacts", create_contact, methods=["POST"]),
        Route(f"{p}/{{id:int}}/contacts/{{contactId:int}}", update_contact, methods=["PATCH"]),
        Route(f"{p}/{{id:int}}/contacts/{{contactId:int}}", delete_contact, methods=["DELETE"]),
        Route(f"{p}/{{id:int}}/tags/{{tagTypeId:int}}", add_tag, methods=["POST"]),
        Route(f"{p}/{{id:int}}/tags/{{tagTypeId:int}}", remove_tag, methods=["DELETE"]),
        export_route(f"/export{p}/contacts", fam.contacts, fam.contact_export),
    ]


# ------------------------------------------------------------------------------------------ customers


def f_equals(name: str, field: str | None = None) -> Filter:
    """Exact (case-sensitive) match of a string property, e.g. a booking's externalId."""
    field = field or name

    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        return lambda r: r.get(field) == raw

    return build


def f_phone() -> Filter:
    """Customers whose (active) phone contacts contain the digits asked for."""

    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get("phone")
        if raw is None or raw == "":
            return None
        needle = _digits(raw)
        if not needle:
            raise bad_request("One or more validation errors occurred.", {"phone": [f"'{raw}' is not a phone number."]})
        matches = {
            c.get("customerId") for c in coll(request, "customer_contacts").values()
            if c.get("active", True) and c.get("type") in PHONE_TYPES and needle in _digits(c.get("value"))
        }
        return lambda r: r.get("id") in matches

    return build


ADDRESS_FILTERS = [f_contains(k, f"address.{k}") for k in ("street", "unit", "city", "state", "zip", "country")] + [
    f_number("latitude", lambda r: (r.get("address") or {}).get("latitude")),
    f_number("longitude", lambda r: (r.get("address") or {}).get("longitude")),
]
CUSTOMER_FILTERS = [
    f_ids("ids"), *CREATED_MODIFIED, f_contains("name"), *ADDRESS_FILTERS, f_phone(), f_active(), f_external_data(),
]
LOCATION_FILTERS = [
    f_ids("ids"), f_contains("name"), f_int("customerId"), *ADDRESS_FILTERS, f_active(), *CREATED_MODIFIED,
    f_external_data(),
]


def _new_location(request: Request, customer_id: int, data: Record) -> Record:
    tags = _check_tags(request, data.get("tagTypeIds"))
    for i, c in enumerate(data.get("contacts") or []):
        _validate_contact(c["type"], c["value"], f"contacts[{i}].value")
    location = coll(request, "locations").insert({
        "customerId": customer_id,
        "active": True,
        "name": data["name"],
        "address": _address(data["address"]),
        "customFields": _custom_fields(request, "locations", [], data.get("customFields") or []),
        "createdById": current_user_id(request),
        "mergedToId": None,
        "zoneId": _zone_for(request, data["address"]),
        "tagTypeIds": tags,
        "_externalData": _external_create(request, data.get("externalData")),
        "taxZoneId": None,
    })
    contacts = [_insert_contact(request, LOCATIONS, location["id"], c) for c in data.get("contacts") or []]
    return {**location, "contacts": contacts}


async def create_customer(request: Request) -> Response:
    data = await body(request, CUSTOMER_CREATE_BODY)
    if not data["name"].strip():
        raise bad_request("One or more validation errors occurred.", {"name": ["The name field is required."]})
    if not data["locations"]:
        raise bad_request("A customer needs at least one location.",
                          {"locations": ["At least one location is required."]})
    tags = _check_tags(request, data.get("tagTypeIds"))
    for i, c in enumerate(data.get("contacts") or []):
        _validate_contact(c["type"], c["value"], f"contacts[{i}].value")
    external = _external_create(request, data.get("externalData"))
    for loc in data["locations"]:  # validate every location before anything is written
        _check_tags(request, loc.get("tagTypeIds"), "locations.tagTypeIds")
        for c in loc.get("contacts") or []:
            _validate_contact(c["type"], c["value"], "locations.contacts.value")
        _external_create(request, loc.get("externalData"), "locations.externalData")
    customer = coll(request, "customers").insert({
        "active": True,
        "name": data["name"],
        "type": data.get("type") or "Residential",
        "address": _address(data["address"]),
        "customFields": _custom_fields(request, "customers", [], data.get("customFields") or []),
        "balance": 0,
        "tagTypeIds": tags,
        "doNotMail": bool(data.get("doNotMail")),
        "doNotService": bool(data.get("doNotService")),
        "createdById": current_user_id(request),
        "mergedToId": None,
        "_externalData": external,
    })
    contacts = [_insert_contact(request, CUSTOMERS, customer["id"], c) for c in data.get("contacts") or []]
    locations = [_new_location(request, customer["id"], loc) for loc in data["locations"]]
    out = CREATED_CUSTOMER({**customer, "locations": locations, "contacts": contacts})
    out["externalData"] = [EXTERNAL_DATA(x) for v in external.values() for x in v]
    for shaped, loc in zip(out["locations"], locations):
        shaped["externalData"] = [EXTERNAL_DATA(x) for v in loc["_externalData"].values() for x in v]
    return json_response(out)


async def update_customer(request: Request) -> Response:
    customer = require(request, "customers", path_id(request), "Customer")
    data = await body(request, CUSTOMER_UPDATE_BODY)
    if "name" in data and not (data["name"] or "").strip():
        raise bad_request("One or more validation errors occurred.", {"name": ["The name field is required."]})
    if data.get("tagTypeIds") is not None:
        customer["tagTypeIds"] = _check_tags(request, data["tagTypeIds"])
    _external_update(customer, data.get("externalData"))
    for key in ("name", "type", "doNotMail", "doNotService", "active"):
        if data.get(key) is not None:
            customer[key] = data[key]
    if data.get("address") is not None:
        customer["address"] = _address(data["address"])
    if data.get("customFields") is not None:
        customer["customFields"] = _custom_fields(request, "customers", customer.get("customFields"),
                                                  data["customFields"])
    coll(request, "customers").touch(customer)
    return json_response(_with_external(CUSTOMER)(request)(customer))


async def bulk_tags(request: Request) -> Response:
    data = await body(request, BULK_TAGS_BODY)
    errors: dict[str, list[str]] = {}
    if not data["customerIds"]:
        errors["customerIds"] = ["At least one customer id is required."]
    if not data["tagTypeIds"]:
        errors["tagTypeIds"] = ["At least one tag type id is required."]
    if errors:
        raise bad_request("One or more validation errors occurred.", errors)
    customers = require_ids(request, "customers", list(dict.fromkeys(data["customerIds"])), "customerIds",
                            "Customer", active_only=False)
    tags = _check_tags(request, data["tagTypeIds"])
    adding = request.method == "PUT"
    for customer in customers:
        current = list(customer.get("tagTypeIds") or [])
        updated = current + [t for t in tags if t not in current] if adding else [t for t in current if t not in tags]
        if updated != current:
            customer["tagTypeIds"] = updated
            coll(request, "customers").touch(customer)
    return no_content()


# ------------------------------------------------------------------------------------------ locations


async def create_location(request: Request) -> Response:
    data = await body(request, LOCATION_CREATE_BODY)
    if not data["name"].strip():
        raise bad_request("One or more validation errors occurred.", {"name": ["The name field is required."]})
    require_ids(request, "customers", [data["customerId"]], "customerId", "Customer", active_only=False)
    _external_create(request, data.get("externalData"))
    location = _new_location(request, data["customerId"], data)
    out = CREATED_LOCATION(location)
    out["externalData"] = [EXTERNAL_DATA(x) for v in location["_externalData"].values() for x in v]
    return json_response(out)


async def update_location(request: Request) -> Response:
    location = require(request, "locations", path_id(request), "Location")
    data = await body(request, LOCATION_UPDATE_BODY)
    if data.get("customerId") is not None:
        require_ids(request, "customers", [data["customerId"]], "customerId", "Customer", active_only=False)
    if "name" in data and not (data["name"] or "").strip():
        raise bad_request("One or more validation errors occurred.", {"name": ["The name field is required."]})
    if data.get("tagTypeIds") is not None:
        location["tagTypeIds"] = _check_tags(request, data["tagTypeIds"])
    _external_update(location, data.get("externalData"))
    for key in ("customerId", "name", "active"):
        if data.get(key) is not None:
            location[key] = data[key]
    if "taxZoneId" in data:
        location["taxZoneId"] = data["taxZoneId"]
    if data.get("address") is not None:
        location["address"] = _address(data["address"])
        location["zoneId"] = _zone_for(request, data["address"]) or location.get("zoneId")
    if data.get("customFields") is not None:
        location["customFields"] = _custom_fields(request, "locations", location.get("customFields"),
                                                  data["customFields"])
    coll(request, "locations").touch(location)
    return json_response(_with_external(LOCATION)(request)(location))


# -------------------------------------------------------------------------------------------- bookings


async def booking_contacts(request: Request) -> Response:
    booking = require(request, "bookings", path_id(request), "Booking")
    return paged(request, list(booking.get("_contacts") or booking.get("contacts") or []), BOOKING_CONTACT)


# ----------------------------------------------------------------------------------------------- leads


def _customer_filter(name: str, test: Callable[[Record, Any], bool], parse: Callable[[Request], Any]) -> Filter:
    """Lead filters that look at the lead's customer (city, state, zip, created/modified)."""

    def build(request: Request) -> Predicate | None:
        value = parse(request)
        if value is None:
            return None
        customers = coll(request, "customers")

        def pred(lead: Record) -> bool:
            customer = customers.get(lead.get("customerId")) if lead.get("customerId") is not None else None
            return customer is not None and test(customer, value)

        return pred

    return build


def _q(name: str) -> Callable[[Request], str | None]:
    return lambda request: (request.query_params.get(name) or None)


def _qdt(name: str) -> Callable[[Request], Any]:
    return lambda request: parse_dt(datetime_param(request, name))


def _addr_contains(key: str) -> Callable[[Record, str], bool]:
    return lambda customer, value: value.casefold() in str((customer.get("address") or {}).get(key) or "").casefold()


def _dt_cmp(field: str, op: str) -> Callable[[Record, Any], bool]:
    def test(customer: Record, bound: Any) -> bool:
        value = parse_dt(customer.get(field))
        return value is not None and (value >= bound if op == ">=" else value < bound)

    return test


def f_prospect() -> Filter:
    """isProspect: the lead has no customer, or its customer has no job."""

    def build(request: Request) -> Predicate | None:
        want = bool_param(request, "isProspect")
        if want is None:
            return None
        try:
            with_jobs = {j.get("customerId") for j in coll(request, "jobs").values()}
        except KeyError:
            with_jobs = set()
        return lambda lead: (lead.get("customerId") is None or lead.get("customerId") not in with_jobs) == want

    return build


def f_without_customer() -> Filter:
    def build(request: Request) -> Predicate | None:
        want = bool_param(request, "withoutCustomer")
        if want is None:
            return None
        return lambda lead: (lead.get("customerId") is None and lead.get("locationId") is None) == want

    return build


LEAD_FILTERS = [
    f_ids("ids"), *CREATED_MODIFIED, f_int("customerId"), f_prospect(), f_without_customer(),
    f_enum("status", LEAD_STATUSES),
    _customer_filter("customerCity", _addr_contains("city"), _q("customerCity")),
    _customer_filter("customerState", _addr_contains("state"), _q("customerState")),
    _customer_filter("customerZip", _addr_contains("zip"), _q("customerZip")),
    _customer_filter("customerCreatedOnOrAfter", _dt_cmp("createdOn", ">="), _qdt("customerCreatedOnOrAfter")),
    _customer_filter("customerCreatedBefore", _dt_cmp("createdOn", "<"), _qdt("customerCreatedBefore")),
    _customer_filter("customerModifiedOnOrAfter", _dt_cmp("modifiedOn", ">="), _qdt("customerModifiedOnOrAfter")),
]


def _check_lead_refs(request: Request, data: Record) -> None:
    refs = (("customerId", "customers", "Customer"), ("locationId", "locations", "Location"),
            ("businessUnitId", "business_units", "Business unit"), ("jobTypeId", "job_types", "Job type"))
    for field, collection, what in refs:
        if data.get(field) is not None:
            require_ids(request, collection, [data[field]], field, what, active_only=False)
    if data.get("customerId") is not None and data.get("locationId") is not None:
        location = coll(request, "locations").get(data["locationId"])
        if location is not None and location.get("customerId") != data["customerId"]:
            raise bad_request("The location does not belong to the customer.", {
                "locationId": [f"Location {data['locationId']} belongs to customer {location.get('customerId')}."]})


async def create_lead(request: Request) -> Response:
    data = await body(request, LEAD_CREATE_BODY)
    if not data["summary"].strip():
        raise bad_request("One or more validation errors occurred.", {"summary": ["The summary field is required."]})
    _check_lead_refs(request, data)
    follow_up = body_dt(data, "followUpDate")
    customer_id = data.get("customerId")
    if customer_id is None and data.get("locationId") is not None:
        customer_id = coll(request, "locations").get(data["locationId"]).get("customerId")
    lead = coll(request, "leads").insert({
        "status": "Open", "customerId": customer_id, "locationId": data.get("locationId"),
        "businessUnitId": data.get("businessUnitId"), "jobTypeId": data.get("jobTypeId"),
        "priority": data.get("priority") or "Normal", "campaignId": data["campaignId"],
        "summary": data["summary"], "callReasonId": data.get("callReasonId"), "callId": None, "bookingId": None,
        "manualCallId": None, "followUpDate": iso(follow_up) if follow_up else None,
        "createdById": current_user_id(request), "tagTypeIds": _check_tags(request, data.get("tagTypeIds")),
        "dismissingReasonId": None, "leadUrl": None, "active": True,
    })
    return json_response(LEAD(lead))


async def update_lead(request: Request) -> Response:
    lead = require(request, "leads", path_id(request), "Lead")
    data = await body(request, LEAD_UPDATE_BODY)
    _check_lead_refs(request, data)
    for key in ("campaignId", "priority", "businessUnitId", "jobTypeId"):
        if data.get(key) is not None:
            lead[key] = data[key]
    coll(request, "leads").touch(lead)
    return json_response(LEAD(lead))


async def dismiss_lead(request: Request) -> Response:
    lead = require(request, "leads", path_id(request), "Lead")
    data = await body(request, LEAD_DISMISS_BODY)
    if lead.get("status") != "Open":
        raise bad_request("Only open leads can be dismissed.",
                          {"id": [f"Lead {lead['id']} is {lead.get('status')}."]})
    lead.update(status="Dismissed", dismissingReasonId=data["dismissingReasonId"])
    coll(request, "leads").touch(lead)
    return no_content()


# ------------------------------------------------------------------------------------ contacts (GUIDs)


def _contact(request: Request) -> Record:
    raw = request.path_params["id"]
    if not _GUID.match(raw):
        raise bad_request("One or more validation errors occurred.", {"id": [f"'{raw}' is not a valid GUID."]})
    record = coll(request, "contacts").get(str(uuid.UUID(raw)))
    if record is None:
        raise not_found("Contact not found", {"id": [f"Contact {raw} does not exist."]})
    return record


def _is_archived_filter() -> Filter:
    def build(request: Request) -> Predicate | None:
        raw = request.query_params.get("isArchived")
        if raw is None or raw == "" or raw.lower() == "any":
            return None
        if raw.lower() not in ("true", "false"):
            raise bad_request("One or more validation errors occurred.",
                              {"isArchived": [f"The value '{raw}' is not valid. Values: True, False, Any."]})
        want = raw.lower() == "true"
        return lambda r: bool(r.get("isArchived")) == want

    return build


CONTACT_FILTERS = [
    f_contains("name"), f_contains("title"), f_contains("referenceId"), _is_archived_filter(), *CREATED_MODIFIED,
]


async def list_guid_contacts(request: Request) -> Response:
    rows = apply_filters(request, coll(request, "contacts").values(), CONTACT_FILTERS)
    raw = (request.query_params.get("sort") or "").strip()
    if raw.lstrip("+- ").lower() == "id":  # GUIDs: "Id" orders by creation
        rows = rows[::-1] if raw.startswith("-") else rows
    else:
        rows = apply_sort(request, rows)
    return paged(request, rows, CONTACT)


async def create_guid_contact(request: Request) -> Response:
    data = await body(request, GUID_CONTACT_CREATE_BODY)
    user = current_user_id(request)
    record = coll(request, "contacts").insert({
        "id": str(uuid.uuid4()), "referenceId": data.get("referenceId"), "name": data.get("name"),
        "title": data.get("title"), "isArchived": False, "createdBy": user, "modifiedBy": user,
    })
    return json_response(CONTACT(record))


async def get_guid_contact(request: Request) -> Response:
    return json_response(CONTACT(_contact(request)))


async def update_guid_contact(request: Request) -> Response:
    record = _contact(request)
    data = await body(request, GUID_CONTACT_UPDATE_BODY)
    if request.method == "PUT":  # replace: absent properties are cleared
        record.update({k: data.get(k) for k in ("name", "title", "referenceId")})
    else:
        record.update({k: data[k] for k in ("name", "title", "referenceId") if k in data})
    record.update(isArchived=data["isArchived"], modifiedBy=current_user_id(request))
    coll(request, "contacts").touch(record)
    return json_response(CONTACT(record))


async def delete_guid_contact(request: Request) -> Response:
    record = _contact(request)
    coll(request, "contacts").delete(record["id"])
    return no_content()


# ---------------------------------------------------------------------------------------------- routes


def routes() -> list[Route]:
    customer_shape = _with_external(CUSTOMER)
    location_shape = _with_external(LOCATION)
    return [
        # customers (fixed sub-paths before {id:int} ones; the int converter keeps them apart anyway)
        *_family_routes(CUSTOMERS),
        list_route("/customers", "customers", customer_shape, CUSTOMER_FILTERS),
        Route("/customers", create_customer, methods=["POST"]),
        get_route("/customers/{id:int}", "customers", customer_shape, "Customer"),
        Route("/customers/{id:int}", update_customer, methods=["PATCH"]),
        export_route("/export/customers", "customers", customer_shape),
        Route("/tags", bulk_tags, methods=["PUT", "DELETE"]),
        # locations
        *_family_routes(LOCATIONS),
        list_route("/locations", "locations", location_shape, LOCATION_FILTERS),
        Route("/locations", create_location, methods=["POST"]),
        get_route("/locations/{id:int}", "locations", location_shape, "Location"),
        Route("/locations/{id:int}", update_location, methods=["PATCH"]),
        export_route("/export/locations", "locations", location_shape),
        # bookings
        list_route("/bookings", "bookings", BOOKING, [f_ids("ids"), *CREATED_MODIFIED, f_equals("externalId")]),
        get_route("/bookings/{id:int}", "bookings", BOOKING, "Booking"),
        Route("/bookings/{id:int}/contacts", booking_contacts, methods=["GET"]),
        export_route("/export/bookings", "bookings", BOOKING.plus("active")),
        # leads
        list_route("/leads", "leads", LEAD, LEAD_FILTERS),
        Route("/leads", create_lead, methods=["POST"]),
        get_route("/leads/{id:int}", "leads", LEAD, "Lead"),
        Route("/leads/{id:int}", update_lead, methods=["PATCH"]),
        Route("/leads/{id:int}/dismiss", dismiss_lead, methods=["POST"]),
        export_route("/export/leads", "leads", LEAD.plus("active")),
        # contacts (GUID ids)
        Route("/contacts", list_guid_contacts, methods=["GET"]),
        Route("/contacts", create_guid_contact, methods=["POST"]),
        Route("/contacts/{id}", get_guid_contact, methods=["GET"]),
        Route("/contacts/{id}", update_guid_contact, methods=["PATCH", "PUT"]),
        Route("/contacts/{id}", delete_guid_contact, methods=["DELETE"]),
    ]
