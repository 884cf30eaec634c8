"""The operation registry: complete against seed 000 and the documents, and every method sends what it says.

No server here: a recording fake stands in for `ServiceTitanClient` (the sandbox tests are in
`test_operations_{jpm,dispatch,settings,crm}.py`).
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic.alias_generators import to_snake

from jpm_tui.api import operations as registry
from jpm_tui.api.crm import CrmApi
from jpm_tui.api.dispatch import DispatchApi
from jpm_tui.api.jpm import JpmApi
from jpm_tui.api.settings import SettingsApi

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEEDS = SHARED / "seeds"
REFERENCE = SHARED / "reference" / "servicetitan"
APIS = {"jpm": JpmApi, "dispatch": DispatchApi, "settings": SettingsApi, "crm": CrmApi}
OPS = registry.OPERATIONS

_SEED_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DEL|DELETE)\s+\{tenant\}/(\S+)\s*$")


def seed_operations() -> list[tuple[str, str, bool]]:
    """(method, path or path prefix, truncated) for each operation listed in seed 000.

    Long paths are cut short there (`projects/{projectId}/bud...`); two operations may share a prefix.
    """
    files = sorted(SEEDS.glob("000_*.txt"))
    if not files:
        pytest.skip(f"seed 000 not found under {SEEDS}")
    found: list[tuple[str, str, bool]] = []
    for line in files[0].read_text(encoding="utf-8").splitlines():
        m = _SEED_LINE.match(line.strip())
        if not m:
            continue
        method = "DELETE" if m.group(1) == "DEL" else m.group(1)
        path = m.group(2)
        truncated = path.endswith("...")
        path = path.removesuffix("...").split("?")[0]
        found.append((method, path, truncated))
    return found


def load_document(module: str) -> dict:
    path = REFERENCE / f"{module}-v2.json"
    if not path.exists():
        pytest.skip(f"reference document {path} not found")
    return json.loads(path.read_text(encoding="utf-8"))


# -------------------------------------------------------------------------------------- registry


def test_registry_counts():
    counts = {m: sum(1 for op in OPS if op.module == m) for m in APIS}
    assert counts == {"jpm": 69, "dispatch": 12, "settings": 11, "crm": 10}


def test_every_seed_000_operation_has_a_method():
    seeds = seed_operations()
    assert len(seeds) == 64, "seed 000 lists 64 JPM operations"
    jpm_ops = [op for op in OPS if op.module == "jpm"]
    taken: set[tuple[str, str]] = set()
    # Full paths first, then truncated prefixes (each must claim a distinct operation).
    for method, path, truncated in sorted(seeds, key=lambda s: s[2]):
        candidates = [
            op for op in jpm_ops
            if op.http_method == method and (op.path.startswith(path) if truncated else op.path == path)
            and (op.http_method, op.path) not in taken
        ]
        assert candidates, f"no method for seed operation {method} {path}{'...' if truncated else ''}"
        taken.add((candidates[0].http_method, candidates[0].path))


def test_document_operations_match_the_documents():
    for module in APIS:
        doc = load_document(module)
        for op in (o for o in OPS if o.module == module and o.source == "document"):
            entry = doc["paths"].get(op.document_path, {}).get(op.http_method.lower())
            assert entry is not None, f"{op.method_name}: {op.http_method} {op.document_path} not in {module}-v2.json"
            assert entry["operationId"] == op.operation_id, op.method_name


def test_2026_operations_are_not_in_the_2025_documents():
    doc = load_document("jpm")
    newer = [op for op in OPS if op.source == "2026"]
    assert len(newer) == 14  # 13 BudgetCodes + appointment summaries
    for op in newer:
        assert op.http_method.lower() not in doc["paths"].get(op.document_path, {}), op.method_name


def test_every_jpm_document_operation_is_implemented():
    doc = load_document("jpm")
    implemented = {(op.http_method, op.document_path) for op in OPS if op.module == "jpm"}
    for path, item in doc["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                assert (method.upper(), path) in implemented, f"{method.upper()} {path} has no JpmApi method"


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("dispatch", {
            "AppointmentAssignments_GetList", "AppointmentAssignments_AssignTechnicians",
            "AppointmentAssignments_UnassignTechnicians", "Export_AppointmentAssignments",
            "TechnicianShifts_GetList", "TechnicianShifts_Get", "Zone_GetList", "Zone_Get", "Team_GetList",
            "Team_Get", "ArrivalWindows_GetList", "BusinessHour_GetList",
        }),
        ("settings", {
            "Technicians_GetList", "Technicians_Get", "Export_Technicians", "Employees_GetList", "Employees_Get",
            "Export_Employees", "BusinessUnits_GetList", "BusinessUnits_Get", "Export_BusinessUnits",
            "TagTypes_GetList", "Export_TagTypes",
        }),
        ("crm", {
            "Customers_GetList", "Customers_Get", "ExportCustomers_GetCustomers", "Locations_GetList",
            "Locations_Get", "ExportLocations_Locations", "ExportContacts_CustomersContacts",
            "ExportContacts_LocationsContacts", "Customers_GetContactList", "Locations_GetContactList",
        }),
    ],
)
def test_board_operations_of_other_modules(module, expected):
    assert {op.operation_id for op in OPS if op.module == module} == expected


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.method_name)
def test_method_shape(op):
    cls = APIS[op.module]
    method = getattr(cls, op.method_name)
    sig = inspect.signature(method)
    # Path parameters are positional arguments, in order, named in snake_case.
    positional = [p.name for p in sig.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]
    wanted = [to_snake(name) for name in op.path_params]
    assert positional[: len(wanted)] == wanted
    if op.kind == "export":
        assert list(sig.parameters)[1:3] == ["from_token", "include_recent_changes"]
        assert op.row is not None
    if op.kind == "list":
        assert {"page", "page_size", "include_total"} <= set(sig.parameters)
        assert hasattr(cls, op.iter_name), f"{op.method_name} has no {op.iter_name}"
        assert op.row is not None
    if op.request is not None:
        assert "body" in sig.parameters
    assert op.method_name == op.method_name.lower()


# ---------------------------------------------------------------------------- driving every method


class RecordingClient:
    """Stands in for ServiceTitanClient: records calls, answers nothing."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def request(self, method, module, path, *, params=None, json=None):
        self.calls.append({"method": method, "module": module, "path": path, "params": params, "json": json})
        return None

    def paginate(self, module, path, *, params=None, page_size=500, include_total=False):
        self.calls.append({"method": "GET", "module": module, "path": path, "params": params, "paginate": page_size})

        async def pages():
            if False:
                yield None

        return pages()

    def export(self, module, path, *, from_token=None, include_recent_changes=False, params=None):
        self.calls.append(
            {"method": "GET", "module": module, "path": path, "from": from_token, "recent": include_recent_changes,
             "params": params}
        )

        async def pages():
            if False:
                yield None

        return pages()


