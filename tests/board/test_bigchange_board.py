"""The board on `--demo --backend bigchange`, driven with Pilot: the edit form's writes reach the BigChange sandbox
with exactly the fields changed (its recorded PATCH bodies), a started job's description is refused up front with
the reason, a 422 puts the server's message beside its field while the write stays failed in the outbox (until the
dispatcher retries it once fixed, or drops it), an edit made offline waits in the outbox and is sent alone once the
network is back, and every cached custom field definition is a field of the form by its name, so one the job has not set yet can be set, the contact person is
picked by name from the customer's people (sent as their uuid); the detail says the planned times against the real
ones."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.demo_board import Board, Network, running
from support.fake_board import widget_text
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from jpm_tui.api.bigchange import BigChangeClient
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider.backends import workflow_for
from jpm_tui.provider.bigchange.commands import EditJobFields
from jpm_tui.provider.domain import parse_datetime
from jpm_tui.sandbox.bigchange import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID
from jpm_tui.session import board_app, demo_session
from jpm_tui.ui.planned_vs_real import span
from jpm_tui.ui.screens.calendar import CalendarScreen
from jpm_tui.ui.screens.edit_form import EditFormScreen
from jpm_tui.ui.screens.job_detail import JobDetailScreen
from jpm_tui.ui.screens.modals import ConfirmScreen
from jpm_tui.ui.screens.sync import SyncScreen
from jpm_tui.ui.widgets.job_table import JobTable
from jpm_tui.ui.widgets.status_line import StatusLine

FIELDS = ("description", "reference", "orderNumber", "plannedDuration", "personId")


class BigChangeBoard(Board):
    """The demo board on BigChange (``Board``'s waits, its own sandbox and cache)."""

    def __init__(self, tmp_path: Path) -> None:  # not Board's: it builds ServiceTitan's client and sandbox
        self.session = demo_session(tmp_path, jobs=40, backend="bigchange")
        self.sandbox = self.session.sandbox_app.state.sandbox
        self.network = Network(httpx.ASGITransport(app=self.session.sandbox_app))
        self.session.client_factory = lambda: BigChangeClient(
            api_url="http://127.0.0.1/v1", auth_url="http://127.0.0.1/auth/token", customer_id=CUSTOMER_ID,
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, transport=self.network, rate_limit=None, max_retries=0)
        self.store = CacheStore(self.session.cache_file, workflow=workflow_for(self.session.backend))
        self.app = board_app(self.session, self.store)
        self.pilot: Any = None

    def job_where(self, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        return dict(next(j for j in sorted(self.sandbox.tables["jobs"].values(), key=lambda j: j["id"]) if test(j)))

    def patches(self) -> list[dict[str, Any]]:
        return [{"jobId": job_id, "body": json.loads(body)} for job_id, body in self.sandbox.received_patches]

    async def edit(self, job: dict[str, Any]) -> EditFormScreen:
        self.app.open_job(job["id"])
        await self.wait(lambda: isinstance(self.app.screen, JobDetailScreen) and self.app.screen.detail is not None,
                        "the job detail")
        await self.pilot.press("E")
        await self.wait(lambda: isinstance(self.app.screen, EditFormScreen), "the edit form")
        await self.pilot.pause(0.1)
        return self.app.screen  # type: ignore[return-value]

    def field(self, form: EditFormScreen, name: str) -> tuple[Any, str, str]:
        """The field's box (an ``Input``, or a ``Select`` for a field with choices), what the form says will happen
        to it, and the lines under it."""
        k = next(k for k, f in enumerate(form.fields) if f.name == name)
        notes = form.query(f"#form-note-{k}")
        below = str(notes.first(Static).render()) if notes else ""
        box = form.query_one(f"#form-input-{k}", Widget)
        assert isinstance(box, Input | Select)
        return box, str(form.query_one(f"#form-fate-{k}", Static).render()), below

    async def send(self, form: EditFormScreen, job: dict[str, Any]) -> None:
        before = len(self.sandbox.received_patches)
        await self.pilot.press("ctrl+s")
        await self.wait(lambda: len(self.sandbox.received_patches) > before, "the PATCH")
        await self.wait(lambda: not self.app.live.outbox.pending_for("job", job["id"])
                        or self.app.live.outbox.pending_for("job", job["id"])[-1].state == "failed", "the answer")


@pytest.fixture
async def bc_board(tmp_path: Path) -> AsyncIterator[BigChangeBoard]:
    async with running(BigChangeBoard(tmp_path)) as opened:
        yield opened  # type: ignore[misc]


async def test_clearing_the_reference_sends_null(bc_board: BigChangeBoard) -> None:
    job = bc_board.job_where(lambda j: j["status"] == "scheduled" and j["reference"])
    form = await bc_board.edit(job)
    box, fate, _ = bc_board.field(form, "reference")
    assert box.value == job["reference"] and fate == "kept"
    box.value = ""
    await bc_board.pilot.pause(0.05)
    assert bc_board.field(form, "reference")[1] == "will be cleared"
    assert [bc_board.field(form, name)[1] for name in FIELDS if name != "reference"] == ["kept"] * 4
    await bc_board.send(form, job)
    assert bc_board.patches() == [{"jobId": job["id"], "body": {"reference": None}}]
    assert bc_board.sandbox.tables["jobs"][job["id"]]["reference"] is None


async def test_changing_only_the_planned_duration_sends_nothing_else(bc_board: BigChangeBoard) -> None:
    job = bc_board.job_where(lambda j: j["status"] == "new" and j["customFields"])
    form = await bc_board.edit(job)
    box, _, _ = bc_board.field(form, "plannedDuration")
    box.value = str(job["plannedDuration"] + 15)
    await bc_board.pilot.pause(0.05)
    assert bc_board.field(form, "plannedDuration")[1] == "will be sent"
    await bc_board.send(form, job)
    assert bc_board.patches() == [{"jobId": job["id"], "body": {"plannedDuration": job["plannedDuration"] + 15}}]


async def test_a_started_job_refuses_a_description_edit_with_the_reason(bc_board: BigChangeBoard) -> None:
    job = bc_board.job_where(lambda j: j["status"] == "started")
    form = await bc_board.edit(job)
    box, fate, below = bc_board.field(form, "description")
    assert box.disabled and fate == "read-only"
    assert "cannot change: the job has been started or completed" in below and "description" in below
    assert bc_board.field(form, "personId")[0].disabled and not bc_board.field(form, "reference")[0].disabled
    await bc_board.pilot.press("ctrl+s")  # nothing changed: nothing sent, the form says so
    await bc_board.pilot.pause(0.1)
    assert "Nothing changed" in str(form.query_one("#dialog-error", Static).render())
    assert bc_board.patches() == []


async def test_a_422_shows_its_message_on_the_field_and_stays_failed(bc_board: BigChangeBoard) -> None:
    required = {t["id"] for t in bc_board.sandbox.tables["job_types"].values() if t["orderNumberRequired"]}
    job = bc_board.job_where(lambda j: j["typeId"] in required and j["orderNumber"] and j["status"] == "scheduled")
    form = await bc_board.edit(job)
    bc_board.field(form, "orderNumber")[0].value = ""
    await bc_board.send(form, job)
    [entry] = bc_board.app.live.outbox.pending_for("job", job["id"])
    assert entry.state == "failed" and list(entry.field_errors) == ["orderNumber"]
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen), "the form to close")
    await bc_board.pilot.pause(0.3)  # the detail reloads with the failed write
    await bc_board.pilot.press("E")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, EditFormScreen), "the form again")
    _, _, below = bc_board.field(bc_board.app.screen, "orderNumber")
    assert "refused by the server: An order number is required" in below
    assert bc_board.field(bc_board.app.screen, "reference")[2] == ""
    assert bc_board.sandbox.tables["jobs"][job["id"]]["orderNumber"] == job["orderNumber"]


