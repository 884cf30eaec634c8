"""Helpers for the sandbox route tests: clients per module, ApiErrorResponse checks, and validation of
response bodies against ServiceTitan's own documents (when `../shared/reference/servicetitan/` exists).

The documents are read, never copied: a response is checked against the schema the document gives for
the operation (`additionalProperties: false` included), so a field the sandbox invents or forgets fails.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema

# The Dispatch document types arrival window `start`/`duration` and non-job appointment `duration` as
# `{"type": "string", "format": "duration"}`, and describes them as "TimeSpan. I.e. \"09:00\"". `duration` is
# what its generator (NJsonSchema) writes for a .NET System.TimeSpan; ServiceTitan serializes a TimeSpan as
# its constant text `[d.]hh:mm:ss[.fffffff]` ("07:00:00"), not as the ISO 8601 duration ("PT7H") the JSON
# Schema format names. The tests read the format as the document's descriptions say: TimeSpan text.
TIMESPAN_PATTERN = r"^(\d+\.)?([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,7})?)?$"

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "servicetitan"
API_ERROR_FIELDS = {"type", "title", "status", "traceId", "errors", "data"}


@functools.cache
def load_doc(module: str) -> dict | None:
    path = REFERENCE / f"{module}-v2.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _definitions(doc: dict) -> dict:
    return doc.get("components", {}).get("schemas") or doc.get("definitions") or {}


def _to_json_schema(doc: dict, schema: dict, *, swagger2: bool, depth: int = 0) -> dict:
    """OpenAPI 3.0 / Swagger 2.0 schema -> JSON Schema (refs inlined, nullable honoured)."""
    defs = _definitions(doc)
    if depth > 40:
        return {}
    if "$ref" in schema:
        target = defs[schema["$ref"].split("/")[-1]]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return _to_json_schema(doc, {**target, **extra}, swagger2=swagger2, depth=depth + 1)
    for combo in ("allOf", "oneOf", "anyOf"):
        if combo in schema and len(schema[combo]) == 1:
            rest = {k: v for k, v in schema.items() if k != combo}
            inner = _to_json_schema(doc, schema[combo][0], swagger2=swagger2, depth=depth + 1)
            if rest.get("nullable") or rest.get("x-nullable"):
                return _nullable(inner)
            return inner
    out: dict[str, Any] = {}
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required", []))
        props = {}
        for name, sub in schema.get("properties", {}).items():
            converted = _to_json_schema(doc, sub, swagger2=swagger2, depth=depth + 1)
            # Swagger 2.0 cannot say "nullable": ServiceTitan sends null for its optional properties.
            if sub.get("nullable") or sub.get("x-nullable") or (swagger2 and name not in required):
                converted = _nullable(converted)
            props[name] = converted
        out.update(type="object", properties=props, required=sorted(required))
        additional = schema.get("additionalProperties")
        if additional is False:
            out["additionalProperties"] = False
        elif isinstance(additional, dict):
            out["additionalProperties"] = _to_json_schema(doc, additional, swagger2=swagger2, depth=depth + 1)
    elif kind == "array":
        out.update(type="array", items=_to_json_schema(doc, schema.get("items", {}), swagger2=swagger2,
                                                       depth=depth + 1))
    elif kind:
        out["type"] = kind
        if "enum" in schema:
            out["enum"] = list(dict.fromkeys(schema["enum"]))
        if schema.get("format") == "date-time":
            out["format"] = "date-time"
        if schema.get("format") == "duration":
            out["pattern"] = TIMESPAN_PATTERN
    if schema.get("nullable") or schema.get("x-nullable"):
        out = _nullable(out)
    return out


def _nullable(schema: dict) -> dict:
    if not schema:
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
_FORMATS = jsonschema.FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@functools.cache
def response_schema(module: str, method: str, path: str, status: str = "200") -> dict | None:
    """The JSON Schema of a documented response; None when the documents are absent."""
    doc = load_doc(module)
    if doc is None:
        return None
    op = doc["paths"]["/tenant/{tenant}/" + path.lstrip("/")][method.lower()]
    response = op["responses"][status]
    if "content" in response:
        schema = next(iter(response["content"].values()))["schema"]
    else:
        schema = response.get("schema")
    if schema is None:
        return None
    return _to_json_schema(doc, schema, swagger2="swagger" in doc)


@functools.cache
def request_schema(module: str, method: str, path: str) -> dict | None:
    doc = load_doc(module)
    if doc is None:
        return None
    op = doc["paths"]["/tenant/{tenant}/" + path.lstrip("/")][method.lower()]
    if "requestBody" in op:
        schema = next(iter(op["requestBody"]["content"].values()))["schema"]
    else:
        schema = next((p["schema"] for p in op.get("parameters", []) if p.get("in") == "body"), None)
    return None if schema is None else _to_json_schema(doc, schema, swagger2="swagger" in doc)


def check_documented(module: str, method: str, path: str, body: Any, status: str = "200") -> None:
    """Assert `body` is valid for the documented response (no-op when the documents are absent)."""
    validator = _validator("response", module, method, path, status)
    if validator is not None:
        _raise_first(validator, body)


def check_request(module: str, method: str, path: str, body: Any) -> None:
    """Assert a body the tests send is valid for the document (keeps the tests honest)."""
    validator = _validator("request", module, method, path, "")
    if validator is not None:
        _raise_first(validator, body)


@functools.cache
def _validator(kind: str, module: str, method: str, path: str, status: str):
    schema = (response_schema(module, method, path, status) if kind == "response"
              else request_schema(module, method, path))
    if schema is None:
        return None
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=_FORMATS)


def _raise_first(validator, instance) -> None:
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def assert_problem(response, status: int, field: str | None = None) -> dict:
    """An ApiErrorResponse with all six fields; `field` (if given) is named in `errors`."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0] in ("application/problem+json", "application/json")
    body = response.json()
    assert set(body) >= API_ERROR_FIELDS, body
    assert body["status"] == status
    assert isinstance(body["errors"], dict) and isinstance(body["data"], dict)
    assert isinstance(body["title"], str) and body["title"]
    if field is not None:
        assert any(field.lower() in key.lower() for key in body["errors"]), body
    check_documented_error(body)
    return body


