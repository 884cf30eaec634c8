"""Worker processes that make a world at scale's export rows ahead of the feed's reader (issue 20).

A feed at scale spends ~50 µs a row making, shaping and encoding it, and the server is one Python process: one core.
A worker is a process that makes the world again from the arguments the server made it from (same arguments, same
world), then answers for a *chunk* of a generated collection's base rows (positions c·CHUNK to (c+1)·CHUNK of its
ids) with their JSON, made, shaped and encoded as the feed does it, by the shape the feed sends it. The server joins
those bytes for the rows its overlay does not hold (state.GeneratedCollection.encoded_after).

Workers are spawned, not forked: the server runs uvicorn's (or the demo's Textual) threads, which a fork copies
half-way. Spawning runs the program's main module again in each worker, as multiprocessing does: a program that
starts them guards its main code with `if __name__ == "__main__"` (jpm-tui's entry point does). The server waits for
a chunk a worker is making, in the feed's request as it made the rows before; it makes a row itself while the workers
are starting (until the first has made its world: seconds at a million jobs), for a shape they cannot be sent (a
closure) and once one has ended.

Chunk c goes to worker c mod n of the n up: the jobs feed's chunk c and the appointments feed's are the same
families, which that worker then makes once for both (data_at_scale keeps the last families made). A worker ends when stopped, when
the server's end of its pipe closes (the server ended, however it did) or with the server's process group (SIGTERM);
it ignores SIGINT, which a terminal's Ctrl-C sends to the whole group: the server stops it.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from .state import Generated, World, json_bytes

CHUNK = 1000  # rows a worker is asked for at once: ~50 ms of its time, ~1 MB of jobs' JSON
AHEAD = 4  # chunks asked for beyond the one being read: two for each of two workers
KEPT = 16  # chunks kept once made: those ahead of two feeds read side by side, and the last ones read

Key = tuple[str, bytes, int]
"""A chunk: the collection, the shape its rows are made with (as `portable` gives it), its number."""
Rows = list[bytes | None]
"""A chunk's rows' JSON in id order, None where an id has no record."""
Shape = Callable[[dict[str, Any]], Any] | None


@dataclass(frozen=True)
class _Worker:
    process: BaseProcess
    connection: Connection
    sending: threading.Lock  # one request written at a time: feeds may be served from more than one thread


class ExportWorkers:
    """Worker processes over the world `make_world` makes, each started by `start` and making its world in the
    background; `rows` asks those that have made it (None before one has: the feed makes its rows itself)."""

    def __init__(self, make_world: Callable[[], World]) -> None:
        self._make_world = make_world
        self._context = multiprocessing.get_context("spawn")
        self._changed = threading.Condition()
        self._made: OrderedDict[Key, Rows | None] = OrderedDict()  # None: the worker failed it (made in the server)
        self._asked: set[Key] = set()
        self._workers: list[_Worker] = []
        self._receivers: list[threading.Thread] = []
        self._up: list[_Worker] = []  # those whose world is made: chunk c goes to _up[c % len(_up)]
        self._broken = False  # a worker ended: the server makes every row from now on

    def start(self) -> None:
        """One more worker."""
        name = f"jpm-tui export worker {len(self._workers) + 1}"
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=_work, args=(theirs, self._make_world), daemon=True, name=name)
        process.start()
        theirs.close()
        worker = _Worker(process, ours, threading.Lock())
        self._workers.append(worker)
        self._receivers.append(threading.Thread(target=self._receive, args=(worker,), daemon=True,
                                                name=f"{name} receiver"))
        self._receivers[-1].start()

    @staticmethod
    def portable(shape: Shape) -> bytes | None:
        """`shape` as a worker is sent it, None when it cannot be (a closure: those rows are made in the server)."""
        try:
            return pickle.dumps(shape, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, AttributeError, TypeError):
            return None

    @property
    def pids(self) -> list[int | None]:
        return [worker.process.pid for worker in self._workers]

    def wait_up(self, timeout: float) -> bool:
        """Wait until every worker started has made its world: False when one ended or `timeout` seconds passed
        first."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._up) == len(self._workers) or self._broken, timeout) and (
                not self._broken)

    def rows(self, collection: str, shape: bytes, position: int, end: int) -> tuple[int, Rows] | None:
        """The chunk of `collection`'s base rows (`end` positions) that holds `position`, made with `shape` (as
        `portable` gives it), as its first position and its rows; the chunks after it are asked for. None when the
        workers are not up or failed it: the caller makes the row itself. Waits for a chunk a worker is making (the
        feed's thread would take longer to make it again)."""
        chunk = position // CHUNK
        key: Key = (collection, shape, chunk)
        with self._changed:
            if not self._up or self._broken:
                return None
            ahead = [(collection, shape, c) for c in range(chunk, min(chunk + AHEAD + 1, -(-end // CHUNK)))]
            new = [(k, self._up[k[2] % len(self._up)]) for k in ahead if k not in self._made and k not in self._asked]
            self._asked.update(k for k, _ in new)
        for k, worker in new:
            self._ask(worker, k)
        with self._changed:
            self._changed.wait_for(lambda: key not in self._asked or self._broken)
            rows = self._made.get(key)
            if rows is not None:
                self._made.move_to_end(key)
        return None if rows is None else (chunk * CHUNK, rows)

    def stop(self) -> None:
        """End the workers and wait for them: a worker holds nothing to save, so it is terminated."""
        for worker in self._workers:
            worker.process.terminate()
        for worker, receiver in zip(self._workers, self._receivers):
            worker.process.join()
            receiver.join()
            worker.connection.close()

    def _ask(self, worker: _Worker, key: Key) -> None:
        try:
            with worker.sending:
                worker.connection.send(key)
        except OSError:
            self._end()

    def _receive(self, worker: _Worker) -> None:
        """The thread that takes in one worker's chunks (the server's thread need not be waiting for them)."""
        try:
            worker.connection.recv()  # its world is made
            with self._changed:
                self._up.append(worker)
                self._changed.notify_all()
            while True:
                key, rows = worker.connection.recv()
                with self._changed:
                    self._asked.discard(key)
                    self._made[key] = rows
                    while len(self._made) > KEPT:
                        self._made.popitem(last=False)
                    self._changed.notify_all()
        except (EOFError, OSError):
            self._end()

    def _end(self) -> None:
        with self._changed:
            self._broken = True
            self._changed.notify_all()


def _work(connection: Connection, make_world: Callable[[], World]) -> None:
    """A worker's life: make the world, then answer each chunk asked for until the server's end closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    world = make_world()
    # as the server does (app.build_state, server.serve): what is held now lives as long as the worker, and making
    # rows makes and drops records by the million
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    shapes: dict[bytes, Shape] = {}
    connection.send(None)
    while True:
        try:
            key = connection.recv()
        except EOFError:
            return
        name, shape, chunk = key
        if shape not in shapes:
            shapes[shape] = pickle.loads(shape)
        generated = world[name]
        assert isinstance(generated, Generated)
        connection.send((key, _chunk(generated, shapes[shape], chunk)))


def _chunk(generated: Generated, shape: Shape, chunk: int) -> Rows | None:
    """The chunk's rows as GeneratedCollection's export feed makes a base row (its `make_sent`); None when making
    them failed (the server makes them, and meets the failure where it reports it)."""
    make = generated.make_sent or generated.make
    rows: Rows = []
    try:
        for id in generated.ids[chunk * CHUNK:(chunk + 1) * CHUNK]:
            record = make(id)
            rows.append(None if record is None else json_bytes(shape(record) if shape else record))
    except Exception:
        return None
    return rows
