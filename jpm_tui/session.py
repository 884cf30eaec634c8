"""What the command line hands the board: one profile (or the demo sandbox), ready to connect lazily.

``jpm_tui.cli`` builds a :class:`Session` and calls :func:`open_board`. Nothing here touches the network or resolves
the secret until :meth:`Session.make_client` is called (inside the board's background worker).
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends import DEFAULT_BACKEND, backend_for
from .config import ConfigError, default_export_dir, display_path, load_config, save_theme, save_view

if TYPE_CHECKING:
    from .cache.opening import CacheLocation
    from .cache.store.interface import Store
    from .config_first_frame import FirstFrame, FirstView
    from .config_schema import Config, Profile, SavedView

__all__ = ["Session", "board_app", "check_first_frame", "demo_session", "first_frame_session", "open_board",
           "profile_session"]


@dataclass
class Session:
    profile_name: str                    # "demo" for --demo
    tenant: int | str                    # ServiceTitan's tenant; another backend's account (its API host)
    environment: str                     # "production" | "integration" | "custom" | "sandbox"
    api_url: str
    cache_dir: Path                      # per profile; a temporary directory for --demo
    demo: bool = False
    profile: Profile | None = None       # None for --demo
    config: Config | None = None         # None for --demo (no config is read)
    theme: str | None = None
    theme_dirs: list[Path] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    views: list[SavedView | FirstView] = field(default_factory=list)
    sandbox_app: Any = None              # the in-process sandbox (Starlette app) for --demo
    tz: tzinfo | None = None             # times are shown in this zone; None = the machine's local zone
    client_factory: Callable[[], Any] | None = field(default=None, repr=False)
    secret: Callable[[], str] | None = field(default=None, repr=False)  # the profile's, resolved once; None: --demo
    export_dir: Path = field(default_factory=default_export_dir)  # where the board writes exports (0600 files)
    backend: str = DEFAULT_BACKEND       # a key of backends.BACKENDS (the profile's backend)
    cache_url: str | None = None         # a team's PostgreSQL cache (the profile's cache_url), else the file
    cache_password: Callable[[], str | None] | None = field(default=None, repr=False)  # resolved once
    first_frame: FirstFrame | None = None  # what the board paints from until check_first_frame validated the config

    @property
    def cache_location(self) -> CacheLocation:
        """Where this session's cache is: ``cache_file``, or the team's database ``cache_url`` names."""
        from .cache.opening import CacheLocation

        return CacheLocation(self.cache_file, self.cache_url, self.cache_password)

    def open_store(self, *, create: bool = True) -> Store | None:
        """This session's cache store (``cache.opening.open_store``: the file, or the team's database); a migration
        is announced on stderr first. ``create=False``: None when the SQLite file does not exist yet."""
        from .cache.opening import open_store
        from .provider.backends import workflow_for

        return open_store(self.cache_location, create=create, on_upgrade=say_cache_upgrade,
                          workflow=workflow_for(self.backend))

    @property
    def cache_file(self) -> Path:
        """This session's cache file: one per backend, tenant (account) and environment in ``cache_dir``.
        ServiceTitan's keeps the name it always had (``cache/<environment>-<tenant>.sqlite3``), so existing caches
        keep working; another backend's starts with its name (``cache/fsm-navigator-custom-<host>.sqlite3``)."""
        from .cache.store import CacheStore

        if self.backend == DEFAULT_BACKEND:
            return CacheStore.path_for(self.environment, self.tenant, base=self.cache_dir)
        return CacheStore.path_for(f"{self.backend}-{self.environment}", self.tenant, base=self.cache_dir)

    @property
    def dispatcher_name(self) -> str | None:
        """The config's ``dispatcher_name`` (None: the outbox names the OS user)."""
        if self.config is not None:
            return self.config.dispatcher_name
        return self.first_frame.dispatcher_name if self.first_frame is not None else None

    @property
    def config_path(self) -> Path | None:
        """The config file this session was read from (None for --demo)."""
        if self.config is not None:
            return self.config.path
        return self.first_frame.path if self.first_frame is not None else None

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
    resolved: list[str] = []  # the secret, resolved once (a password manager is asked once per session)

    def secret() -> str:
        if not resolved:
            resolved.append(profile.resolve_secret(on_wait=say_waiting))
        return resolved[0]

    def factory() -> Any:
        return backend_for(profile.backend).client(profile, secret())

    password: list[str | None] = []  # the team cache's, resolved once too

    def cache_password() -> str | None:
        if not password:
            password.append(profile.resolve_cache_password(on_wait=say_waiting))
        return password[0]

    themes = [config.path.parent / "themes"] if config.path is not None else []
    return Session(
        profile_name=profile.name, tenant=profile.account, environment=profile.environment,
        api_url=profile.effective_api_url, cache_dir=cache_root / profile.name, profile=profile, config=config,
        theme=config.theme, theme_dirs=themes, keys=dict(config.keys), views=list(config.views),
        export_dir=config.exports_folder,
        tz=profile.tzinfo, client_factory=factory, secret=secret, backend=profile.backend,
        cache_url=profile.cache_url, cache_password=cache_password,
    )