def check_documented_error(body: dict) -> None:
    validator = _error_validator()
    if validator is not None:
        _raise_first(validator, body)


@functools.cache
def _error_validator():
    doc = load_doc("dispatch")
    if doc is None:
        return None
    schema = _to_json_schema(doc, {"$ref": "#/components/schemas/ApiErrorResponse"}, swagger2=False)
    return jsonschema.validators.validator_for(schema)(schema)


def export_all(client, path: str, params: dict | None = None, limit: int = 1000) -> tuple[list[dict], str]:
    """Follow an export feed to its end; returns every row and the last continuation token."""
    rows: list[dict] = []
    token = None
    for _ in range(limit):
        query = dict(params or {})
        if token is not None:
            query["from"] = token
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"hasMore", "continueFrom", "data"}
        rows.extend(page["data"])
        token = page["continueFrom"]
        if not page["hasMore"]:
            return rows, token
    raise AssertionError("export feed never ended")


# ------------------------------------------------------------------------------------------ clients

TENANT = 1234567
CLIENT_ID, CLIENT_SECRET, APP_KEY = "sandbox-client", "sandbox-secret", "sandbox-app-key"


def server_url(server) -> str:
    for name in ("url", "base_url", "api_url"):
        value = getattr(server, name, None)
        if value:
            return str(value).rstrip("/")
    return str(server).rstrip("/")


def server_state(server, fallback=None):
    return getattr(server, "state", None) or fallback


@functools.cache
def _token(url: str) -> str | None:
    import httpx

    response = httpx.post(f"{url}/connect/token", data={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    return response.json()["access_token"] if response.status_code == 200 else None


def auth_headers(url: str) -> dict[str, str]:
    headers = {"ST-App-Key": APP_KEY}
    token = _token(url)  # tokens stay valid across tests (the session server keeps them over resets)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def module_client(server, module: str):
    import httpx

    url = server_url(server)
    tenant = getattr(server, "tenant", None) or TENANT
    return httpx.Client(base_url=f"{url}/{module}/v2/tenant/{tenant}/", headers=auth_headers(url), timeout=10)


# ------------------------------------------------------------------------------------------ fixtures data


def ensure_basics(state) -> None:
    """Make sure the records these tests lean on exist (documented shapes), whatever the seed holds:
    a business unit, user roles of both kinds, two tag types, two active and one inactive technician, a job."""

    def need(name, n, make):
        have = list(state[name].values())
        for i in range(len(have), n):
            state[name].insert(make(i))

    need("business_units", 1, lambda i: {
        "active": True, "name": f"Test Unit {i}", "officialName": None, "email": None, "currency": "USD",
        "phoneNumber": None, "invoiceHeader": None, "invoiceMessage": None, "defaultTaxRate": 0.0,
        "authorizationParagraph": None, "acknowledgementParagraph": None, "address": None, "materialSku": None,
        "quickbooksClass": None, "accountCode": None, "franchiseId": None, "conceptCode": None,
        "corporateContractNumber": None, "tenant": None, "externalData": None})
    bu = next(iter(state["business_units"].values()))["id"]
    roles = list(state["user_roles"].values())
    for kind in ("Technician", "Employee"):
        if not any(r.get("employeeType") == kind for r in roles):
            state["user_roles"].insert({"active": True, "name": f"Test {kind}", "employeeType": kind})
    need("tag_types", 2, lambda i: {
        "name": f"Test Tag {i}", "color": "#336699", "code": f"T{i}", "importance": None,
        "isConversionOpportunity": False, "allowToUseOnTimesheetActivity": False, "active": True})

    def technician(i, active=True):
        return {
            "userId": state.next_id(), "name": f"Test Technician {i}", "roleIds": [], "businessUnitId": bu,
            "mainZoneId": None, "zoneIds": [], "email": None, "phoneNumber": None, "loginName": None, "home": None,
            "dailyGoal": 0, "isManagedTech": True, "customFields": [], "active": active, "aadUserId": None,
            "burdenRate": 0, "team": None, "jobFilter": None, "permissions": [], "accountLocked": False}

    active = [t for t in state["technicians"].values() if t.get("active")]
    for i in range(len(active), 2):
        state["technicians"].insert(technician(i))
    if not any(t.get("active") is False for t in state["technicians"].values()):
        state["technicians"].insert(technician(9, active=False))
    need("jobs", 1, lambda i: {"jobNumber": f"T{i}", "customerId": None, "locationId": None, "jobStatus": "Scheduled"})
