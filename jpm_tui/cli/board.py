"""``jpm-tui`` without a command (and ``jpm-tui --demo``): open the board."""

from __future__ import annotations

import argparse

from ..config import default_cache_dir, load_config
from .common import _demo_cache_dir, _path


def _open_board(args: argparse.Namespace) -> int:
    from ..session import demo_session, open_board, profile_session

    if args.demo:
        with _demo_cache_dir() as cache_dir:
            return open_board(demo_session(cache_dir, jobs=args.demo_jobs, backend=args.backend))
    config = load_config(_path(args))
    profile = config.profile(args.profile)
    return open_board(profile_session(config, profile, default_cache_dir()))

