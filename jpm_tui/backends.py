"""The backends a profile can name (``backend = "..."``): the one table of what each brings to the application.

A backend is a provider package (``provider/<name>/``, its workflow listed in ``provider/backends.py``), its sandbox
(``sandbox/<name>/``) and its profile model (``profiles/<name>.py``: above the provider layer, as the config is).
Its entry here says where to find, lazily:

* its workflow (imports no HTTP code, so the board builds its screens from it before the network stack loads);
* its profile model (the keys of its ``[profiles.NAME]`` table and their checks; ``config.py`` validates each
  profile with its backend's model, so ``config check`` and ``doctor`` check each backend's own keys);
* how to build its provider over a session (importing its API client only then) and how ``doctor`` checks the
  connection;
* its sandbox: the demo session (``jpm-tui --demo --backend NAME``), the server and the paste-ready profile
  (``jpm-tui sandbox serve --backend NAME``).

Naming one backend loads nothing of the others. Adding a backend = its package, its sandbox, one ``BACKENDS`` entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .provider.backends import DEFAULT_BACKEND, WORKFLOWS, workflow_for
from .provider.workflow import Workflow

__all__ = ["BACKENDS", "DEFAULT_BACKEND", "Backend", "Demo", "backend_for", "workflow_for"]


@dataclass(frozen=True)
class Demo:
    """A backend's sandbox running in this process (``httpx.ASGITransport``: no network, no rate limit)."""

    app: Any
    """The sandbox's ASGI app."""
    account: int | str
    """The tenant (account) it answers as."""
    timezone: str
    """Its company's zone: the demo shows times there, whatever the machine's zone is."""
    client: Callable[[], Any]
    """A new API client reaching ``app`` in process."""


@dataclass(frozen=True)
class Backend:
    """What one backend brings. Every field is a function importing its module when called."""

    name: str
    label: str
    """As the user reads it ("FSM Navigator")."""
    workflow: Callable[[], Workflow]
    """``provider.backends.WORKFLOWS[name]``."""
    profile_model: Callable[[], type]
    """The pydantic model of its ``[profiles.NAME]`` table (a ``config.BackendProfile``)."""
    provider: Callable[[Any, Any], Any]
    """(session, store) -> its ``Provider`` over ``session.make_client()`` (the store: what the cache already holds,
    for a backend whose sync compares against it)."""
    client: Callable[[Any, str], Any]
    """(profile, secret) -> its API client, the profile model's ``make_client`` (``Session.make_client`` calls it)."""
    check: Callable[[Any, str], Any] | None
    """async (profile, secret) -> [(ok, line)]: ``doctor``'s connection checks, the profile model's
    ``check_connection`` (None: the CLI's own, ServiceTitan's)."""
    demo: Callable[[int, int], Demo]
    """(jobs, seed) -> its sandbox in this process, for ``--demo`` (``session.demo_session`` builds on it)."""
    serve: Callable[..., None]
    """serve(host=, port=, jobs=, seed=, on_ready=, **options): its sandbox over HTTP until interrupted."""
    profile_text: Callable[[str], str]
    """The paste-ready ``[profiles.NAME]`` TOML reaching its sandbox served at a base URL."""
    record_link: Callable[[str, str, int], str | None]
    """(environment, record kind, id) -> the record's page in the backend's web app, or None."""


# Each backend's entry is the functions below: each imports its module only when called. What every backend does
# the same way is one function: its profile model builds its client and checks its connection.


def _client(profile: Any, secret: str) -> Any:
    return profile.make_client(secret)


def _check(profile: Any, secret: str) -> Any:
    return profile.check_connection(secret)


def _no_record_link(environment: str, kind: str, record_id: int) -> None:
    return None  # the reference documents no web app address for a job


# -------------------------------------------------------------------------------------------- ServiceTitan


def _st_profile() -> type:
    from .config import Profile

    return Profile


def _st_provider(session: Any, store: Any) -> Any:
    from .provider.servicetitan import ServiceTitanProvider

    return ServiceTitanProvider(session.make_client())


def _st_demo(jobs: int, seed: int) -> Demo:
    import httpx

    from jpm_tui.api.client import ServiceTitanClient
    from jpm_tui.sandbox import state as sandbox_state
    from jpm_tui.sandbox.app import create_app
    from jpm_tui.sandbox.data import TIMEZONE

    app = create_app(jobs=jobs, seed=seed, rate_limit=None)  # no 429s in process
    base = "http://127.0.0.1"  # never dialled: the ASGI transport answers in process

    def client() -> Any:
        return ServiceTitanClient(
            api_url=base, auth_url=base, tenant=sandbox_state.TENANT,
            client_id=sandbox_state.CLIENT_ID, client_secret=sandbox_state.CLIENT_SECRET,
            app_key=sandbox_state.APP_KEY, transport=httpx.ASGITransport(app=app), rate_limit=1000.0,
        )

    return Demo(app, sandbox_state.TENANT, TIMEZONE, client)


