"""Assembles the FSM Navigator sandbox: `/api/v1/jobs`, `/customers`, `/technicians`, `/assets`, admin
endpoints under `/_sandbox/`, and one middleware that gives each API request its `request_id`, checks the
`X-API-Key`, injects the failures a test asked for, applies the rate limit and answers anything unexpected
with FSM Navigator's error body.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..state import iso
from .data import generate
from .directory import assets_endpoint, customers_endpoint, technicians_endpoint
from .http import ApiFailure, request_id
from .jobs import jobs_endpoint
from .limits import KeyRateLimiter, rate_limited
from .state import FsmState

API_PREFIX = "/api/v1/"

# Injected failures (state.fail_next): the code and words each status answers with.
_INJECTED = {500: ("internal_error", "An unexpected error occurred."),
             502: ("bad_gateway", "Bad gateway."),
             503: ("service_unavailable", "The service is temporarily unavailable. Please retry later.")}


class FsmMiddleware:
    def __init__(self, app: ASGIApp, limiter: KeyRateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        rid = secrets.token_hex(6)
        scope["fsm.request_id"] = rid
        headers = {"X-Request-Id": rid}
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []),
                                      *((k.lower().encode(), v.encode()) for k, v in headers.items())]
            await send(message)

        try:
            headers.update(self._admit(scope))
            await self.app(scope, receive, with_headers)
        except ApiFailure as failure:
            await failure.response(rid)(scope, receive, with_headers)
        except Exception:
            if started:
                raise
            # No traceback in the body: a real API leaks none either.
            await ApiFailure(500, "internal_error", "An unexpected error occurred.").response(rid)(
                scope, receive, with_headers)

    def _admit(self, scope: Scope) -> dict[str, str]:
        """The checks before any handler runs: key, injected failure, rate limit (only a known key has a
        quota). Returns the rate-limit headers for the answer."""
        state: FsmState = scope["app"].state.fsm
        key = Request(scope).headers.get("x-api-key")
        if not key:
            raise ApiFailure(401, "unauthorized", "Missing API key: send it in the X-API-Key header")
        if not secrets.compare_digest(key.encode(), state.api_key.encode()):
            raise ApiFailure(401, "unauthorized", "Invalid API key")
        if state.fail_next:
            status = state.fail_next.pop(0)
            if status == 429:
                raise rate_limited(1)
            code, message = _INJECTED.get(status, ("injected_failure", "Injected failure."))
            raise ApiFailure(status, code, message, headers={"Retry-After": "1"} if status == 503 else None)
        return self.limiter.check(key, state.rate_limit, state.rate_window)


# ------------------------------------------------------------------------------------------------ admin


async def health(request: Request) -> JSONResponse:
    state: FsmState = request.app.state.fsm
    return JSONResponse({"status": "ok", "now": iso(state.now()),
                         "counts": {kind: len(rows) for kind, rows in state.records.items()}})


async def reset(request: Request) -> JSONResponse:
    request.app.state.fsm.reset()
    request.app.state.limiter.clear()
    return JSONResponse({"status": "reset"})


# --------------------------------------------------------------------------------------------- assembly

_HTTP_CODES = {404: ("not_found", "No such endpoint: {path}"),
               405: ("method_not_allowed", "{method} is not allowed on {path}")}


async def _failure_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiFailure)
    return exc.response(request_id(request))


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, words = _HTTP_CODES.get(exc.status_code, ("http_error", str(exc.detail)))
    message = words.format(path=request.url.path, method=request.method)
    return ApiFailure(exc.status_code, code, message, headers=dict(exc.headers or {})).response(request_id(request))


def build_state(*, jobs: int = 300, seed: int = 1, now: datetime | None = None, frozen: bool = False,
                hostile: bool = False, **settings: Any) -> FsmState:
    """A state loaded with the seeded data as of `now` (the wall clock when None). `frozen` also stops the
    clock at `now` (tests). `hostile` adds jobs whose titles carry markup, escapes, bidi and zero-width text.
    `settings`: FsmState keywords (api_key, rate_limit, rate_window)."""
    state = FsmState(seed=seed, now=now if frozen else None, **settings)
    state.load(generate(seed=seed, jobs=jobs, now=now or state.now(), hostile=hostile))
    return state


def create_app(state: FsmState | None = None) -> Starlette:
    """The sandbox ASGI app serving `state` (default: `build_state()`, on the wall clock)."""
    limiter = KeyRateLimiter()
    any_method = ["GET", "POST", "PUT", "PATCH"]
    app = Starlette(
        routes=[
            Route("/api/v1/jobs", jobs_endpoint, methods=any_method),
            Route("/api/v1/customers", customers_endpoint, methods=["GET"]),
            Route("/api/v1/technicians", technicians_endpoint, methods=["GET"]),
            Route("/api/v1/assets", assets_endpoint, methods=["GET"]),
            Route("/_sandbox/health", health, methods=["GET"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
        ],
        middleware=[Middleware(FsmMiddleware, limiter=limiter)],
        exception_handlers={ApiFailure: _failure_handler, HTTPException: _http_handler},
    )
    app.state.fsm = state if state is not None else build_state()
    app.state.limiter = limiter
    return app
