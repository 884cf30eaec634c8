"""What the command line hands the board: one profile (or the demo sandbox), ready to connect lazily.

``cli.py`` builds a :class:`Session` and calls :func:`open_board`. Nothing here touches the network or resolves
the secret until :meth:`Session.make_client` is called (inside the board's background worker).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from datetime import tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .config import Config, Profile, SavedView, display_path, save_theme, save_view

__all__ = ["Session", "board_app", "demo_session", "open_board", "profile_session"]


@dataclass
class Session:
    profile_name: str                    # "demo" for --demo
    tenant: int
    environment: str                     # "production" | "integration" | "custom" | "sandbox"
    api_url: str
    cache_dir: Path                      # per profile; a temporary directory for --demo
    demo: bool = False
    profile: Profile | None = None       # None for --demo
    config: Config | None = None         # None for --demo (no config is read)
    theme: str | None = None
    theme_dirs: list[Path] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    views: list[SavedView] = field(default_factory=list)
    sandbox_app: Any = None              # the in-process sandbox (Starlette app) for --demo
    tz: tzinfo | None = None             # times are shown in this zone; None = the machine's local zone
    client_factory: Callable[[], Any] | None = field(default=None, repr=False)

    @property
    def config_path(self) -> Path | None:
        """The config file this session was read from (None for --demo)."""
        return self.config.path if self.config is not None else None

    @property
    def origin(self) -> str:
        """The config file for messages (``~/.config/jpm-tui/config.toml``), or "config"."""
        return display_path(self.config_path) if self.config_path is not None else "config"

    def save_theme(self, name: str) -> str:
        """Save ``name`` as the theme in this session's config file; returns what to tell the user. Raises
        ``ConfigError`` (or ``OSError``) when the file cannot be written."""
        message = self._save(f"Theme {name!r}", lambda path: save_theme(path, name))
        if self.config is not None and self.config.theme == name:
            self.theme = name
        return message

    def save_view(self, name: str, filters: dict[str, Any]) -> str:
        """Save a board view as a ``[[views]]`` entry of this session's config file (same contract)."""
        message = self._save(f"View {name!r}", lambda path: save_view(path, name, filters))
        if self.config is not None:
            self.views = list(self.config.views)
        return message

    def _save(self, what: str, write: Callable[[Path], Config]) -> str:
        if self.demo:
            return f"{what} is used until you quit; not saved (--demo reads and writes no config file)."
        path = self.config_path
        if path is None or not path.exists():
            return f"{what} is used until you quit; not saved (no config file)."
        self.config = write(path)
        return f"{what} saved to {display_path(path)}."

    def make_client(self) -> Any:
        """A new ``ServiceTitanClient`` for this session (resolves the secret now; may raise ``ConfigError``)."""
        if self.client_factory is None:
            raise RuntimeError("this session has no client factory")
        return self.client_factory()


def profile_session(config: Config, profile: Profile, cache_root: Path) -> Session:
    def factory() -> Any:
        from .api.client import ServiceTitanClient

        return ServiceTitanClient(**profile.client_kwargs(profile.resolve_secret()))

    themes = [config.path.parent / "themes"] if config.path is not None else []
    return Session(
        profile_name=profile.name, tenant=profile.tenant, environment=profile.environment,
        api_url=profile.effective_api_url, cache_dir=cache_root / profile.name, profile=profile, config=config,
        theme=config.theme, theme_dirs=themes, keys=dict(config.keys), views=list(config.views),
        tz=profile.tzinfo, client_factory=factory,
    )


def demo_session(cache_dir: Path, jobs: int = 200, seed: int = 1) -> Session:
    """The board on an in-process sandbox (``httpx.ASGITransport``): no config, no network, no real cache.
    Times are shown in the sandbox company's zone (Arizona), whatever the machine's zone is."""
    import httpx

    from .sandbox import state as sandbox_state
    from .sandbox.data import TIMEZONE
    from .sandbox.app import create_app

    app = create_app(jobs=jobs, seed=seed, rate_limit=None)  # no 429s in process
    base = "http://127.0.0.1"  # never dialled: the ASGI transport answers in process

    def factory() -> Any:
        from .api.client import ServiceTitanClient

        return ServiceTitanClient(
            api_url=base, auth_url=base, tenant=sandbox_state.TENANT,
            client_id=sandbox_state.CLIENT_ID, client_secret=sandbox_state.CLIENT_SECRET,
            app_key=sandbox_state.APP_KEY, transport=httpx.ASGITransport(app=app), rate_limit=1000.0,
        )

    return Session(profile_name="demo", tenant=sandbox_state.TENANT, environment="sandbox", api_url=base,
                   cache_dir=cache_dir, demo=True, sandbox_app=app, tz=ZoneInfo(TIMEZONE), client_factory=factory)


def say_cache_upgrade(path: Path, old: int, new: int) -> None:
    """On the terminal before the board or a command starts: the cache is migrated first, a large one for up to a
    minute, with nothing else on screen."""
    print(f"jpm-tui: upgrading the cache {path} (schema {old} to {new}), once; a large cache takes up to a minute",
          file=sys.stderr, flush=True)


def open_board(session: Session) -> int:
    """Run the board for ``session`` until the user quits; returns the exit code."""
    from .cache.store import CacheStore

    store = CacheStore(CacheStore.path_for(session.environment, session.tenant, base=session.cache_dir),
                       on_upgrade=say_cache_upgrade)
    app = board_app(session, store)
    try:
        app.run()
    finally:
        if app.live is not None:
            app.live.close()
        store.close()
    return 0


def board_app(session: Session, store: Any) -> Any:
    """The board over ``store``: it opens on the cache at once while a background worker sends queued
    writes and syncs through a provider over ``session.make_client()``."""
    from .cache.live import LiveCache
    from .ui.app import JpmApp
    from .ui.themes import DEFAULT_THEME
    from .ui.widgets.status_line import BoardStatus

    live = LiveCache(store, partial(_provider, session))
    status = BoardStatus(profile=session.profile_name, tenant=session.tenant, environment=session.environment,
                         last_sync=live.state.last_sync)
    return JpmApp(store, status, views=session.views, keymap=session.keys or None, keymap_origin=session.origin,
                  theme=session.theme or DEFAULT_THEME, theme_dirs=session.theme_dirs, live=live, tz=session.tz,
                  save_theme=session.save_theme, save_view=session.save_view,
                  link_for=partial(_record_link, session.environment), freeze_start_up=True)


# The provider (and with it the HTTP client and its models) is imported by the live loop once the job list is on
# screen, not before: the board paints from the cache first.


def _provider(session: Session) -> Any:
    from .provider.servicetitan import ServiceTitanProvider

    return ServiceTitanProvider(session.make_client())


def _record_link(environment: str, kind: str, record_id: int) -> str | None:
    from .provider.servicetitan import record_link

    return record_link(environment, kind, record_id)
