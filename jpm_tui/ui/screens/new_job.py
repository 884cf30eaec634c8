"""A new job, for a backend that creates jobs (FSM Navigator): its location (picked from the cached ones), its
title, optionally a technician and a scheduled window; the last dialog queues ``CreateJob`` in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from ...provider import domain as d
from ..format import local
from ..text import clean
from .modals import Choice, ConfirmScreen, PickerScreen, TextEntryScreen, ask

if TYPE_CHECKING:
    from ..app import JpmApp

__all__ = ["new_job"]


async def new_job(board: JpmApp) -> None:
    """Open the chain of dialogs on ``board`` (the app); Esc in any of them ends it with nothing queued."""
    def read() -> list[tuple[d.Location, d.Customer | None]]:  # on the reader thread: SQL
        source = board.source
        return [(loc, source.customer(loc.customer_id) if loc.customer_id else None) for loc in source.locations()]

    # Locations are named per customer ("Main Office"): the customer's name comes first.
    choices = [Choice(loc.id, " · ".join(n for n in (customer.name if customer else "", loc.name) if n)
                      or f"location {loc.id}", loc.short_address) for loc, customer in await board.reader(read)]

    def then(screen: Any, step: Callable[[Any], None]) -> None:
        def answered(answer: Any) -> None:
            if answer is not None:  # None: the dispatcher backed out of this step
                step(answer)

        board.push_screen(screen, answered)

    def with_location(picked: Any) -> None:
        then(TextEntryScreen(f"Title of the new job at {clean(picked.label)}"),
             lambda written: with_title(int(picked.value), written.text.strip()))

    def with_title(location_id: int, title: str) -> None:
        technicians = [Choice(0, "Nobody yet"), *(Choice(tid, name) for tid, name in board.named("technician"))]
        then(PickerScreen(f"Technician of “{clean(title)}”", technicians),
             lambda picked: with_technician(location_id, title, int(picked.value) or None))

    def with_technician(location_id: int, title: str, technician_id: int | None) -> None:
        when = [Choice("none", "No window yet"), Choice("window", "Set a window…")]
        then(PickerScreen(f"When is “{clean(title)}”?", when),
             lambda picked: send(d.CreateJob(location_id, title, technician_id=technician_id),
                                 picked.value == "window"))

    def send(job: d.CreateJob, timed: bool) -> None:
        if not timed:
            ask(board, ConfirmScreen("New job", f"Create “{clean(job.title)}”?"), lambda _yes: board.queue(job))
            return
        from .appointment_form import Times, TimesFormScreen

        start = (local(board.clock(), board.tz).replace(hour=8, minute=0, second=0, microsecond=0)
                 + timedelta(days=1)).astimezone(UTC)
        ask(board, TimesFormScreen(f"Window of “{clean(job.title)}”", Times(start, start + timedelta(hours=2)),
                                   board.tz),
            lambda times: board.queue(d.CreateJob(job.location_id, job.title, technician_id=job.technician_id,
                                                  start=times.start, end=times.end)))

    then(PickerScreen("New job: where?", choices), with_location)
