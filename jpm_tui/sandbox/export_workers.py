"""Worker processes that make a world at scale's export rows ahead of the feed's reader (issue 20).

A feed at scale spends ~50 µs a row making, shaping and encoding it, and the server is one Python process: one core.
A worker is a process that makes the world again from the arguments the server made it from (same arguments, same
world), then answers for a *chunk* of a generated collection's base rows (positions c·CHUNK to (c+1)·CHUNK of its
ids) with their JSON, made, shaped and encoded as the feed does it, by the shape the feed sends it. The server joins
those bytes for the rows its overlay does not hold (state.GeneratedCollection.export_rows).

Workers are spawned, not forked: the server runs uvicorn's (or the demo's Textual) threads, which a fork copies
half-way. Spawning runs the program's main module again in each worker, as multiprocessing does: a program that
starts them guards its main code with `if __name__ == "__main__"` (jpm-tui's entry point does). A feed's request
awaits the chunks of its page in a thread of the event loop's executor, so the loop serves other requests meanwhile
(the demo's sync runs on the same loop). The server makes a row itself while no worker is up (seconds at a million
jobs), for a shape that cannot be sent (a closure) and once a worker has ended.

Chunk c goes to worker c mod n of the n up: the jobs feed's chunk c and the appointments feed's are the same
families, which that worker then makes once for both (data_at_scale keeps the last families made). A worker ends
when stopped, when the server's end of its pipe closes (the server ended, however it did) or with the server's
process group (SIGTERM); it ignores SIGINT, which a terminal's Ctrl-C sends to the whole group: the server stops it.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import pickle
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from .state import Generated, World, json_bytes

CHUNK = 1000  # rows a worker is asked for at once: ~50 ms of its time, ~1 MB of jobs' JSON
AHEAD = 4  # chunks asked for beyond the one being read (by a reader that read the one before): two a worker
# JSON kept once made, a chunk two behind the one a reader reads dropped, then the least recently read: room for
# the chunks ahead of every feed a sync reads side by side (a chunk of jobs is ~1 MB; one of a sparse feed, mostly
# ids without a record, takes little, and a page of one reads through dozens, which a count of chunks would let push
# out the dense feeds' chunks before they are read)
KEPT_BYTES = 64 * 1024 * 1024

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
    background; `made` and `rows` ask those that have made it (before one has, `rows` is None: the feed makes its
    rows itself)."""

    def __init__(self, make_world: Callable[[], World]) -> None:
        self._make_world = make_world
        self._context = multiprocessing.get_context("spawn")
        self._changed = threading.Condition()
        self._made: OrderedDict[Key, Rows | None] = OrderedDict()  # None: the worker failed it (made in the server)
        self._sizes: dict[Key, int] = {}  # of the chunks in _made
        self._kept = 0  # their sum
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
        with _sigint_ignored():
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

    async def made(self, collection: str, shape: bytes, position: int, limit: int, end: int) -> None:
        """Ask for the chunks of the `limit` rows from `position` (of `end`) that a page sends, and wait for them
        without holding up the event loop (the server's other requests; the demo's sync on the same loop), so that
        `rows` then has them at hand. The chunk of the row after them (whether there are more) is waited for only
        if asked for already."""
        keys = [key for at in range(position - position % CHUNK, min(position + limit + 1, end), CHUNK)
                if (key := self._asked_for(collection, shape, at, end, ask=at < position + limit))]
        if keys:
            await asyncio.get_running_loop().run_in_executor(None, self._wait, keys)

    def rows(self, collection: str, shape: bytes, position: int, end: int, *, ask: bool = True
             ) -> tuple[int, Rows] | None:
        """The chunk of `collection`'s base rows (`end` positions) that holds `position`, made with `shape` (as
        `portable` gives it), as its first position and its rows: at hand after `made`, else waited for here (a
        page that skips changed rows reaches further; making it again would take longer). `ask` False: only a chunk
        already asked for (the row after a page, which says whether there are more, need not cost a chunk). None
        when the workers are not up or failed it: the caller makes the row itself."""
        key = self._asked_for(collection, shape, position, end, ask=ask)
        if key is None:
            return None
        self._wait([key])
        with self._changed:
            rows = self._made.get(key)
            if rows is not None:
                self._made.move_to_end(key)
            behind = (collection, shape, key[2] - 2)  # the reader is past it (the one before tells it reads on)
            if behind in self._made:
                del self._made[behind]
                self._kept -= self._sizes.pop(behind)
        return None if rows is None else (key[2] * CHUNK, rows)

    def stop(self) -> None:
        """End the workers and wait for them: a worker holds nothing to save, so it is terminated."""
        for worker in self._workers:
            worker.process.terminate()
        for worker, receiver in zip(self._workers, self._receivers):
            worker.process.join()
            receiver.join()
            worker.connection.close()

    def _asked_for(self, collection: str, shape: bytes, position: int, end: int, *, ask: bool) -> Key | None:
        """The key of the chunk holding `position`, asked for unless made or asked already (`ask` False: None
        unless it is), None when the workers are not up. A reader that read the chunk before gets the next AHEAD
        asked for too; one that starts here may read a page and stop (the demo caches the first page of every
        feed)."""
        chunk = position // CHUNK
        key: Key = (collection, shape, chunk)
        with self._changed:
            if not self._up or self._broken or not (ask or key in self._made or key in self._asked):
                return None
            reach = AHEAD if (collection, shape, chunk - 1) in self._made else 0
            ahead = [(collection, shape, c) for c in range(chunk, min(chunk + reach + 1, -(-end // CHUNK)))]
            new = [(k, self._up[k[2] % len(self._up)]) for k in ahead if k not in self._made and k not in self._asked]
            self._asked.update(k for k, _ in new)
        for k, worker in new:
            self._ask(worker, k)
        return key

    def _wait(self, keys: list[Key]) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._broken or not any(key in self._asked for key in keys))

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
                    self._sizes[key] = _size(rows)
                    self._kept += self._sizes[key]
                    while self._kept > KEPT_BYTES and len(self._made) > 1:
                        self._kept -= self._sizes.pop(self._made.popitem(last=False)[0])
                    self._changed.notify_all()
        except (EOFError, OSError):
            self._end()

    def _end(self) -> None:
        with self._changed:
            self._broken = True
            self._changed.notify_all()


def _size(rows: Rows | None) -> int:
    """About what a chunk holds in memory: its JSON, each row's bytes object and list slot."""
    return sum(len(row) + 33 for row in rows if row) + 8 * len(rows) if rows else 0


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored while a worker is spawned, in the main thread (only it may set handlers): the worker ignores it
    from its first instruction, so a Ctrl-C while it starts up prints no traceback of its. The server's own Ctrl-C
    is lost for those few milliseconds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)


def _work(connection: Connection, make_world: Callable[[], World]) -> None:
    """A worker's life: make the world, then answer each chunk asked for until the server's end closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # spawned from another thread than the main one, it did not yet
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
