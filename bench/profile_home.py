"""A user's setup for the benches that start ``jpm-tui`` as a user does: a config file with one profile and that
profile's cache, filled by ``bench/cache_queries.py``'s builder, in a folder of its own.

    python bench/profile_home.py /tmp/home1m --jobs 1000000     # build once; the benches take --home

The profile's server is a closed loopback port: the board opens on its cache, and its background loop finds the
server unreachable (offline) without waiting on a network.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROFILE = "bench"
TENANT = 1
SECRET_ENV = "JPM_BENCH_SECRET"
CONFIG = f"""\
[profiles.{PROFILE}]
environment = "custom"
api_url = "http://127.0.0.1:9"
auth_url = "http://127.0.0.1:9"
tenant = {TENANT}
client_id = "bench"
app_key = "bench"
client_secret_env = "{SECRET_ENV}"
"""


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def cache(self) -> Path:
        """What ``XDG_CACHE_HOME`` points at."""
        return self.root / "cache"

    @property
    def store(self) -> Path:
        from jpm_tui.cache.store import CacheStore

        return CacheStore.path_for("custom", TENANT, base=self.cache / "jpm-tui" / PROFILE)

    def jobs(self) -> int:
        """How many jobs its cache holds."""
        import sqlite3

        with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM jobs").fetchone()[0]

    def argv(self) -> list[str]:
        """``jpm-tui --config F --profile P``, as installed beside this interpreter."""
        return [str(Path(sys.executable).with_name("jpm-tui")), "--config", str(self.config), "--profile", PROFILE]

    def env(self) -> dict[str, str]:
        return {"XDG_CACHE_HOME": str(self.cache), SECRET_ENV: "bench-secret"}


def make_home(root: Path, jobs: int) -> Home:
    """The home at ``root``, its cache built with ``jobs`` jobs unless it already holds a cache."""
    from bench.cache_queries import build
    from jpm_tui.cache.store import CacheStore

    home = Home(root)
    root.mkdir(parents=True, exist_ok=True)
    home.config.write_text(CONFIG)
    if not home.store.exists():
        print(f"building a cache of {jobs:,} jobs in {home.store}", flush=True)
        store = CacheStore(home.store)
        try:
            build(store, jobs)
        finally:
            store.close()
    _as_a_board_leaves_it(home.store)
    return home


def _as_a_board_leaves_it(store: Path) -> None:
    """The cache as a board that quit leaves it: its WAL copied back into the file and emptied (the last
    connection's close does it). A run killed while writing (a bench's sync writer) leaves up to a checkpoint's
    worth of WAL (64 MiB, more while readers hold it), which every later start reads whole to rebuild the WAL's
    index before its first read: 121 MB of it made each start of a 200,000-job home ~60 ms slower. That is a start
    after a crash, not the start these benches measure."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(store)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def bench_home(root: Path | None, jobs: int) -> Iterator[Home]:
    """``make_home(root, jobs)``, or without ``root`` a temporary home, removed afterwards."""
    scratch = None if root else Path(tempfile.mkdtemp(prefix="jpm-bench-home-"))
    try:
        yield make_home(root or scratch, jobs)  # type: ignore[arg-type]
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--jobs", type=int, default=200_000)
    args = parser.parse_args()
    print(make_home(args.root, args.jobs).store)


if __name__ == "__main__":
    main()
