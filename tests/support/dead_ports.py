"""Servers that fail the way real ones do, on loopback: a port that refuses connections and one that accepts them and
never answers. Import the context managers (``from dead_ports import refused_socket, silent_socket``)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["refused_socket", "silent_socket", "url_of"]


@contextmanager
def refused_socket() -> Iterator[socket.socket]:
    """A socket bound on 127.0.0.1 that does not listen: a connection to its port is refused. Serve on it later
    (``running_server(app, sock=...)``) and the same port answers: the server came back."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        yield sock
    finally:
        sock.close()


@contextmanager
def silent_socket() -> Iterator[socket.socket]:
    """A socket on 127.0.0.1 that listens and never accepts: the kernel completes each connection and every request
    then waits for an answer that never comes. Serving on it later answers the requests waiting in its backlog."""
    with refused_socket() as sock:
        sock.listen(128)
        yield sock


def url_of(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"
