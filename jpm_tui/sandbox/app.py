"""Assembles the sandbox: routes of every module under `/{module}/v2/tenant/{tenant}/`, the token endpoint,
admin endpoints under `/_sandbox/`, and one middleware that applies ServiceTitan's gatekeeping (auth,
rate limit), the fault switches and the last-resort 500, all answering with ApiErrorResponse bodies.
"""

from __future__ import annotations

import gc
import importlib
import os
from datetime import datetime
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import check_api_request, token_endpoint
from .faults import ConnectionDropped, RateLimiter, is_api_path, mangling_send, plan_request
from .http import ProblemError, json_response, problem
from .state import SandboxState, iso

MODULES = ("jpm", "dispatch", "settings", "crm")
EXPORT_WORKERS = 2 if (os.cpu_count() or 1) > 1 else 0
"""Processes that make a world at scale's export rows beside the server (export_workers.py): a row costs a worker
~50 µs and the server little, so on two cores two workers keep both busy while a client reads; on one core they
would only take turns with the server (and each make the world again first)."""

_HTTP_TITLES = {404: "The requested resource was not found.", 405: "The HTTP method is not allowed for this resource."}


class SandboxMiddleware:
    """Auth, rate limit and faults for API paths; ApiErrorResponse for anything that goes wrong."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._handle(scope, receive, tracking_send)
        except ConnectionDropped:
            raise  # the point of the fault: the server lets the connection die
        except ProblemError as exc:
            if started:
                raise
            await exc.response()(scope, receive, send)
        except Exception:
            if started:
                raise
            # No traceback in the body: ServiceTitan never leaks one either.
            await problem(500, "An unexpected error occurred.")(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if is_api_path(scope):
            state: SandboxState = scope["app"].state.sandbox
            check_api_request(state, Request(scope))
            self.limiter.check((state.app_key, state.tenant), state.rate_limit)
            send = mangling_send(send, await plan_request(state))
        await self.app(scope, receive, send)


# ------------------------------------------------------------------------------------------- admin


async def health(request: Request) -> JSONResponse:
    state: SandboxState = request.app.state.sandbox
    sizes = {name: c.known_len() for name, c in state.collections.items()}
    counts = {name: n for name, n in sizes.items() if n}
    # a sparse collection of a world at scale (a job's notes, ...) is counted only by making every record: minutes
    uncounted = [name for name, n in sizes.items() if n is None]
    return json_response({"status": "ok", "tenant": state.tenant, "now": iso(state.now()), "counts": counts,
                          "uncounted": uncounted})


_SETTINGS = {  # settings POST /_sandbox/faults may change besides the fault switches, with their checks
    "rate_limit": lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0),
    "token_lifetime": lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
    "export_page_size": lambda v: isinstance(v, int) and not isinstance(v, bool) and v > 0,
    "recent_changes_delay": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0,
}


def _switches(state: SandboxState) -> dict:
    return {**state.faults.as_dict(), **{name: getattr(state, name) for name in _SETTINGS}}


async def set_faults(request: Request) -> JSONResponse:
    """JSON object of fault switches and settings; answers with all of them after the change."""
    state: SandboxState = request.app.state.sandbox
    try:
        changes = await request.json()
    except ValueError:
        raise ProblemError(400, "The body must be a JSON object.") from None
    if not isinstance(changes, dict):
        raise ProblemError(400, "The body must be a JSON object.")
    settings = {k: changes.pop(k) for k in list(changes) if k in _SETTINGS}
    bad = {k: [f"Invalid value {v!r}."] for k, v in settings.items() if not _SETTINGS[k](v)}
    if bad:
        raise ProblemError(400, "Invalid sandbox settings.", bad)
    try:
        state.faults.update(changes)
    except ValueError as exc:
        raise ProblemError(400, str(exc)) from None
    for name, value in settings.items():
        setattr(state, name, value)
    return json_response(_switches(state))


async def reset(request: Request) -> JSONResponse:
    request.app.state.sandbox.reset()
    request.app.state.limiter.clear()
    return json_response({"status": "reset"})


# --------------------------------------------------------------------------------------- assembly


async def _problem_handler(request: Request, exc: Exception) -> Response:
    return exc.response()  # type: ignore[attr-defined]


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404 and (segment := _malformed_id(request)) is not None:
        # ServiceTitan (ASP.NET) binds `{id}` and answers a non-number with a validation error, not a 404.
        message = f"The value '{segment}' is not valid."
        return problem(400, message, {"id": [message]})
    title = _HTTP_TITLES.get(exc.status_code, exc.detail)
    return problem(exc.status_code, title, headers=dict(exc.headers or {}))


def _malformed_id(request: Request) -> str | None:
    """The first path segment that is not a number where a route wants an id, if that is why nothing
    matched (a path may carry two ids, e.g. projects/{id}/attach-job/{jobId})."""
    return _first_malformed(request.app.routes, request.method, request.url.path.split("/"), 0, depth=2)


def _first_malformed(routes: list[BaseRoute], method: str, segments: list[str], start: int,
                     depth: int) -> str | None:
    for index in range(start, len(segments)):
        segment = segments[index]
        if not segment or segment.isdigit():
            continue
        candidate = [*segments[:index], "1", *segments[index + 1:]]
        scope = {"type": "http", "path": "/".join(candidate), "method": method, "root_path": ""}
        if _reaches_an_endpoint(routes, scope) or (
                depth > 1 and _first_malformed(routes, method, candidate, index + 1, depth - 1) is not None):
            return segment
    return None


def _reaches_an_endpoint(routes: list[BaseRoute], scope: dict) -> bool:
    for route in routes:
        match, child = route.matches(scope)
        if match != Match.FULL:
            continue
        if not isinstance(route, Mount):
            return True
        if _reaches_an_endpoint(route.routes, {**scope, **child}):
            return True
    return False


def _module_routes() -> list[BaseRoute]:
    """Mount each route module that exists; a module still being written is simply absent."""
    mounts: list[BaseRoute] = []
    for module in MODULES:
        qualified = f"{__package__}.routes.{module}"
        try:
            routes = importlib.import_module(qualified).routes()
        except ModuleNotFoundError as exc:
            if exc.name != qualified:
                raise
            continue
        mounts.append(Mount(f"/{module}/v2/tenant/{{tenant:int}}", routes=routes))
    return mounts


def build_state(
    *, jobs: int = 200, seed: int = 1, now: datetime | None = None, frozen: bool = False, hostile: bool = False,
    at_scale: bool | None = None, export_workers: int = 0, **settings
) -> SandboxState:
    """A state loaded with the seeded generator's data (jpm_tui.sandbox.data) as of `now`.

    `frozen` also stops the clock at `now` (tests); otherwise the wall clock runs on. `hostile` puts the generator's
    untrusted texts (markup, escapes, bidi) in the data. `at_scale`: the world made on demand (data_at_scale);
    None = from data_at_scale.AT_SCALE_FROM jobs on. `export_workers`: processes that make a world at scale's export
    rows ahead (export_workers.py), started now (each makes its world in the background), stopped by
    `state.export_workers.stop()` or with this process.
    `settings` are SandboxState keyword arguments (token_lifetime, rate_limit, export_page_size, ...).
    """
    from . import data, data_at_scale

    scaled = jobs >= data_at_scale.AT_SCALE_FROM if at_scale is None else at_scale
    generate = data_at_scale.generate if scaled else data.generate
    state = SandboxState(seed=seed, now=now if frozen else None, **settings)
    # same arguments, same world: the reset point
    world = partial(generate, seed=seed, jobs=jobs, now=now or state.now(), hostile=hostile)
    workers = None
    if scaled and export_workers:
        from .export_workers import ExportWorkers

        # the first makes its world on the second core while this process makes its own (the ready line comes no
        # later, and the feeds have a worker from the start); the others once the world here is made
        state.export_workers = workers = ExportWorkers(world)
        workers.start()
    state.load(world(), again=world)
    if scaled:
        # What is held now lives as long as the server, and no record is part of a cycle: the cyclic collector
        # need not walk it again on every full collection while families are made (half an export's time).
        gc.freeze()
    if workers is not None:
        for _ in range(export_workers - 1):
            workers.start()
    return state


def create_app(
    state: SandboxState | None = None,
    *,
    jobs: int = 200,
    seed: int = 1,
    now: datetime | None = None,
    token_lifetime: int = 900,
    rate_limit: float | None = 60.0,
    hostile: bool = False,
) -> Starlette:
    """The sandbox ASGI app. Without `state`, one is generated (`jobs`, `seed`, data as of `now`, `hostile` texts
    or not) with a running clock, and export workers when at scale; the keyword settings apply only then.
    `app.state.sandbox` is the SandboxState."""
    if state is None:
        state = build_state(jobs=jobs, seed=seed, now=now, hostile=hostile, token_lifetime=token_lifetime,
                            rate_limit=rate_limit, export_workers=EXPORT_WORKERS)
    limiter = RateLimiter()
    routes: list[BaseRoute] = [
        Route("/connect/token", token_endpoint, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
        Route("/_sandbox/faults", set_faults, methods=["POST"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        *_module_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SandboxMiddleware, limiter=limiter)],
        exception_handlers={ProblemError: _problem_handler, HTTPException: _http_exception_handler},
    )
    app.state.sandbox = state
    app.state.limiter = limiter
    return app
