"""A program in a real terminal for the benches that time what a user sees: a pty of 120x40 and a VT parser
(pyte) that keeps the screen as the program draws it. Time is ``time.perf_counter()``; a screen state's time is
when the bytes that made it were read from the pty.

    with Terminal([sys.executable, "-m", "jpm_tui"], env) as term:
        shown_at = term.wait(lambda screen: "matching" in screen[1])
        term.send(PAGE_DOWN)
"""

from __future__ import annotations

import fcntl
import os
import queue
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence

import pyte

COLUMNS, LINES = 120, 40
#: what a terminal sends for the keys the benches press
KEYS = {"pagedown": "\x1b[6~", "pageup": "\x1b[5~", "escape": "\x1b", "enter": "\r", "backspace": "\x7f"}


def bytecode_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment as installed: bytecode cached (a shell with PYTHONDONTWRITEBYTECODE=1 would recompile every
    module of ours on each start while Textual's come precompiled), a 256-colour terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TEXTUAL_DRIVER")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES), **extra}


class Terminal:
    """``argv`` started in a new pty (the clock starts just before the exec); ``display()`` is the screen's
    lines."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=dict(env),
                                        start_new_session=True)
        os.close(slave)
        self._chunks: queue.Queue[tuple[float, bytes]] = queue.Queue()
        self._reader = threading.Thread(target=self._drain, name="pty-reader", daemon=True)
        self._reader.start()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def display(self) -> list[str]:
        return self.screen.display

    def _drain(self) -> None:
        """The pty read as fast as the program writes (its own thread): the VT parser is pure Python and slower than
        a real terminal, so reading through it would hold the program's writes back and add to every time."""
        while True:
            select.select([self.master], [], [])
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # the program ended and closed the terminal
                data = b""
            self._chunks.put((time.perf_counter(), data))
            if not data:
                return

    def read(self, timeout: float) -> float | None:
        """Feed the next piece the program wrote (waiting up to ``timeout`` seconds) to the screen; the time it was
        written, or None."""
        try:
            at, data = self._chunks.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if not data:
            raise EOFError("the program closed the terminal:\n" + "\n".join(self.display()))
        self.stream.feed(data)
        return at

    def wait(self, shown: Callable[[list[str]], bool], timeout: float = 120.0) -> float:
        """The time the screen first satisfied ``shown`` (reading until it does)."""
        deadline = time.perf_counter() + timeout
        while True:
            at = self.read(deadline - time.perf_counter())
            if at is not None and shown(self.display()):
                return at
            if time.perf_counter() > deadline:
                raise TimeoutError("the screen never showed what was waited for:\n" + "\n".join(self.display()))

    def settle(self, quiet: float, rows: slice = slice(None), timeout: float = 10.0) -> float | None:
        """Read until ``rows`` of the screen stay the same for ``quiet`` seconds (or ``timeout`` passed); the time of
        their last change, or None when they did not change."""
        before = self.display()[rows]
        changed = None
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            at = self.read(quiet)
            if at is None:
                break
            now = self.display()[rows]
            if now != before:
                before, changed = now, at
        return changed

    def send(self, keys: str) -> float:
        """Write ``keys`` (see ``KEYS``) as typed; the time it was written."""
        os.write(self.master, keys.encode())
        return time.perf_counter()

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # The reader ends on the end of the terminal, which the program's exit makes. Closed under it, the pty's
        # number could go to the next Terminal while this reader still selects on it, and it would read (steal)
        # that program's screen: a bench then waited forever for a screen that had been drawn.
        self._reader.join(timeout=5)
        os.close(self.master)
