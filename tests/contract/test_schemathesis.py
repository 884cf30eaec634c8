"""Schemathesis runs ServiceTitan's four documents (JPM, Dispatch, Settings, CRM) against the sandbox.

For every documented operation the client covers, generated requests (valid and invalid ones) must never
get a 5xx, every answer must conform to the documented response schema, status code and content type, and
a request the document forbids must be refused with a 4xx. Bounded examples and a fixed seed keep it
repeatable and inside the CI budget.
"""

from __future__ import annotations

import copy

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from support.st_docs import TIMESPAN_PATTERN, auth_headers, load_doc, server_url

from jpm_tui.api.operations import OPERATIONS
from jpm_tui.sandbox.state import TENANT

# Findings not fixed yet, each a sandbox gap to close (listed in the issue notes), not a tolerance. None open:
# the arrival window TimeSpan and the CRM `$ref` query parameters are read as the documents mean them (see
# `_timespans` and `_inline_parameter_refs`), and every operation the client covers runs.
OPEN_FINDINGS: dict[tuple[str, str, str], str] = {}
COVERED = {(op.module, op.http_method, op.path) for op in OPERATIONS if op.source == "document"} - set(OPEN_FINDINGS)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance,
          negative_data_rejection]


def _schema(module: str):
    doc = load_doc(module)
    if doc is None:
        return None
    doc = copy.deepcopy(doc)
    # The tenant is fixed: the sandbox serves one; fuzzing it only tests the tenant check.
    doc["paths"] = {path.replace("{tenant}", str(TENANT)): {
        method: {**operation, "parameters": [p for p in operation.get("parameters", []) if p.get("name") != "tenant"]}
        if isinstance(operation, dict) else operation
        for method, operation in item.items()}
        for path, item in doc["paths"].items()}
    if "definitions" in doc:
        _optional_is_nullable(doc["definitions"])
        _inline_parameter_refs(doc)
    _timespans(doc)
    schema = schemathesis.openapi.from_dict(doc)
    prefix = f"/tenant/{TENANT}/"
    return schema.include(
        func=lambda ctx: (module, ctx.operation.method.upper(), ctx.operation.path.removeprefix(prefix)) in COVERED)


def _optional_is_nullable(definitions: dict) -> None:
    """Swagger 2.0 (the CRM document) cannot say "nullable", and ServiceTitan sends null for optional
    properties; `x-nullable` is the Swagger 2.0 extension Schemathesis reads for exactly that."""
    for definition in definitions.values():
        required = set(definition.get("required", []))
        for name, prop in definition.get("properties", {}).items():
            if name not in required:
                prop["x-nullable"] = True


def _inline_parameter_refs(doc: dict) -> None:
    """The CRM document (Swagger 2.0) types the customers and locations lists' `active` query parameter as
    `{"type": "string", "allOf": [{"$ref": "#/definitions/ActiveRequestArg"}]}`. Swagger 2.0 allows a schema
    (and so `$ref`/`allOf`) only on body parameters, so Schemathesis cannot generate these operations. The
    document's meaning is plain: the definition is a string enum (True, Any, False). Resolve it into the
    parameter, in this in-memory copy only: the shared document is never edited."""
    definitions = doc["definitions"]
    for item in doc["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                if param.get("in") == "body":
                    continue
                for combo in ("allOf", "oneOf", "anyOf"):
                    refs = param.pop(combo, None)
                    for ref in refs or ():
                        target = definitions[ref["$ref"].rsplit("/", 1)[1]]
                        param.update({k: v for k, v in target.items() if k in ("type", "enum", "format")})


def _timespans(node: object) -> None:
    """`format: duration` in the Dispatch document is a .NET TimeSpan (`support.st_docs.TIMESPAN_PATTERN` says why):
    check (and generate) TimeSpan text rather than ISO 8601 durations. In memory only."""
    if isinstance(node, list):
        for item in node:
            _timespans(item)
    elif isinstance(node, dict):
        if node.get("format") == "duration" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIMESPAN_PATTERN
        for value in node.values():
            _timespans(value)


def _run(module: str):
    schema = _schema(module)
    if schema is None:
        return pytest.mark.skip(reason="ServiceTitan's documents are not at ../shared/reference/servicetitan")(
            lambda: None)

    @schema.parametrize()
    @settings(max_examples=4, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def test(case, sandbox_server):
        url = server_url(sandbox_server)
        base = f"{url}/{module}/v2"
        case.call_and_validate(base_url=base, headers=auth_headers(url), checks=CHECKS)

    return test


test_jpm = _run("jpm")
test_dispatch = _run("dispatch")
test_settings = _run("settings")
test_crm = _run("crm")
