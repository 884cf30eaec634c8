"""What the store raises of its own: a misuse (``CacheError``) and a file from a newer version (``CacheTooNew``).
The world's failures (disk, permissions, damage) are ``jpm_tui.cache.health.CacheFault``s."""

from __future__ import annotations

from jpm_tui.cache.health import CacheFault


class CacheError(RuntimeError):
    pass


class CacheTooNew(CacheFault, CacheError):
    """The file was written by a newer jpm-tui (a ``CacheError`` as before, and the world's doing)."""