async def test_a_refused_write_stays_failed_until_retried_once_fixed_or_dropped(bc_board: BigChangeBoard) -> None:
    types = bc_board.sandbox.tables["job_types"]
    required = {t["id"] for t in types.values() if t["orderNumberRequired"]}
    first, second = [j for j in sorted(bc_board.sandbox.tables["jobs"].values(), key=lambda j: j["id"])
                     if j["typeId"] in required and j["orderNumber"] and j["status"] == "scheduled"][:2]
    outbox = bc_board.app.live.outbox

    async def refused(job: dict[str, Any]) -> None:  # the form's way to it: test_a_422_shows_its_message_on_the_field
        bc_board.app.submit(EditJobFields(job["id"], {}, ("orderNumber",)))
        await bc_board.settled()
        assert [e.state for e in outbox.pending_for("job", job["id"])] == ["failed"]

    await refused(first)
    await bc_board.pilot.press("S")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, SyncScreen) and bc_board.app.screen.entries,
                        "the outbox row")
    assert "Outbox: 1 refused" in bc_board.shown() and "An order number is required" in bc_board.shown()
    types[first["typeId"]]["orderNumberRequired"] = False  # fixed where it was refused: the server's rule
    await bc_board.pilot.press("r")
    await bc_board.wait(lambda: outbox.pending_for("job", first["id"]) == [], "the retried write")
    assert bc_board.sandbox.tables["jobs"][first["id"]]["orderNumber"] is None
    types[first["typeId"]]["orderNumberRequired"] = True

    await refused(second)
    sent = len(bc_board.patches())
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, SyncScreen) and bc_board.app.screen.entries,
                        "the refused row")  # still on the sync screen
    await bc_board.pilot.press("d")
    assert isinstance(bc_board.app.screen, ConfirmScreen)
    await bc_board.pilot.press("y")
    await bc_board.wait(lambda: outbox.pending_for("job", second["id"]) == [], "the dropped write")
    assert len(bc_board.patches()) == sent
    assert bc_board.sandbox.tables["jobs"][second["id"]]["orderNumber"] == second["orderNumber"]


