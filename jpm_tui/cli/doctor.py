"""``jpm-tui doctor``: check the config, the secret, the token endpoint, the API and the cache, one line each."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import ConfigError, default_cache_dir, display_path, load_config
from .common import Common, Subparsers, _path, _reason, cache_path, command_group


@command_group
def _doctor_commands(sub: Subparsers, common: Common) -> None:
    doctor = sub.add_parser(
        "doctor", parents=[common.profile, common.demo],
        help="check the config, the secret, the token endpoint and the API, step by step",
        description="Check the config file, the client secret, the token endpoint and the API, one line per "
                    "check. Exit 0 when all pass.")
    doctor.set_defaults(handler=_doctor)


OK, FAIL = "✓", "✗"


def _say(mark: str, text: str) -> None:
    print(f"{mark} {text}", flush=True)


def _doctor(args: argparse.Namespace) -> int:
    code = asyncio.run(_doctor_async(args))
    return 1 if not _check_cache(args) else code


def _check_cache(args: argparse.Namespace) -> bool:
    """The profile's cache file, when there is one: SQLite's quick_check (reads the whole file: ~2.5 s at a
    million jobs) and whether its folder is writable. Says nothing when there is no cache yet or no profile."""
    import time

    from ..cache.health import RESCUE_HINT
    from ..cache.rescue import damage_of
    from ..session import profile_session

    if args.demo:
        return True
    try:
        config = load_config(_path(args))
        session = profile_session(config, config.profile(args.profile), default_cache_dir())
    except ConfigError:  # already reported by the config step
        return True
    if session.cache_url is not None:
        return _check_team_cache(session)
    path = cache_path(session)
    if not path.exists():
        return True
    started = time.monotonic()
    damage = damage_of(path)
    if damage:
        _say(FAIL, f"cache: {path} is damaged (SQLite: {damage}); {RESCUE_HINT}")
        return False
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        _say(FAIL, f"cache: {path} is not writable; make it and {path.parent} writable by you")
        return False
    _say(OK, f"cache: {path} passed SQLite's quick_check ({time.monotonic() - started:.1f} s)")
    return True


def _check_team_cache(session: Any) -> bool:
    """A profile's team cache (``cache_url``): reachable with its password, its schema version, a LISTEN/NOTIFY
    round trip (cache/pg/checks.py)."""
    from ..cache.pg.checks import check_team_cache

    location = session.cache_location
    try:
        password = location.password() if location.password is not None else None
    except ConfigError as error:
        _say(FAIL, f"cache: {error}")
        return False
    lines = check_team_cache(location.conninfo(), location.where, password)
    for ok, line in lines:
        _say(OK if ok else FAIL, line)
    return all(ok for ok, _ in lines)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


async def _doctor_async(args: argparse.Namespace) -> int:
    transport: Any = None
    if args.demo:
        from ..session import demo_session

        session = demo_session(Path(tempfile.gettempdir()), jobs=args.demo_jobs)
        _say(OK, "config: not needed (--demo: the sandbox runs in this process)")
        make_client = session.make_client
        import httpx

        transport = httpx.ASGITransport(app=session.sandbox_app)
        from ..sandbox import state as sandbox_state

        kwargs = {"auth_url": session.api_url, "client_id": sandbox_state.CLIENT_ID,
                  "client_secret": sandbox_state.CLIENT_SECRET, "tenant": session.tenant}
        _say(OK, "secret: the sandbox's built-in client secret")
        secret_words = "the sandbox secret"
    else:
        from ..config import BoardProfile  # validating models load when used, not when the board starts

        path = _path(args)
        try:
            config = load_config(path)
            profile = config.profile(args.profile)
        except ConfigError as error:
            _say(FAIL, f"config: {error}")
            return 1
        if isinstance(profile, BoardProfile):  # the team cache's checks follow (_check_team_cache)
            _say(OK, f"config: {display_path(path)} is valid; profile {profile.name} is a board on the team cache "
                     "(no backend secret: the sync service's profile holds it)")
            return 0
        where = f"tenant {profile.tenant}" if profile.backend == "servicetitan" else profile.effective_api_url
        _say(OK, f"config: {display_path(path)} is valid; profile {profile.name} ({where}, {profile.environment})")
        try:
            secret = profile.resolve_secret()
        except ConfigError as error:
            _say(FAIL, f"secret: {error}")
            return 1
        _say(OK, f"secret: resolved from {profile.secret_source}")
        from ..backends import backend_for

        check = backend_for(profile.backend).check
        if check is not None:  # another backend's own connection checks
            lines = await check(profile, secret)
            for ok, line in lines:
                _say(OK if ok else FAIL, line)
            return 0 if all(ok for ok, _ in lines) else 1
        secret_words = f"the secret from {profile.secret_source}"
        kwargs = {"auth_url": profile.effective_auth_url, "client_id": profile.client_id, "client_secret": secret,
                  "tenant": profile.tenant}

        def make_client() -> Any:
            from ..api.client import ServiceTitanClient

            return ServiceTitanClient(**profile.client_kwargs(secret), max_retries=0)  # fail fast, say why
    ok, line = await _check_token(transport=transport, secret_words=secret_words, **kwargs)
    _say(OK if ok else FAIL, line)
    if not ok:
        return 1
    ok, line = await _check_api(make_client(), kwargs["tenant"])
    _say(OK if ok else FAIL, line)
    return 0 if ok else 1


async def _check_token(*, auth_url: str, client_id: str, client_secret: str, tenant: int, transport: Any,
                       secret_words: str) -> tuple[bool, str]:
    """Fetch a token directly, so that each way it can fail gets its own message."""
    import httpx

    url = f"{auth_url}/connect/token"
    host = _host(auth_url)
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    try:
        async with httpx.AsyncClient(transport=transport, timeout=30.0) as http:
            response = await http.post(url, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as error:
        return False, f"auth: could not reach {host}: {_reason(error)}"
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (400, 401, 403):
        code = ""
        if isinstance(body, dict):
            code = str(body.get("error") or body.get("title") or "")
        detail = f"HTTP {response.status_code}" + (f": {code}" if code else "")
        return False, (f"auth: ServiceTitan rejected the client credentials ({detail}); "
                       f"check client_id {client_id!r} and {secret_words}")
    if response.status_code >= 400:
        return False, (f"auth: {host} answered HTTP {response.status_code} for /connect/token; "
                       f"check auth_url, or try again later if ServiceTitan is having trouble")
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return False, f"auth: {host} answered without an access token; check auth_url"
    expires = body.get("expires_in")
    return True, f"auth: token fetched from {host}" + (f" (expires in {expires} s)" if expires else "")


def _http_detail(error: BaseException) -> str:
    """'HTTP 403: <title>' from an api error, falling back to its message."""
    status = getattr(error, "status", None)
    title = getattr(error, "title", None)
    if status and title:
        return f"HTTP {status}: {title}"
    if status:
        return f"HTTP {status}: {error}"
    return str(error)


async def _check_api(client: Any, tenant: int) -> tuple[bool, str]:
    from ..api import errors as api_errors

    try:
        async with client:
            answer = await client.request("GET", "jpm", "job-types", params={"pageSize": 1, "includeTotal": "true"})
    except api_errors.AuthError as error:
        return False, (f"api: ServiceTitan refused the app key or tenant ({_http_detail(error)}); check app_key "
                       f"and that tenant {tenant} has installed this app")
    except api_errors.TransportError as error:
        return False, f"api: {error}"
    except api_errors.JpmApiError as error:
        return False, f"api: {error}"
    total = answer.get("totalCount") if isinstance(answer, dict) else None
    found = f" ({total} job type{'s' if total != 1 else ''})" if isinstance(total, int) else ""
    return True, f"api: tenant {tenant} answered GET jpm job-types{found}"
