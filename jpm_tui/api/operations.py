"""Machine-readable registry of the ServiceTitan operations this client implements.

Every resource method is decorated with `@operation(...)`, which records the HTTP method, the path
template relative to the tenant (`jobs/{id}/cancel`) and the document's operationId. `OPERATIONS` lists
them all (built on first access, so the resource modules can import this one), which lets contract tests
check that every documented or seeded operation has a method and drive each of them.

`source` says where an operation comes from: `"document"` = the May 2025 OpenAPI documents,
`"2026"` = newer than those documents (the 2026 reference pages / seeds 000 and 001); for the latter
`operation_id` is the 2026 name and the models are deliberately loose.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

__all__ = ["OPERATIONS", "Operation", "find_operation", "operation", "operations_for"]  # noqa: F822 - OPERATIONS: module __getattr__

Kind = Literal["get", "list", "export", "call"]
"""`list`: paged (`list_x` returns one `Paged[T]`, `iter_x` iterates all pages); `export`: an export feed
(yields the client's raw `ExportPage`); `get`: read one thing; `call`: everything else (writes)."""

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OperationSpec:
    http_method: str
    path: str
    operation_id: str | None
    kind: Kind
    source: Literal["document", "2026"]
    request: Any
    response: Any
    row: Any


@dataclass(frozen=True)
class Operation:
    module: str
    """URL module: `jpm`, `dispatch`, `settings` or `crm`."""
    api: str
    """Attribute of `ServiceTitanClient` holding the resource object (same as `module`)."""
    method_name: str
    http_method: str
    path: str
    """Template relative to `{api_url}/{module}/v2/tenant/{tenant}/`, e.g. `jobs/{id}/cancel`."""
    operation_id: str | None
    kind: Kind
    source: Literal["document", "2026"]
    request: Any
    """Request body model, or None when the operation takes no body."""
    response: Any
    """Response model (`Paged[Job]` for lists, `None` for empty answers and export feeds)."""
    row: Any
    """Row model of a list or export feed (what `parse_rows` turns rows into)."""

    @property
    def iter_name(self) -> str | None:
        """Name of the all-pages iterator of a list operation (`list_jobs` -> `iter_jobs`)."""
        if self.kind != "list":
            return None
        return "iter_" + self.method_name.removeprefix("list_")

    @property
    def path_params(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.path) if name]

    @property
    def document_path(self) -> str:
        """The path as the OpenAPI documents spell it: `/tenant/{tenant}/jobs/{id}/cancel`."""
        return "/tenant/{tenant}/" + self.path

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.module, self.http_method, self.path)


def operation(
    http_method: str,
    path: str,
    operation_id: str | None,
    *,
    kind: Kind = "call",
    source: Literal["document", "2026"] = "document",
    request: Any = None,
    response: Any = None,
    row: Any = None,
) -> Callable[[F], F]:
    """Mark a resource method as the implementation of one ServiceTitan operation."""

    spec = OperationSpec(http_method.upper(), path, operation_id, kind, source, request, response, row)

    def decorate(fn: F) -> F:
        fn.__st_operation__ = spec  # type: ignore[attr-defined]
        return fn

    return decorate


def operations_for(api_class: type) -> list[Operation]:
    """The operations one resource class implements, in definition order."""
    found: list[Operation] = []
    for name, member in vars(api_class).items():
        spec: OperationSpec | None = getattr(member, "__st_operation__", None)
        if spec is None:
            continue
        module = api_class.MODULE  # type: ignore[attr-defined]
        found.append(
            Operation(
                module=module,
                api=module,
                method_name=name,
                http_method=spec.http_method,
                path=spec.path,
                operation_id=spec.operation_id,
                kind=spec.kind,
                source=spec.source,
                request=spec.request,
                response=spec.response,
                row=spec.row,
            )
        )
    return found


_cache: list[Operation] | None = None


def _build() -> list[Operation]:
    from jpm_tui.api.crm import CrmApi
    from jpm_tui.api.dispatch import DispatchApi
    from jpm_tui.api.jpm import JpmApi
    from jpm_tui.api.settings import SettingsApi

    ops: list[Operation] = []
    for cls in (JpmApi, DispatchApi, SettingsApi, CrmApi):
        ops.extend(operations_for(cls))
    seen: set[tuple[str, str, str]] = set()
    for op in ops:
        if op.key in seen:
            raise RuntimeError(f"operation registered twice: {op.key}")
        seen.add(op.key)
    return ops


def find_operation(module: str, http_method: str, path: str) -> Operation | None:
    for op in _all():
        if op.key == (module, http_method.upper(), path):
            return op
    return None


def _all() -> list[Operation]:
    global _cache
    if _cache is None:
        _cache = _build()
    return _cache


def __getattr__(name: str) -> Any:
    if name == "OPERATIONS":
        return tuple(_all())
    raise AttributeError(name)