async def test_an_edit_made_offline_is_queued_then_sent_alone(bc_board: BigChangeBoard) -> None:
    job = bc_board.job_where(lambda j: j["status"] == "accepted" and j["orderNumber"])
    bc_board.network.up = False
    bc_board.app.live.sync_now()
    await bc_board.wait(lambda: not bc_board.app.status.online, "the board to notice it is offline")
    form = await bc_board.edit(job)
    bc_board.field(form, "orderNumber")[0].value = "PO-77777"
    await bc_board.pilot.press("ctrl+s")
    await bc_board.wait(lambda: bc_board.app.status.outbox == 1, "the write to be queued")
    assert bc_board.patches() == [] and bc_board.app.live.outbox.pending_for("job", job["id"])[0].state == "pending"
    bc_board.network.up = True
    bc_board.app.live.sync_now()
    await bc_board.wait(lambda: bc_board.app.status.outbox == 0 and bc_board.app.status.online, "the replay",
                        timeout=15)
    assert bc_board.patches() == [{"jobId": job["id"], "body": {"orderNumber": "PO-77777"}}]


async def test_every_defined_custom_field_is_in_the_form_by_name_and_an_unset_one_can_be_set(
        bc_board: BigChangeBoard) -> None:
    definitions = {f["name"]: f for f in bc_board.sandbox.tables["custom_field_definitions"].values()}
    parking, asset = definitions["Parking"], definitions["Asset tag"]
    job = bc_board.job_where(lambda j: j["status"] == "scheduled" and not any(
        e["definitionId"] in (parking["id"], asset["id"]) for e in j["customFields"]))
    form = await bc_board.edit(job)
    assert [f.label for f in form.fields[5:]] == sorted(definitions)  # all of them, by name, the cache's order
    picker, fate, _ = bc_board.field(form, f"customFields.{parking['id']}")
    assert isinstance(picker, Select) and picker.is_blank() and fate == "kept"
    assert [f.choices for f in form.fields if f.label == "Parking"] == [tuple((o, o) for o in parking["options"])]
    box, _, _ = bc_board.field(form, f"customFields.{asset['id']}")
    assert isinstance(box, Input) and box.value == ""
    picker.value = "Street"
    box.value = "AT-4242"
    await bc_board.pilot.pause(0.05)
    assert bc_board.field(form, f"customFields.{parking['id']}")[1] == "will be sent"
    await bc_board.send(form, job)
    [patch] = bc_board.patches()
    assert sorted(patch["body"]["customFields"], key=lambda e: e["definitionId"]) == sorted(
        [{"definitionId": parking["id"], "value": "Street"}, {"definitionId": asset["id"], "value": "AT-4242"}],
        key=lambda e: e["definitionId"])
    assert list(patch["body"]) == ["customFields"]
    # the confirmation names the fields as the form does (the definitions' names), not by their keys
    said = [n.message for n in bc_board.app._notifications if n.message.startswith("Done: edit")]
    assert said and 'Parking = "Street"' in said[-1] and 'Asset tag = "AT-4242"' in said[-1], said
    assert "customFields" not in said[-1]
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen), "the detail")
    await bc_board.wait(lambda: "AT-4242" in widget_text(bc_board.app.screen.query_one("#detail-content")),
                        "the detail to show the new values")
    text = widget_text(bc_board.app.screen.query_one("#detail-content"))
    assert "Parking" in text and "Asset tag" in text and "field " not in text  # named by the cached definitions


