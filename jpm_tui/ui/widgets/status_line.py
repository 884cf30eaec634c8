"""The header line: profile/tenant, environment, online state, what the sync does (paused, syncing, or the time
since the last one), outbox size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.widget import Widget

from ..css import widget_css
from ..format import ago
from ..text import clean

if TYPE_CHECKING:
    from ..app import JpmApp

__all__ = ["BoardStatus", "StatusLine"]

MIN_REASON = 12
"""Fewer columns left than this for the offline reason: the header says "offline" alone (the sync screen says why)."""


@dataclass(frozen=True)
class BoardStatus:
    """What the header shows. The app holds one; whoever learns something new replaces it
    (``app.status = replace(app.status, online=False)``; from another thread via ``call_from_thread``)."""

    profile: str = "default"
    tenant: str | int = ""
    environment: str = ""            # "production", "integration", "sandbox", ...
    online: bool = True
    connecting: bool = False         # online, but the server has not answered yet: "connecting…"
    last_sync: datetime | None = None
    outbox: int = 0                  # commands waiting to be sent
    syncing: bool = False
    offline_reason: str | None = None  # why it is offline ("sign-in refused (401): ..."), shown after "offline:"
    service_notice: str | None = None  # a team board: what its sync service cannot do ("no sync service: ...")


class StatusLine(Widget):
    """One line docked at the top of every board screen."""

    DEFAULT_CSS = widget_css(__file__)
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-line--app",
        "status-line--online",
        "status-line--offline",
        "status-line--muted",
        "status-line--outbox-pending",
    }

    def on_mount(self) -> None:
        def repaint(_status: object) -> None:
            self.refresh()

        self.watch(self.app, "status", repaint, init=False)
        self.set_interval(1.0, self.refresh)  # "synced 12s ago" ticks

    def render(self) -> Text:
        app: JpmApp = self.app  # type: ignore[assignment]
        status: BoardStatus = app.status
        style = self.get_component_rich_style
        muted = style("status-line--muted")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(" jpm-tui ", style("status-line--app"))
        where = " · ".join(
            part for part in (clean(status.profile),
                              f"{app.workflow.account_word} {clean(status.tenant)}" if status.tenant != "" else "",
                              clean(status.environment)) if part
        )
        tail = Text(end="")
        tail.append("   ")
        if app.live is not None and app.live.paused:
            tail.append("paused", style("status-line--outbox-pending"))
        elif status.syncing and status.online:  # offline, a round in flight waits on the server: nothing syncs
            tail.append("syncing…", muted)
        elif status.last_sync is None:
            tail.append("never synced", muted)
        else:
            tail.append(f"synced {ago(status.last_sync, app.clock())}", muted)
        tail.append("   ")
        tail.append(f"outbox {status.outbox}", style("status-line--outbox-pending") if status.outbox else muted)
        state = Text("● online", style("status-line--online")) if status.online else Text(
            "○ offline", style("status-line--offline"))
        if status.online and status.service_notice:  # a team board: the database answers, its service does not sync
            state = Text(f"○ {clean(status.service_notice)}", style("status-line--offline"))
        elif status.online and status.connecting:  # not "online" before the server said a word
            state = Text("○ connecting…", muted)
        # where the board points gives way first: the state, the sync and the outbox count stay whole at 80 columns
        place = Text(f" {where}  ")
        if status.online and status.service_notice:  # a long reason gives way too, leaving the profile's start
            left = self.size.width - text.cell_len - tail.cell_len - min(place.cell_len, MIN_REASON)
            state.truncate(max(MIN_REASON, left), overflow="ellipsis")
        room = self.size.width - text.cell_len - state.cell_len - tail.cell_len
        if place.cell_len > room:
            place.truncate(max(0, room - 2), overflow="ellipsis")
            place.append("  ")
        text.append_text(place)
        text.append_text(state)
        if not status.online:
            # the reason takes the room left, so the sync time and the outbox count stay in sight
            room = self.size.width - text.cell_len - tail.cell_len - len(": ")
            if status.offline_reason and room >= MIN_REASON:
                reason = Text(f": {clean(status.offline_reason)}", style("status-line--offline"))
                reason.truncate(room + len(": "), overflow="ellipsis")
                text.append_text(reason)
        text.append_text(tail)
        return text