def sample_value(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return sample_value(args[0])
    if origin in (typing.Union, __import__("types").UnionType):
        return sample_value(next(a for a in args if a is not type(None)))
    if origin in (list, typing.Sequence, __import__("collections.abc").abc.Sequence):
        return [sample_value(args[0])]
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return sample_request(annotation)
    if annotation is datetime:
        return datetime(2025, 5, 1, 12, tzinfo=UTC)
    if annotation is bool:
        return True
    if annotation is int:
        return 7
    if annotation is float:
        return 1.5
    if inspect.isclass(annotation) and issubclass(annotation, str):
        return next(iter(annotation)) if hasattr(annotation, "__members__") else "text"
    raise AssertionError(f"no sample for {annotation!r}")


def sample_request(model: type[BaseModel]) -> BaseModel:
    values = {name: sample_value(f.annotation) for name, f in model.model_fields.items() if f.is_required()}
    return model(**values)


def path_for(op, values: dict[str, int]) -> str:
    return op.path.format(**values)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.method_name)
async def test_method_sends_its_operation(op):
    client = RecordingClient()
    api = APIS[op.module](client)
    method = getattr(api, op.method_name)
    ids = {name: 100 + i for i, name in enumerate(op.path_params)}
    args: list[Any] = [ids[name] for name in op.path_params]
    kwargs: dict[str, Any] = {}
    sig = inspect.signature(method)
    if "codes" in sig.parameters:
        args.append(["01-100"])
    if "ids" in sig.parameters and sig.parameters["ids"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
        args.append([1, 2])
    if op.request is not None:
        request = op.request
        if typing.get_origin(request) is list:
            kwargs["body"] = [sample_request(typing.get_args(request)[0])]
        else:
            kwargs["body"] = sample_request(request)
    if op.kind == "export":
        kwargs.update(from_token="tok", include_recent_changes=True)
        async for _ in method(*args, **kwargs):
            pass
    else:
        await method(*args, **kwargs)
    assert len(client.calls) == 1
    call = client.calls[0]
    assert (call["method"], call["module"], call["path"]) == (op.http_method, op.module, path_for(op, ids))
    if op.kind == "export":
        assert call["from"] == "tok" and call["recent"] is True
    if op.request is not None:
        body = kwargs["body"]
        expected = [b.to_body() for b in body] if isinstance(body, list) else body.to_body()
        assert call["json"] == expected
    elif op.kind != "export":
        assert call.get("json") is None
    if op.kind == "list":
        iterator = getattr(api, op.iter_name)(*args)
        async for _ in iterator:
            pass
        assert client.calls[1]["path"] == call["path"] and "paginate" in client.calls[1]


async def test_list_filters_become_query_parameters():
    client = RecordingClient()
    await JpmApi(client).list_jobs(
        page=2, page_size=25, include_total=True, ids=[1, 2], job_status="Hold",
        modified_on_or_after=datetime(2025, 5, 1, tzinfo=UTC), technician_id=44,
    )
    assert client.calls[0]["params"] == {
        "ids": "1,2", "jobStatus": "Hold", "modifiedOnOrAfter": "2025-05-01T00:00:00Z", "technicianId": "44",
        "page": "2", "pageSize": "25", "includeTotal": "true",
    }
    async for _ in JpmApi(client).iter_appointments(page_size=100, technician_id=5, job_id=None):
        pass
    assert client.calls[1]["params"] == {"technicianId": "5"} and client.calls[1]["paginate"] == 100


async def test_unknown_filter_fails_before_the_network():
    client = RecordingClient()
    with pytest.raises(TypeError, match="jobstatus"):
        await JpmApi(client).list_jobs(jobstatus="Hold")
    with pytest.raises(TypeError):  # iterators check on first use
        async for _ in DispatchApi(client).iter_zones(zone_name="x"):
            pass
    assert client.calls == []
