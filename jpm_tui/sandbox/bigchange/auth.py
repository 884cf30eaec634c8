"""BigChange's sign-in and the gate every API request passes.

The token endpoint takes the reference's form body (`grant_type=client_credentials`, `client_id`,
`client_secret`) and answers `{access_token, expires_in}`; its refusals are problem details, as the reference's
400/422 schemas for it are. An API request needs a live `authorization: Bearer <token>` and the `customer-id`
header of the customer the sandbox serves (another customer's id: 403, the application has no access to it).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from .problems import VALIDATION_TITLE, Problem
from .state import BigChangeState

TOKEN_PATH = "/auth/token"


async def token_endpoint(request: Request) -> JSONResponse:
    state: BigChangeState = request.app.state.sandbox
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise Problem(400, "Bad Request", "The body must be application/x-www-form-urlencoded.")
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    missing = {name: [f"The {name} field is required."] for name in ("grant_type", "client_id", "client_secret")
               if not form.get(name)}
    if missing:
        raise Problem(422, VALIDATION_TITLE, "The token request is incomplete.", missing)
    if form["grant_type"] != "client_credentials":
        raise Problem(400, "Bad Request", f"The grant type {form['grant_type']!r} is not supported.")
    id_ok = secrets.compare_digest(form["client_id"], state.client_id)
    secret_ok = secrets.compare_digest(form["client_secret"], state.client_secret)
    if not (id_ok and secret_ok):
        raise Problem(400, "invalid_client", "The client id or client secret is not valid.")
    token = secrets.token_urlsafe(32)
    state.tokens[token] = state.now() + timedelta(seconds=state.token_lifetime)
    for stale in [t for t, expiry in state.tokens.items() if expiry <= state.now()]:
        del state.tokens[stale]
    return JSONResponse({"access_token": token, "expires_in": state.token_lifetime})


def check_api_request(state: BigChangeState, request: Request) -> None:
    """Raise the problem BigChange would answer with, or return when the request may proceed."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    expiry = state.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if expiry is None or expiry <= state.now():
        reason = "has expired" if expiry is not None else "is missing or not valid"
        raise Problem(401, "Unauthorized", f"The access token {reason}.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    raw = request.headers.get("customer-id", "").strip()
    if not raw.isdigit():
        raise Problem(400, "Bad Request", "Send the customer's number in the customer-id header.")
    if int(raw) != state.customer_id:
        raise Problem(403, "Forbidden", f"The application has no access to customer {raw}.")
