"""Serving the sandbox over real HTTP: `serve()` for `jpm-tui sandbox serve` (foreground, stops on
SIGINT/SIGTERM) and `running_server()` for tests (background thread, random loopback port)."""

from __future__ import annotations

import asyncio
import gc
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import uvicorn
from starlette.applications import Starlette

from .app import create_app


class ServeError(Exception):
    """The sandbox could not start serving (the message is one line, fit for the terminal)."""


class _Server(uvicorn.Server):
    """uvicorn's server, except that SIGINT/SIGTERM make `serve()` return normally: uvicorn re-raises the
    signal after shutting down, which would end the process with the signal instead of exit code 0."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # tests run the server in a thread and stop it with should_exit
            return
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop, sig)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _stop(self, sig: int) -> None:
        # A second Ctrl-C skips the graceful wait for open connections, as in uvicorn.
        self.force_exit = self.should_exit and sig == signal.SIGINT
        self.should_exit = True


def _listen(host: str, port: int) -> socket.socket:
    """Bind before uvicorn starts, so a busy port is a clear error and port 0 has a known number."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on such sockets, and without it every small
    # response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    return sock


def _server(app: Starlette) -> _Server:
    # Quiet: injected connection drops would otherwise print tracebacks, and the CLI owns the terminal.
    return _Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off"))


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    jobs: int = 200,
    seed: int = 1,
    *,
    now: datetime | None = None,
    token_lifetime: int = 900,
    rate_limit: float | None = 60.0,
    hostile: bool = False,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the sandbox until SIGINT/SIGTERM, then return. `on_ready(base_url)` is called once the socket
    listens (port 0 picks a free port; the URL has the real one). Raises ServeError when it cannot bind.
    `hostile`: the data carries the generator's untrusted texts (markup, escapes, bidi)."""
    app = create_app(jobs=jobs, seed=seed, now=now, token_lifetime=token_lifetime, rate_limit=rate_limit,
                     hostile=hostile)
    workers = app.state.sandbox.export_workers
    try:
        # Serving makes and drops short-lived records by the million (a world at scale makes them on demand): collect
        # the youngest generation every 50,000 allocations rather than 700, and the whole heap far less often.
        gc.set_threshold(50_000, 50, 100)
        _serve_on(app, _listen(host, port), host, on_ready)
    finally:
        if workers is not None:
            workers.stop()


def serve_app(app: Starlette, host: str = "127.0.0.1", port: int = 0, *,
              on_ready: Callable[[str], None] | None = None) -> None:
    """`serve()` for an app built elsewhere (another backend's sandbox): until SIGINT/SIGTERM, `on_ready` once
    listening, ServeError when the address cannot be bound."""
    _serve_on(app, _listen(host, port), host, on_ready)


def _serve_on(app: Starlette, sock: socket.socket, host: str, on_ready: Callable[[str], None] | None) -> None:
    server = _server(app)

    async def run() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started and on_ready is not None:
            on_ready(_url(host, sock))
        await task

    try:
        asyncio.run(run())
    finally:
        sock.close()


@contextmanager
def running_server(app: Starlette, *, timeout: float = 10.0, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (free port) in a background thread; yields the base URL. `sock`: a socket bound on
    127.0.0.1 to serve on instead (a port that refused or hung before: the server comes back); closed afterwards."""
    sock = sock or _listen("127.0.0.1", 0)
    server = _server(app)
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), name="sandbox-server",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise ServeError("the sandbox server did not start")
            time.sleep(0.01)
        yield _url("127.0.0.1", sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def profile_text(url: str, name: str = "sandbox") -> str:
    """The ``[profiles.<name>]`` table that reaches this sandbox served at ``url`` (its literal secret reaches
    nothing else)."""
    import tomli_w

    from . import state
    from .data import TIMEZONE

    table = {
        "environment": "custom",
        "api_url": url.rstrip("/"),
        "auth_url": url.rstrip("/"),
        "tenant": state.TENANT,
        "client_id": state.CLIENT_ID,
        "client_secret": state.CLIENT_SECRET,
        "app_key": state.APP_KEY,
        "timezone": TIMEZONE,  # the board shows the sandbox company's times, as the demo does
    }
    return tomli_w.dumps({"profiles": {name: table}})