def _zone(name: str | None) -> tzinfo | None:
    """The named time zone; None (the machine's) for none. zoneinfo is loaded only for a zone named: it looks for
    the system's zone data as it loads (~2.5 ms before the board's first frame)."""
    if name is None:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def first_frame_session(first: FirstFrame, cache_root: Path) -> Session:
    """The session of a profile read for the board's first frame (``config_first_frame``), before its config is
    validated: no client and no secret until :func:`check_first_frame` has validated the file."""
    return Session(profile_name=first.profile, tenant=first.tenant, environment=first.environment,
                   api_url=first.api_url, cache_dir=cache_root / first.profile, theme=first.theme,
                   theme_dirs=[first.path.parent / "themes"], keys=dict(first.keys), views=list(first.views),
                   export_dir=first.exports_folder, tz=_zone(first.timezone),
                   first_frame=first)


def check_first_frame(session: Session) -> str | None:
    """Validate the config file ``session``'s first frame was read from (the board runs it on a worker thread once
    that frame is shown, before it syncs or accepts a write) and complete ``session`` with the profile, its client and
    its secret, resolved now as :func:`open_board` resolves a validated session's. Returns the line the board ends on
    when that fails (what a start on the validated config says: the file, the key, what was expected), else None.
    The secret is a variable's or a file's (``config_first_frame`` leaves a secret command to a start validated
    first), so nothing here waits on the user or writes to the terminal."""
    from .config_first_frame import FirstFrame

    first = session.first_frame
    assert first is not None
    try:
        config = load_config(first.path)
        profile = config.profile(first.profile)
        if FirstFrame.of(config, profile) != first:  # the file changed since the first read
            raise ConfigError(f"{display_path(first.path)}: changed while the board started; start it again",
                              path=first.path)
        checked = profile_session(config, profile, session.cache_dir.parent)
        if checked.secret is not None:
            checked.secret()
    except ConfigError as error:
        return str(error)
    session.config, session.profile, session.views = checked.config, checked.profile, checked.views
    session.client_factory, session.secret = checked.client_factory, checked.secret
    session.first_frame = None
    return None


def demo_session(cache_dir: Path, jobs: int = 200, seed: int = 1, backend: str = DEFAULT_BACKEND) -> Session:
    """The board on ``backend``'s sandbox in this process (``httpx.ASGITransport``): no config, no network, no real
    cache. Times are shown in the sandbox company's zone, whatever the machine's zone is."""
    from .demo_start import say

    started = time.perf_counter()
    say(f"making the sandbox ({jobs:,} jobs)…")
    demo = backend_for(backend).demo(jobs, seed)
    say(f"sandbox ready in {time.perf_counter() - started:.1f} s")
    return Session(profile_name="demo", tenant=demo.account, environment="sandbox", api_url="http://127.0.0.1",
                   cache_dir=cache_dir, demo=True, sandbox_app=demo.app, tz=_zone(demo.timezone),
                   client_factory=demo.client, backend=backend)