def _minutes(later: str, earlier: str) -> int:
    return round((parse_datetime(later) - parse_datetime(earlier)).total_seconds() / 60)  # type: ignore[operator]


async def test_the_detail_says_planned_against_real_times_with_the_difference(bc_board: BigChangeBoard) -> None:
    job = bc_board.job_where(lambda j: j["status"] == "completedOk" and 0 < _minutes(j["realStartAt"],
                                                                                       j["plannedStartAt"]) < 60)
    late = _minutes(job["realStartAt"], job["plannedStartAt"])
    ended = _minutes(job["realEndAt"], job["plannedEndAt"])
    bc_board.app.open_job(job["id"])
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen)
                        and bc_board.app.screen.detail is not None, "the job detail")
    await bc_board.pilot.pause(0.1)
    [line] = [row for row in widget_text(bc_board.app.screen.query_one("#detail-content")).splitlines()
              if row.strip().startswith("Plan vs real")]
    assert "planned " in line and ", real " in line and f"started {late} min late" in line
    assert ("ended on time" if ended == 0 else f"ended {span(timedelta(minutes=ended))} "
            f"{'late' if ended > 0 else 'early'}") in line


async def test_the_contact_person_is_picked_by_name_and_sent_as_its_id(bc_board: BigChangeBoard) -> None:
    persons = bc_board.sandbox.tables["persons"].values()
    job = bc_board.job_where(lambda j: j["status"] == "scheduled" and sum(
        p["contactId"] == j["contactId"] for p in persons) > 1)
    others = [p for p in persons if p["contactId"] == job["contactId"] and p["id"] != job["personId"]]
    bc_board.app.open_job(job["id"])
    # opened online, the job's customer's people are read into the cache; the detail reloads with them
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen) and bc_board.app.screen.detail
                        is not None and len(bc_board.app.screen.detail.extra["people"]) == len(others) + 1,
                        "the customer's people")
    await bc_board.pilot.press("E")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, EditFormScreen), "the edit form")
    form = bc_board.app.screen
    assert isinstance(form, EditFormScreen)
    picker, fate, below = bc_board.field(form, "personId")
    assert isinstance(picker, Select) and picker.value == job["personId"] and fate == "kept"
    [field] = [f for f in form.fields if f.name == "personId"]
    names = {label.removesuffix(" (primary)") for _, label in field.choices}
    assert names == {p["name"] for p in persons if p["contactId"] == job["contactId"]}
    assert "(none) puts the customer's primary person back" in below
    picker.value = others[0]["id"]
    await bc_board.pilot.pause(0.05)
    assert bc_board.field(form, "personId")[1] == "will be sent"
    await bc_board.send(form, job)
    assert bc_board.patches() == [{"jobId": job["id"], "body": {"personId": others[0]["id"]}}]
    assert bc_board.sandbox.tables["jobs"][job["id"]]["personName"] == others[0]["name"]


async def test_the_job_list_shows_the_columns_bigchange_declares(bc_board: BigChangeBoard) -> None:
    header = bc_board.app.screen.query_one(JobTable).render_line(0).text
    assert "Pri " not in header and "Business" not in header  # no priority, no business unit
    assert [word in header for word in ("Job type", "Contact / address", "Planned", "Resource")] == [True] * 4


async def test_nine_digit_job_ids_show_whole_at_80x24(bc_board: BigChangeBoard) -> None:
    await bc_board.pilot.resize_terminal(80, 24)
    await bc_board.pilot.pause(0.2)
    table = bc_board.app.screen.query_one(JobTable)
    first = table.row_at(0)
    assert first is not None and len(first.number) == 9
    assert table.render_line(1).text.split()[0] == first.number


async def test_the_header_names_the_customer_account(bc_board: BigChangeBoard) -> None:
    line = str(bc_board.app.screen.query_one(StatusLine).render())
    assert f"customer {CUSTOMER_ID}" in line and "tenant" not in line


