"""The sandboxes' clock: frozen at an instant (tests, demos: every stamp the sandbox writes is then known), else the
wall clock. Each sandbox's state is one (`SandboxState`, `FsmState`, `BigChangeState`); its ``_frozen`` instant is
one of the settings its ``reset()`` restores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    _frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def set_clock(self, now: datetime | None) -> None:
        """Freeze the clock at `now`, or go back to the wall clock with None."""
        self._frozen = now.astimezone(UTC) if now is not None else None

    def advance(self, seconds: float) -> None:
        """Move the clock forward (freezing it at the wall clock first if it was running)."""
        self._frozen = self.now() + timedelta(seconds=seconds)