def say_cache_upgrade(path: Path | str, old: int, new: int) -> None:
    """On the terminal before the board or a command starts: the cache is migrated first, a large one for up to a
    minute, with nothing else on screen."""
    print(f"jpm-tui: upgrading the cache {path} (schema {old} to {new}), once; a large cache takes up to a minute",
          file=sys.stderr, flush=True)


def say_waiting(message: str) -> None:
    """A secret command taking its time (a password manager waiting to be unlocked): say so on stderr, before
    the board takes the screen or beside a command's output."""
    print(f"jpm-tui: {message}…", file=sys.stderr, flush=True)


def open_board(session: Session) -> int:
    """Run the board for ``session`` until the user quits; returns the exit code. The client secret is resolved
    first (a failing or hanging secret source is one line on stderr, never a board that cannot connect), and a
    board that ended on a failure raises it as a ``Failure`` with its one line."""
    from .failures import Failure

    if session.secret is not None and session.cache_url is None:
        session.secret()  # ConfigError before the board starts; the background loop's client reuses it
    # No cyclic collection until the board's first frame (the board turns it back on then, see JpmApp's
    # freeze_start_up): start-up makes objects that live as long as the board, and ~140 collections went over them
    # (~40 ms of CPU) before that frame.
    gc.disable()
    store = session.open_store()
    assert store is not None  # created when missing
    app = None
    try:
        if session.demo:
            from .demo_start import cache_first_pages

            cache_first_pages(session, store)
        app = board_app(session, store)
        app.run()
    finally:
        # the live loop first: Textual cancels its worker without waiting, and a commit in flight needs the store
        if app is not None and app.live is not None:
            app.live.close()
        store.close()
    if app.failure is not None:
        raise Failure(app.failure, app.failure_code)
    return 0


def board_app(session: Session, store: Any) -> Any:
    """The board over ``store``: it opens on the cache at once while a background worker sends queued
    writes and syncs through a provider over ``session.make_client()``. The provider (and with it the HTTP client
    and its models) is built by the live loop once the job list is on screen: the board paints from the cache
    first."""
    from .cache.live import LiveCache
    from .provider.backends import workflow_for
    from .ui.app import JpmApp
    from .ui.themes import DEFAULT_THEME
    from .ui.widgets.status_line import BoardStatus

    workflow = workflow_for(session.backend)
    live: LiveCache
    if session.cache_url is not None:  # the team's sync service talks to the backend; the board listens
        from .cache.team_live import TeamLive

        live = TeamLive(store, session.cache_location.listener, workflow=workflow, author=session.dispatcher_name)
    else:
        live = LiveCache(store, partial(backend_for(session.backend).provider, session, store), workflow=workflow,
                         author=session.dispatcher_name)
    shown = session.profile.shown_account if session.profile is not None else session.tenant
    status = BoardStatus(profile=session.profile_name, tenant=shown, environment=session.environment,
                         connecting=live.state.connecting, last_sync=live.state.last_sync,
                         service_notice=live.state.service_notice)
    return JpmApp(store, status, views=session.views, keymap=session.keys or None, keymap_origin=session.origin,
                  theme=session.theme or DEFAULT_THEME, theme_dirs=session.theme_dirs, live=live, tz=session.tz,
                  save_theme=session.save_theme, save_view=session.save_view,
                  link_for=partial(backend_for(session.backend).record_link, session.environment),
                  export_dir=session.export_dir, freeze_start_up=True, workflow=workflow,
                  start_up_check=partial(check_first_frame, session) if session.first_frame is not None else None)
