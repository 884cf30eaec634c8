"""``python -m jpm_tui``: the same as the ``jpm-tui`` command."""

from jpm_tui.cli import main

raise SystemExit(main())
