"""ServiceTitan's own documents as the contract of every exchange the client makes.

`ContractTransport` wraps the transport of a `ServiceTitanClient`: each request the client sends is
validated against the documented request schema and each answer (success or error) against the documented
response schema, with openapi-core for the OpenAPI 3.0 documents (jpm, dispatch, settings). The CRM
document is Swagger 2.0, which openapi-core does not read; its responses are checked with jsonschema
through the schemas the sandbox tests already derive from it. Operations newer than the May 2025
documents (BudgetCodes/WBS, appointment holds, summaries) are recorded as not covered by the documents,
and their errors are still checked for the six ApiErrorResponse fields.
"""

from __future__ import annotations

import copy
import functools
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict

from support.st_docs import REFERENCE, check_documented, check_documented_error, load_doc

DOCUMENT_HOST = "https://api-integration.servicetitan.io"
OPENAPI3_MODULES = ("jpm", "dispatch", "settings")


@functools.cache
def openapi(module: str) -> OpenAPI | None:
    doc = load_doc(module)
    if doc is None or module not in OPENAPI3_MODULES:
        return None
    return OpenAPI.from_dict(_nullable_refs(copy.deepcopy(doc), doc["components"]["schemas"]))


def _nullable_refs(node: object, schemas: dict) -> object:
    """The documents write a nullable reference as `{"nullable": true, "oneOf": [{"$ref": ...}]}`. Under
    OpenAPI 3.0.3 `nullable` without a sibling `type` means nothing, so a strict validator refuses the null
    ServiceTitan actually sends. Inline the referenced schema next to `nullable` (the documents' intent)."""
    if isinstance(node, list):
        return [_nullable_refs(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_refs(value, schemas) for key, value in node.items()}
    for combo in ("oneOf", "allOf"):
        inner = node.get(combo)
        if node.get("nullable") and "type" not in node and isinstance(inner, list) and len(inner) == 1 \
                and "$ref" in inner[0]:
            target = schemas[inner[0]["$ref"].rsplit("/", 1)[1]]
            rest = {k: v for k, v in node.items() if k != combo}
            inlined = {**_nullable_refs(target, schemas), **rest}
            if "enum" in inlined:  # 3.0.3: a nullable enum must list null itself
                inlined["enum"] = [*inlined["enum"], None]
            return inlined
    return node


class _Request:
    """openapi-core's Request protocol over an httpx.Request, re-addressed to the document's server."""

    def __init__(self, request: httpx.Request) -> None:
        self.host_url = DOCUMENT_HOST
        self.path = request.url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode(), keep_blank_values=True)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = request.headers.get("content-type", "application/json").split(";")[0]
        self.body = request.content or None

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "application/json").split(";")[0]
        self.headers = Headers(dict(response.headers))
        self.data = response.content


@dataclass
class Contract:
    """What the transport saw: counts per outcome and every violation (with the exchange)."""

    checked: Counter = field(default_factory=Counter)
    operations: set = field(default_factory=set)
    undocumented: set = field(default_factory=set)
    violations: list[str] = field(default_factory=list)

    def check(self, request: httpx.Request, response: httpx.Response) -> None:
        module, _, rest = request.url.path.lstrip("/").partition("/v2/tenant/")
        if module not in ("jpm", "dispatch", "settings", "crm"):
            return  # the token endpoint: OAuth, not part of these documents
        path = rest.partition("/")[2]
        where = f"{request.method} {module}/{path} -> {response.status_code}"
        try:
            if module == "crm":
                self._check_swagger2(request, response, path)
            else:
                self._check_openapi3(module, request, response, where)
        except Exception as exc:  # a violation: keep the exchange for the failure message
            self.violations.append(f"{where}: {type(exc).__name__}: {exc}\n  request: {request.content[:300]!r}\n"
                                   f"  response: {response.content[:300]!r}")

    def _check_openapi3(self, module: str, request: httpx.Request, response: httpx.Response, where: str) -> None:
        spec = openapi(module)
        wrapped = _Request(request)
        try:
            spec.validate_request(wrapped)
        except (PathNotFound, OperationNotFound):
            self.undocumented.add(f"{request.method} {module} {wrapped.path.split('/v2/tenant/')[1].split('/', 1)[1]}")
            if response.is_error:
                check_documented_error(response.json())
            self.checked["undocumented"] += 1
            return
        except Exception:
            # A request the document forbids must be refused; accepting it is the violation.
            if not response.is_error:
                raise
            self.checked["refused"] += 1
        self.operations.add((module, request.method, self._template(spec, wrapped)))
        self.checked["requests"] += 1
        try:
            spec.validate_response(wrapped, _Response(response))
        except ResponseNotFound:
            # Statuses every operation can answer but few document (401, 403, 429, 5xx): RFC 7807 still.
            check_documented_error(response.json())
        self.checked["errors" if response.is_error else "responses"] += 1

    def _check_swagger2(self, request: httpx.Request, response: httpx.Response, path: str) -> None:
        template = _crm_template(request.method, path)
        if template is None:
            self.undocumented.add(f"{request.method} crm {path}")
            return
        self.operations.add(("crm", request.method, template))
        if response.is_error:
            check_documented_error(response.json())
            self.checked["errors"] += 1
        elif response.content:
            check_documented("crm", request.method.lower(), template, response.json(), str(response.status_code))
            self.checked["responses"] += 1

    @staticmethod
    def _template(spec: OpenAPI, request: _Request) -> str:
        from openapi_core.templating.paths.finders import APICallPathFinder

        found = APICallPathFinder(spec.spec).find(request.method, request.full_url_pattern)
        return found.path.name if hasattr(found.path, "name") else str(found.path)


def _crm_template(method: str, path: str) -> str | None:
    """The CRM document's path template (relative to the tenant) that `path` matches, if any."""
    doc = load_doc("crm")
    parts = path.strip("/").split("/")
    for template, operations in doc["paths"].items():
        if method.lower() not in operations:
            continue
        pattern = template.split("/tenant/{tenant}/", 1)[-1].split("/")
        if len(pattern) == len(parts) and all(p.startswith("{") or p == q for p, q in zip(pattern, parts)):
            return "/".join(pattern)
    return None


SESSION = Contract()
"""Everything the contract saw in this test run (reported at the end of the run by conftest.py)."""


class ContractTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, contract: Contract) -> None:
        self._inner = inner
        self.contract = contract

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.contract.check(request, response)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def documents_present() -> bool:
    return (REFERENCE / "jpm-v2.json").exists()
