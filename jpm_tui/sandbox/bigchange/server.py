"""Serving the BigChange sandbox over HTTP (`jpm-tui sandbox serve --backend bigchange`); `profile.profile_toml`
is the profile a user pastes into the config to reach it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..server import serve_app
from .app import build_state, create_app


def serve(host: str = "127.0.0.1", port: int = 0, *, jobs: int = 300, seed: int = 1, now: datetime | None = None,
          hostile: bool = False, rate_limit: float | None = 20.0,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve a freshly generated sandbox until SIGINT/SIGTERM (the wall clock runs). `rate_limit`: requests a
    second per client (None: no limit). `on_ready(base_url)` once listening. ServeError when the address cannot be
    bound."""
    state = build_state(jobs=jobs, seed=seed, now=now, hostile=hostile, rate_limit=rate_limit)
    serve_app(create_app(state), host, port, on_ready=on_ready)
