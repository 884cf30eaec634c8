"""A real PostgreSQL server for the tests: ``postgres_server`` (session) initdb's a temporary directory and starts a
server on a free loopback port (and a unix socket in that directory); ``postgres_url`` (per test) is a fresh database
of the test's own, copied from a template (``CREATE DATABASE ... TEMPLATE``), so tests are independent.

The server refuses to run as root: as root, it runs as the ``postgres`` user (``runuser``), who owns the directory.
Durability is off (fsync, synchronous_commit, full_page_writes): a test server's data dies with the session anyway.
Without server binaries the tests that need one are skipped with the reason, except in CI (``CI`` set), where they
fail: ``.ci/run`` installs Debian's ``postgresql`` when the binaries are missing.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "postgres"
"""The server's superuser (initdb -U), whoever runs it."""
TEMPLATE = "jpm_template"
"""The database every test's own is copied from."""
_SEARCH_DIRS = "/usr/lib/postgresql/*/bin"
_START_SECONDS = 60


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: ``url(database)`` is a ``postgresql://`` URL of one of its databases."""

    host: str
    port: int
    socket_dir: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"


def server_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: on PATH, else the newest of /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    found = [Path(d) for d in glob.glob(_SEARCH_DIRS) if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()]
    found.sort(key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    return found[-1] if found else None


def restart_server(server: PostgresServer) -> None:
    """``pg_ctl restart -m fast``: every connection ends (AdminShutdown), then the server takes new ones on the same
    port with the same options (pg_ctl keeps the ones it was started with). For tests of the database going away."""
    binaries = server_binaries()
    assert binaries is not None  # the server runs, so they were found
    _run([str(binaries / "pg_ctl"), "-D", str(server.socket_dir / "data"), "-l", str(server.socket_dir / "server.log"),
          "-m", "fast", "-w", "-t", str(_START_SECONDS), "restart"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """``command`` as the user who runs the server: the ``postgres`` user when we are root (the server refuses root)."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _give_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(path, user.pw_uid, user.pw_gid)


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=_START_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


class NoServer(RuntimeError):
    """No PostgreSQL server can be started here (the reason is the message)."""


@contextmanager
def temporary_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server in a temporary directory, stopped (and the directory removed) when the block ends; its
    ``TEMPLATE`` database made. ``NoServer`` when there are no binaries (or no user to run them as)."""
    binaries = server_binaries()
    if binaries is None:
        raise NoServer(f"no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in {_SEARCH_DIRS}")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise NoServer("running as root and there is no 'postgres' user to run the server as") from None
    root = Path(tempfile.mkdtemp(prefix="jpm-pg-"))
    try:
        _give_to_server_user(root)
        data = root / "data"
        port = _free_port()
        _run([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=200")
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "server.log"), "-w",
              "-t", str(_START_SECONDS), "start"])
        try:
            server = PostgresServer("127.0.0.1", port, root)
            _execute(server.url(), f"CREATE DATABASE {TEMPLATE}")
            yield server
        finally:
            _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (``temporary_server``). Skipped without one, except in CI (``CI``
    set), where that fails."""
    with ExitStack() as stack:
        try:
            server = stack.enter_context(temporary_server())
        except NoServer as missing:
            if os.environ.get("CI"):
                pytest.fail(f"{missing} (CI must have them: .ci/run installs Debian's postgresql)")
            pytest.skip(str(missing))
        yield server


def _execute(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # test-made statements


_numbers = itertools.count(1)


@contextmanager
def fresh_database(server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of the server (dropped after), as a ``postgresql://`` URL."""
    name = f"test_{os.getpid()}_{next(_numbers)}"
    _execute(server.url(), f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield server.url(name)
    finally:
        _execute(server.url(), f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of this test's own (dropped after it), as a ``postgresql://`` URL."""
    with fresh_database(postgres_server) as url:
        yield url
