"""OAuth2 client credentials (`POST /connect/token`) and the checks every API request passes.

The token endpoint answers like an IdentityServer does (ServiceTitan's auth host): OAuth error objects,
not ApiErrorResponse. API requests need a live access token (`Authorization: Bearer <token>`, or the token
alone as ServiceTitan also takes it), the application key (header `ST-App-Key` or query
`servicetitanapplicationkey`) and the sandbox's tenant in the path.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

from .http import ProblemError
from .state import SandboxState

_TENANT_PATH = re.compile(r"^/[^/]+/v2/tenant/(\d+)(?:/|$)")


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    # IdentityServer answers invalid_client with 400 and no description; we add one to help users.
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


async def token_endpoint(request: Request) -> JSONResponse:
    """Client credentials grant. Form body: grant_type, client_id, client_secret."""
    state: SandboxState = request.app.state.sandbox
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _oauth_error("invalid_request", "The body must be application/x-www-form-urlencoded.")
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    grant = form.get("grant_type")
    if not grant:
        return _oauth_error("invalid_request", "grant_type is missing.")
    if grant != "client_credentials":
        return _oauth_error("unsupported_grant_type", f"Grant type {grant!r} is not supported.")
    id_ok = secrets.compare_digest(form.get("client_id", ""), state.client_id)
    secret_ok = secrets.compare_digest(form.get("client_secret", ""), state.client_secret)
    if not (id_ok and secret_ok):
        return _oauth_error("invalid_client", "The client id or client secret is not valid.")
    token = secrets.token_urlsafe(32)
    state.tokens[token] = state.now() + timedelta(seconds=state.token_lifetime)
    _forget_expired(state)
    return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": state.token_lifetime})


def _forget_expired(state: SandboxState) -> None:
    now = state.now()
    for token in [t for t, expiry in state.tokens.items() if expiry <= now]:
        del state.tokens[token]


def check_api_request(state: SandboxState, request: Request) -> None:
    """Raise the ProblemError ServiceTitan would answer with, or return when the caller may proceed."""
    _check_token(state, request.headers.get("authorization", ""))
    _check_app_key(state, request)
    _check_tenant(state, request.url.path)


def _access_token(header: str) -> str:
    """The token of `Authorization: Bearer <token>` (the scheme in any case) or of a bare `Authorization: <token>`,
    which ServiceTitan accepts too and long-lived clients send; "" when there is none."""
    value = header.strip()
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else value


def _check_token(state: SandboxState, header: str) -> None:
    challenge = {"WWW-Authenticate": "Bearer"}
    token = _access_token(header)
    if not token:
        raise ProblemError(401, "Unauthorized: the access token is missing.",
                           {"Authorization": ["Send 'Authorization: Bearer <access token>'."]}, headers=challenge)
    expiry = state.tokens.get(token)
    if expiry is None:
        raise ProblemError(401, "Unauthorized: the access token is invalid.",
                           {"Authorization": ["The access token is not known."]},
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if expiry <= state.now():
        raise ProblemError(401, "Unauthorized: the access token has expired.",
                           {"Authorization": ["The access token has expired; request a new one."]},
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'})


def _check_app_key(state: SandboxState, request: Request) -> None:
    key = request.headers.get("st-app-key") or request.query_params.get("servicetitanapplicationkey")
    if not key:
        raise ProblemError(401, "Unauthorized: the application key is missing.",
                           {"ST-App-Key": ["Send the application key in the ST-App-Key header."]})
    if not secrets.compare_digest(key, state.app_key):
        raise ProblemError(403, "Forbidden: the application key is not valid.",
                           {"ST-App-Key": ["The application key is not known."]})


def _check_tenant(state: SandboxState, path: str) -> None:
    match = _TENANT_PATH.match(path)
    if match and int(match.group(1)) != state.tenant:
        raise ProblemError(403, f"Forbidden: tenant {match.group(1)} is not connected to this application.",
                           {"tenant": [f"The application has no access to tenant {match.group(1)}."]})
