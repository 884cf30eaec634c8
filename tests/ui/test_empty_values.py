"""A field without a value is written one way on every detail (job, appointment, project): "—"."""

from __future__ import annotations

import dataclasses

from support.fake_board import make_app, settle, wait_until, widget_text
from support.fake_sources import FakeSource
from textual.widgets import Static

from jpm_tui.provider import domain as d
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.job_detail import JobDetailScreen


class _Unfinished(FakeSource):
    """The fake source's records with their optional values left empty: appointments without an end or an
    arrival window's end, history events without words (and, as every fake job, no tags)."""

    def appointments_for_job(self, job_id: int) -> list[d.Appointment]:
        return [dataclasses.replace(a, end=None, arrival_window_end=None)
                for a in super().appointments_for_job(job_id)]

    def history_for_job(self, job_id: int) -> list[d.HistoryEntry]:
        return [dataclasses.replace(h, event="") for h in super().history_for_job(job_id)]

    @property
    def calendar(self):  # type: ignore[override]
        rows, assignments = super().calendar
        return [(dataclasses.replace(row[0], end=None, arrival_window_end=None), *row[1:]) for row in rows], assignments


def _line(text: str, start: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


async def test_the_job_detail_writes_every_empty_field_as_a_dash() -> None:
    source = _Unfinished(40)
    row = next(r for r in source.rows if r.next_appointment is not None and r.technicians
               and not source.jobs[r.id].raw.get("tagTypeIds"))
    app = make_app(source)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        app.open_job(row.id)
        # the detail read, then drawn: under load the content can still say "Loading…" a moment after the read
        await wait_until(pilot, lambda: isinstance(app.screen, JobDetailScreen) and app.screen.detail is not None
                         and "Tags" in widget_text(app.screen.query_one("#detail-content", Static)))
        shown = widget_text(app.screen.query_one("#detail-content", Static))
        assert _line(shown, "Tags").split()[:2] == ["Tags", "—"]  # no tags of its own: as no phone, no project
        assert _line(shown, "Phone").split() == ["Phone", "—"]
        start = row.next_appointment.strftime("%Y-%m-%d %H:%M")
        appointment = _line(shown, f"{row.number}-1")  # no end, no end of its arrival window
        assert f"{start} ({row.next_appointment:%a}) – —  " in appointment
        assert appointment.endswith(f"arrive {row.next_appointment:%H:%M}–—")
        lines = shown.splitlines()
        event = lines[lines.index(next(s for s in lines if s.startswith("History (1)"))) + 1]
        assert event.split()[3] == "—"  # after its day, time and weekday: no words
        assert "none" not in shown.split()


async def test_the_selected_appointment_writes_a_missing_end_as_a_dash() -> None:
    app = make_app(_Unfinished(200))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.data is not None)
        screen = app.screen
        assert isinstance(screen, CalendarScreen) and screen.data is not None
        item = next(i for i in screen.data.items if i.window_start is not None and i.start is not None)
        assert screen.select_appointment(item.id)
        await settle(pilot)
        line = str(screen.query_one("#cal-detail", Static).render())
        assert f"{item.start:%H:%M}–—  arrive {item.window_start:%H:%M}–—  " in line
        assert "--:--" not in line
