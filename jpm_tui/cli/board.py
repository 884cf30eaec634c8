"""``jpm-tui`` without a command (and ``jpm-tui --demo``): open the board."""

from __future__ import annotations

import argparse

from ..config import default_cache_dir, load_config
from ..config_first_frame import read_first_frame
from .common import _demo_cache_dir, _path


def _open_board(args: argparse.Namespace) -> int:
    from ..session import demo_session, first_frame_session, open_board, profile_session

    if args.demo:
        with _demo_cache_dir() as cache_dir:
            return open_board(demo_session(cache_dir, jobs=args.demo_jobs, backend=args.backend))
    first = read_first_frame(_path(args), args.profile)
    if first is not None:  # the board validates the file after its first frame, before it syncs or writes
        return open_board(first_frame_session(first, default_cache_dir()))
    config = load_config(_path(args))  # a file the first frame's reader does not vouch for: validated first
    profile = config.profile(args.profile)
    return open_board(profile_session(config, profile, default_cache_dir()))

