"""The wire models against ServiceTitan's OpenAPI documents.

For every documented operation in the registry: the response (or export/list row) model has exactly the
documented properties (plus the README's 2026 additions), the same required set, and parses and round-trips
a payload built from the document's schema; every request model accepts a body with every documented
property, requires what the document requires, and writes it back unchanged.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from jpm_tui.api.models import ExportResponse, Paged
from jpm_tui.api.operations import OPERATIONS

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "servicetitan"

ADDED_2026 = {
    "Job": {"partnerLeadCallId", "createdFromEstimateId", "estimateIds", "equipmentIds", "isAutoDispatched",
            "summaryOfWork"},
    "ExportJob": {"partnerLeadCallId", "createdFromEstimateId", "estimateIds", "equipmentIds", "isAutoDispatched",
                  "summaryOfWork"},
    "Appointment": {"active", "appointmentSummaries"},
    "ExportAppointment": {"appointmentSummaries"},
}

_docs: dict[str, dict] = {}


def document(module: str) -> dict:
    if module not in _docs:
        path = REFERENCE / f"{module}-v2.json"
        if not path.exists():
            pytest.skip(f"reference document {path} not found")
        _docs[module] = json.loads(path.read_text(encoding="utf-8"))
    return _docs[module]


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        schema = (doc.get("definitions") or doc["components"]["schemas"])[name]
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            return resolve(doc, schema[key][0])
    return schema


def example(doc: dict, schema: dict, *, required_only: bool = False) -> Any:
    schema = resolve(doc, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        return [example(doc, schema.get("items", {}), required_only=required_only)]
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        names = schema.get("required", []) if required_only else list(props)
        return {name: example(doc, props[name], required_only=required_only) for name in names}
    if kind == "integer":
        return 7
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2025-05-01T12:30:00Z"
    if fmt == "duration":
        return "04:00:00"
    return "text"


def response_schema(doc: dict, op) -> dict | None:
    entry = doc["paths"][op.document_path][op.http_method.lower()]
    ok = entry["responses"].get("200", {})
    if "schema" in ok:  # Swagger 2.0
        return ok["schema"]
    content = ok.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    return media["schema"] if media else None


def request_schema(doc: dict, op) -> dict | None:
    entry = doc["paths"][op.document_path][op.http_method.lower()]
    if "requestBody" in entry:
        return entry["requestBody"]["content"]["application/json"]["schema"]
    for param in entry.get("parameters", []):
        if param.get("in") == "body":
            return param["schema"]
    return None


def response_model(op) -> Any:
    if op.kind == "export":
        return ExportResponse[op.row]
    return op.response


def nested_models(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """alias -> nested model class, for fields holding models (or lists of them)."""
    found = {}
    for name, field in model.model_fields.items():
        stack = [field.annotation]
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                found[field.alias or name] = ann
            stack.extend(typing.get_args(ann))
    return found


def compare_fields(doc: dict, model: type[BaseModel], schema: dict, where: str) -> None:
    schema = resolve(doc, schema)
    props = schema.get("properties", {})
    aliases = {f.alias or n: f for n, f in model.model_fields.items()}
    extra_ok = ADDED_2026.get(model.__name__, set())
    assert set(aliases) - extra_ok == set(props), f"{where}: {model.__name__} fields differ from the document"
    required = {a for a, f in aliases.items() if f.is_required()}
    assert required == set(schema.get("required", [])), f"{where}: {model.__name__} required set differs"
    for alias, sub in nested_models(model).items():
        if alias in props:
            sub_schema = resolve(doc, props[alias])
            if sub_schema.get("type") == "array":
                sub_schema = resolve(doc, sub_schema.get("items", {}))
            if sub_schema.get("properties") and sub.__name__ not in {"Paged", "ExportResponse"}:
                compare_fields(doc, sub, sub_schema, f"{where}.{alias}")


DOCUMENTED = [op for op in OPERATIONS if op.source == "document"]


@pytest.mark.parametrize(
    "op", [op for op in DOCUMENTED if response_model(op) is not None], ids=lambda op: op.method_name
)
def test_response_model_matches_document(op):
    doc = document(op.module)
    schema = response_schema(doc, op)
    assert schema is not None, f"{op.method_name}: the document has no 200 body"
    model = response_model(op)
    for required_only in (False, True):
        payload = example(doc, schema, required_only=required_only)
        payload_copy = json.loads(json.dumps(payload))
        parsed = model.model_validate(payload)
        assert parsed.model_dump(mode="json", exclude_unset=True) == payload_copy
    resolved = resolve(doc, schema)
    row_schema = resolved.get("properties", {}).get("data")
    if op.row is not None and row_schema is not None:
        compare_fields(doc, op.row, resolve(doc, row_schema)["items"], op.method_name)
    elif isinstance(model, type) and issubclass(model, BaseModel) and not issubclass(model, (Paged, ExportResponse)):
        compare_fields(doc, model, schema, op.method_name)


@pytest.mark.parametrize("op", [op for op in DOCUMENTED if op.request is not None], ids=lambda op: op.method_name)
def test_request_model_matches_document(op):
    doc = document(op.module)
    schema = request_schema(doc, op)
    assert schema is not None, f"{op.method_name}: the document has no request body"
    for required_only in (False, True):
        payload = example(doc, schema, required_only=required_only)
        body = op.request.model_validate(payload).to_body()
        assert body == payload
    compare_fields(doc, op.request, schema, op.method_name)
    assert resolve(doc, schema).get("additionalProperties") is False


@pytest.mark.parametrize("op", [op for op in DOCUMENTED if op.request is None], ids=lambda op: op.method_name)
def test_operations_without_request_model_take_no_body(op):
    assert request_schema(document(op.module), op) is None
