"""Assembles the BigChange sandbox: the API under `/v1`, the token endpoint, admin endpoints under `/_sandbox/`,
and one middleware that applies BigChange's gate (token, customer id), the rate limit and the fault switches,
answering every refusal as a BigChange problem. Rate limit and faults are the ServiceTitan sandbox's own.
"""

from __future__ import annotations

import json
from datetime import datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from ..app import SandboxMiddleware, reset
from ..faults import ConnectionDropped, RateLimiter, mangling_send, plan_request
from ..http import ProblemError
from .auth import TOKEN_PATH, check_api_request, token_endpoint
from .data import generate
from .problems import Problem, render
from .routes import VISIBLE_STATUSES, routes
from .state import BigChangeState

API_PREFIX = "/v1"
_HTTP_TITLES = {404: "Not Found", 405: "Method Not Allowed"}


class BigChangeMiddleware(SandboxMiddleware):
    """The ServiceTitan sandbox's middleware (rate limit, faults, dropped connections, the last-resort 500),
    with BigChange's gate, and every refusal raised as a BigChange `Problem`."""

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if scope["path"].startswith(f"{API_PREFIX}/"):
                state: BigChangeState = scope["app"].state.sandbox
                check_api_request(state, Request(scope))
                self.limiter.check((state.client_id, state.customer_id), state.rate_limit)
                send = mangling_send(send, await plan_request(state))  # type: ignore[arg-type]
            await self.app(scope, receive, send)
        except ConnectionDropped:
            raise
        except ProblemError as exc:
            raise Problem.of(exc, scope["path"]) from None
        except Exception:  # no traceback in the body
            raise Problem(500, "Internal Server Error", "An unexpected error occurred.",
                          instance=scope["path"]) from None


# ------------------------------------------------------------------------------------------------ admin


async def set_faults(request: Request) -> JSONResponse:
    """A JSON object of fault switches (`state.Faults`: fail_next, error_rate, ...) and of `rate_limit` or
    `token_lifetime`; answers with the switches after the change."""
    state: BigChangeState = request.app.state.sandbox
    try:
        changes = json.loads(await request.body())
        settings = {k: changes.pop(k) for k in ("rate_limit", "token_lifetime") if k in changes}
        state.faults.update(changes)
    except (ValueError, AttributeError) as exc:
        raise Problem(400, "Bad Request", f"Not a set of fault switches: {exc}") from None
    for name, value in settings.items():
        setattr(state, name, value)
    return JSONResponse({**state.faults.as_dict(), "rate_limit": state.rate_limit,
                         "token_lifetime": state.token_lifetime})


async def set_job_status(request: Request) -> JSONResponse:
    """`{"status": ..., "comment": ...}`: move a job as a resource's device would (the API has no such write)."""
    state: BigChangeState = request.app.state.sandbox
    job_id = request.path_params["job_id"]
    try:
        body = json.loads(await request.body())
        status, comment = body["status"], body.get("comment")
    except (ValueError, KeyError, TypeError):
        raise Problem(400, "Bad Request", 'Send {"status": "<JobStatus>", "comment": "..."}.') from None
    if job_id not in state.tables["jobs"]:
        raise Problem(404, "Not Found", f"Job {job_id} was not found.")
    if status not in VISIBLE_STATUSES:
        raise Problem(400, "Bad Request", f"{status!r} is not a JobStatus a job can show.")
    return JSONResponse(state.set_job_status(job_id, status, comment))


async def received_patches(request: Request) -> JSONResponse:
    """Every PATCH body the update endpoint received, as text, oldest first."""
    state: BigChangeState = request.app.state.sandbox
    return JSONResponse([{"jobId": job_id, "body": body.decode("utf-8", "replace")}
                         for job_id, body in state.received_patches])


# --------------------------------------------------------------------------------------------- assembly


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return render(exc, request)


async def _http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    title = _HTTP_TITLES.get(exc.status_code, str(exc.detail))
    return render(Problem(exc.status_code, title, f"No {request.method} {request.url.path} here.",
                          headers=dict(exc.headers or {})), request)


def build_state(*, jobs: int = 200, seed: int = 1, now: datetime | None = None, frozen: bool = False,
                hostile: bool = False, **settings) -> BigChangeState:
    """A state loaded with the seeded generator's world as of `now` (`jobs` jobs). `frozen` stops the clock at
    `now` (tests); otherwise the wall clock runs on. `settings`: BigChangeState keywords (token_lifetime,
    rate_limit, customer_id, ...)."""
    state = BigChangeState(seed=seed, now=now if frozen else None, **settings)
    state.load(generate(seed, jobs, now or state.now(), hostile=hostile))
    return state


def create_app(state: BigChangeState | None = None) -> Starlette:
    """The BigChange sandbox ASGI app over `state` (a 200-job world as of now when None).
    `app.state.sandbox` is the state."""
    state = state or build_state()
    limiter = RateLimiter()
    app = Starlette(
        routes=[
            Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
            Route("/_sandbox/faults", set_faults, methods=["POST"]),
            Route("/_sandbox/jobs/{job_id:int}/status", set_job_status, methods=["POST"]),
            Route("/_sandbox/patches", received_patches, methods=["GET"]),
            Mount(API_PREFIX, routes=routes()),
        ],
        middleware=[Middleware(BigChangeMiddleware, limiter=limiter)],
        exception_handlers={ProblemError: _problem_handler, HTTPException: _http_exception_handler},
    )
    app.state.sandbox = state
    app.state.limiter = limiter
    return app