async def test_statuses_show_their_labels_in_the_list_filters_detail_and_calendar(bc_board: BigChangeBoard) -> None:
    board = bc_board
    table = board.app.screen.query_one(JobTable)
    await board.wait(lambda: "On the way" in board.shown(), "the list's rows")
    assert "onTheWay" not in board.shown()
    await board.pilot.press("s", "s")  # the quick status filter: the open jobs, then the first status
    await board.wait(lambda: table.list_query.statuses == ("new",), "the status filter")
    await board.pilot.pause(0.2)
    assert "status New" in board.shown()
    job = board.job_where(lambda j: j["status"] == "completedWithIssues")
    await board.open(job)
    assert f"Job {job['id']}  Completed with issues" in board.shown() and "completedWithIssues" not in board.shown()
    await board.pilot.press("escape", "escape", "C", "a")  # the calendar's agenda of today
    await board.wait(lambda: "On the way" in board.shown(), "the agenda's labels")
    assert "onTheWay" not in board.shown()


async def test_the_calendar_says_no_action_bigchange_does_not_have(bc_board: BigChangeBoard) -> None:
    await bc_board.pilot.press("C")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, CalendarScreen) and bc_board.app.screen.data,
                        "the calendar")
    screen = bc_board.app.screen
    assert isinstance(screen, CalendarScreen) and screen.data is not None
    item = next(i for i in screen.data.items if i.technician_ids)
    assert screen.select_appointment(item.id)
    line = lambda: str(screen.query_one("#cal-detail", Static).render())  # noqa: E731
    await bc_board.wait(lambda: str(item.id) in line() and screen.refusals, "the selected appointment's line")
    assert "hold_appointment" in screen.refusals  # the workflow judges every appointment action ...
    assert "Not now" not in line() and "Hold" not in line()  # ... but BigChange has none to refuse
    assert "priority" not in line()  # BigChange's jobs have no priority to tell apart


async def test_the_calendar_legend_and_agenda_have_only_what_bigchange_has(bc_board: BigChangeBoard) -> None:
    await bc_board.pilot.press("C")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, CalendarScreen) and bc_board.app.screen.data,
                        "the calendar")
    legend = str(bc_board.app.screen.query_one("#cal-legend", Static).render())
    assert "now" in legend and "late" in legend and "queued" in legend  # what BigChange's jobs can be
    assert not any(words in legend for words in ("arrival window", "unconfirmed", "priority"))
    assert "‖ Suspended" in legend and "on hold" not in legend  # a hold in BigChange's word
    await bc_board.pilot.press("a")
    await bc_board.pilot.pause(0.2)
    assert "Time         Status     Job · customer" in bc_board.shown()  # no Arrival column left empty
    assert "Arrival" not in bc_board.shown()


async def test_a_correction_refused_again_is_said_as_the_first_refusal_was(bc_board: BigChangeBoard) -> None:
    required = {t["id"] for t in bc_board.sandbox.tables["job_types"].values() if t["orderNumberRequired"]}
    job = bc_board.job_where(lambda j: j["typeId"] in required and j["orderNumber"] and j["status"] == "scheduled")
    outbox = bc_board.app.live.outbox
    needed = "An order number is required for jobs of type"

    async def refused(form: EditFormScreen) -> str:
        """Sent and refused: what the notification said, once the detail is back with the refused row."""
        bc_board.app.clear_notifications()
        await bc_board.send(form, job)
        await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen)
                            and bc_board.app._notifications, "the refusal said")
        (said,) = list(bc_board.app._notifications)
        assert said.title == "Refused by the server" and said.severity == "error"
        return said.message

    form = await bc_board.edit(job)
    bc_board.field(form, "orderNumber")[0].value = ""
    first = await refused(form)
    assert f"orderNumber: {needed}" in first
    await bc_board.wait(lambda: "refused  edit job" in bc_board.shown(), "the refused row in the detail")

    await bc_board.pilot.press("E")  # corrected, but the order number still left out
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, EditFormScreen), "the form again")
    await bc_board.pilot.pause(0.1)
    form = bc_board.app.screen
    assert isinstance(form, EditFormScreen)
    bc_board.field(form, "reference")[0].value = "REF-AGAIN"
    await bc_board.pilot.pause(0.05)
    again = await refused(form)
    assert again.startswith(f"edit job {job['id']}: Reference = \"REF-AGAIN\", Order number cleared\n")
    assert f"orderNumber: {needed}" in again  # the server's words and the field's, as the first time
    [row] = outbox.pending_for("job", job["id"])  # the correction's row, in place of the first
    assert row.state == "failed" and row.field_errors["orderNumber"][0].startswith(needed)
    await bc_board.wait(lambda: "Reference = \"REF-AGAIN\"" in bc_board.shown(), "the detail's refused row")
    await bc_board.pilot.press("E")  # and the form reopens on it, the field's message under it
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, EditFormScreen), "the form a third time")
    await bc_board.pilot.pause(0.1)
    form = bc_board.app.screen
    assert isinstance(form, EditFormScreen)
    assert bc_board.field(form, "reference")[0].value == "REF-AGAIN"
    assert f"refused by the server: {needed}" in bc_board.field(form, "orderNumber")[2]