def _st_serve(**options: Any) -> None:
    from jpm_tui.sandbox.server import serve

    serve(**options)


def _st_profile_text(url: str) -> str:
    from jpm_tui.sandbox.server import profile_text

    return profile_text(url)


def _st_record_link(environment: str, kind: str, record_id: int) -> str | None:
    from .provider.servicetitan import record_link

    return record_link(environment, kind, record_id)


# ------------------------------------------------------------------------------------------- FSM Navigator


def _fsm_profile() -> type:
    from .profiles.fsm_navigator import FsmProfile

    return FsmProfile


def _fsm_provider(session: Any, store: Any) -> Any:
    from .provider.fsm_navigator.provider import FsmNavigatorProvider

    return FsmNavigatorProvider(session.make_client(), cached=store)


def _fsm_demo(jobs: int, seed: int) -> Demo:
    import httpx

    from .api.fsm_navigator import FsmNavigatorClient
    from .sandbox.fsm_navigator.app import build_state, create_app
    from .sandbox.fsm_navigator.data import TIMEZONE
    from .sandbox.fsm_navigator.state import API_KEY

    app = create_app(build_state(jobs=jobs, seed=seed, rate_limit=None))  # no 429s in process

    def client() -> Any:
        return FsmNavigatorClient(api_url="http://127.0.0.1/api/v1", api_key=API_KEY,
                                  transport=httpx.ASGITransport(app=app), rate_limit=None)

    return Demo(app, "sandbox", TIMEZONE, client)  # its company's zone (an Ohio company; the API writes UTC)


def _fsm_serve(*, rate_limit: float | None = None, **options: Any) -> None:
    from jpm_tui.sandbox.fsm_navigator.server import serve

    if rate_limit is not None:  # the CLI's is per second; this sandbox counts per minute, as the API's tiers do
        options["rate_limit"] = max(1, round(rate_limit * 60))
    serve(**options)


def _fsm_profile_text(url: str) -> str:
    from jpm_tui.sandbox.fsm_navigator.server import profile_text

    return profile_text(url)


# ----------------------------------------------------------------------------------------------- BigChange


def _bc_profile() -> type:
    from .profiles.bigchange import BigChangeProfile

    return BigChangeProfile


def _bc_provider(session: Any, store: Any) -> Any:
    from .provider.bigchange.provider import BigChangeProvider

    return BigChangeProvider(session.make_client(), cached=store)


def _bc_demo(jobs: int, seed: int) -> Demo:
    import httpx

    from .api.bigchange import BigChangeClient
    from .sandbox.bigchange import build_state, create_app
    from .sandbox.bigchange.state import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, TIMEZONE

    app = create_app(build_state(jobs=jobs, seed=seed, rate_limit=None))  # no 429s in process

    def client() -> Any:
        return BigChangeClient(api_url="http://127.0.0.1/v1", auth_url="http://127.0.0.1/auth/token",
                               customer_id=CUSTOMER_ID, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                               transport=httpx.ASGITransport(app=app), rate_limit=None)

    return Demo(app, CUSTOMER_ID, TIMEZONE, client)  # its company's zone (a West Yorkshire company)


def _bc_serve(**options: Any) -> None:
    from jpm_tui.sandbox.bigchange.server import serve

    serve(**options)


def _bc_profile_text(url: str) -> str:
    from jpm_tui.sandbox.bigchange.profile import profile_toml

    return profile_toml(url)


BACKENDS: dict[str, Backend] = {
    "servicetitan": Backend("servicetitan", "ServiceTitan", WORKFLOWS["servicetitan"], _st_profile, _st_provider,
                            _client, None, _st_demo, _st_serve, _st_profile_text, _st_record_link),
    "fsm-navigator": Backend("fsm-navigator", "FSM Navigator", WORKFLOWS["fsm-navigator"], _fsm_profile,
                             _fsm_provider, _client, _check, _fsm_demo, _fsm_serve, _fsm_profile_text,
                             _no_record_link),
    "bigchange": Backend("bigchange", "BigChange", WORKFLOWS["bigchange"], _bc_profile, _bc_provider, _client,
                         _check, _bc_demo, _bc_serve, _bc_profile_text, _no_record_link),
}
"""Backend name -> what it brings (every name of ``provider.backends.WORKFLOWS``)."""


def backend_for(name: str = DEFAULT_BACKEND) -> Backend:
    """The backend called ``name``; a name not listed raises ``KeyError`` naming the ones that are."""
    backend = BACKENDS.get(name)
    if backend is None:
        raise KeyError(f"unknown backend {name!r} (known: {', '.join(sorted(BACKENDS))})")
    return backend
