"""Serving the FSM Navigator sandbox over HTTP (`jpm-tui sandbox serve --backend fsm-navigator`, once the
CLI is wired) and the profile a user pastes into the config to reach it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import tomli_w

from ..server import serve_app
from .app import build_state, create_app
from .data import TIMEZONE
from .state import API_KEY

SERVE_RATE_LIMIT = 600
"""Requests per minute per key when served (the reference gives no number; tests run without a limit)."""


def serve(host: str = "127.0.0.1", port: int = 0, *, jobs: int = 300, seed: int = 1, now: datetime | None = None,
          hostile: bool = False, rate_limit: int | None = SERVE_RATE_LIMIT, rate_window: float = 60.0,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve a freshly generated sandbox until SIGINT/SIGTERM (the wall clock runs). `on_ready(base_url)` once
    listening; print `profile_text(base_url)` there. ServeError when the address cannot be bound."""
    state = build_state(jobs=jobs, seed=seed, now=now, hostile=hostile, rate_limit=rate_limit,
                        rate_window=rate_window)
    serve_app(create_app(state), host, port, on_ready=on_ready)


def api_url(base_url: str) -> str:
    """The API's base URL under a served sandbox, as the reference writes it: `.../api/v1`."""
    return f"{base_url.rstrip('/')}/api/v1"


def profile_text(base_url: str, name: str = "fsm-sandbox", api_key: str = API_KEY) -> str:
    """The `[profiles.<name>]` table that reaches a sandbox served at `base_url` (the key is literal: the
    sandbox's own, which reaches nothing else)."""
    table = {"backend": "fsm-navigator", "api_url": api_url(base_url), "api_key": api_key,
             "timezone": TIMEZONE}  # the board shows the sandbox company's times, as the demo does
    return tomli_w.dumps({"profiles": {name: table}})