async def test_the_detail_shows_only_the_sections_bigchange_has(bc_board: BigChangeBoard) -> None:
    board = bc_board
    await board.open(board.job_where(lambda j: j["status"] == "scheduled"))
    shown = board.shown()
    assert "Job type" in shown and "Custom fields" in shown and "History" in shown
    for absent in ("Notes (", "Booked", "Canceled log", "Business unit", "Project", "Priority", "priority"):
        assert absent not in shown, absent

async def test_correcting_a_refused_edit_replaces_it(bc_board: BigChangeBoard) -> None:
    required = {t["id"] for t in bc_board.sandbox.tables["job_types"].values() if t["orderNumberRequired"]}
    job = bc_board.job_where(lambda j: j["typeId"] in required and j["orderNumber"] and j["status"] == "scheduled")
    outbox = bc_board.app.live.outbox
    form = await bc_board.edit(job)
    bc_board.field(form, "orderNumber")[0].value = ""
    bc_board.field(form, "reference")[0].value = "REF-CORRECTED"
    await bc_board.send(form, job)
    [refused] = outbox.pending_for("job", job["id"])
    assert refused.state == "failed" and list(refused.field_errors) == ["orderNumber"]
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen), "the form to close")
    await bc_board.pilot.pause(0.3)  # the detail reloads with the failed write

    async def reopen() -> EditFormScreen:
        await bc_board.pilot.press("E")
        await bc_board.wait(lambda: isinstance(bc_board.app.screen, EditFormScreen), "the form again")
        await bc_board.pilot.pause(0.1)
        return bc_board.app.screen  # type: ignore[return-value]

    form = await reopen()  # as typed then: the order number cleared, the reference sent; the line says so
    intro = str(form.query_one("#dialog-intro", Static).render())
    assert intro.startswith("Correcting the change refused ") and intro.endswith(f": {refused.message}")
    box, fate, below = bc_board.field(form, "orderNumber")
    assert box.value == "" and fate == "will be cleared" and "refused by the server: An order number" in below
    box, fate, _ = bc_board.field(form, "reference")
    assert box.value == "REF-CORRECTED" and fate == "will be sent"
    await bc_board.pilot.press("escape")  # closed without sending: the refused write stays as it was
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen), "the form to close")
    assert outbox.pending_for("job", job["id"]) == [refused]

    form = await reopen()
    bc_board.field(form, "orderNumber")[0].value = "PO-7781"
    await bc_board.pilot.pause(0.05)
    patches = len(bc_board.patches())
    await bc_board.send(form, job)
    await bc_board.wait(lambda: outbox.pending_for("job", job["id"]) == [], "the corrected write applied")
    assert bc_board.patches()[patches:] == [{"jobId": job["id"],
                                             "body": {"reference": "REF-CORRECTED", "orderNumber": "PO-7781"}}]
    assert outbox.counts().get("failed", 0) == 0 and bc_board.app.live.state.outbox == 0
    stored = bc_board.sandbox.tables["jobs"][job["id"]]
    assert (stored["orderNumber"], stored["reference"]) == ("PO-7781", "REF-CORRECTED")
    await bc_board.wait(lambda: isinstance(bc_board.app.screen, JobDetailScreen), "the form to close")
    form = await reopen()  # nothing refused any more: the job's own values, no line, no message
    assert not form.query("#dialog-intro") and "refused" not in bc_board.field(form, "orderNumber")[2]
    assert bc_board.field(form, "orderNumber")[0].value == "PO-7781"
