"""What the outbox says a queued write is: in the dispatcher's words, its times in the board's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from jpm_tui.cache.outbox import Outbox, describe
from jpm_tui.cache.store import CacheStore
from jpm_tui.provider import domain as d
from jpm_tui.provider.backends import WORKFLOWS, workflow_for
from jpm_tui.provider.bigchange.commands import EditJobFields, custom_field_name
from jpm_tui.provider.domain import COMMAND_TYPES
from jpm_tui.provider.workflow import Workflow

PHOENIX = ZoneInfo("America/Phoenix")
"""UTC-7 all year: 16:00 UTC is 09:00 there."""


def test_times_are_said_in_the_boards_zone() -> None:
    move = d.RescheduleAppointment(7, datetime(2026, 12, 5, 16, tzinfo=UTC), datetime(2026, 12, 5, 18, tzinfo=UTC))
    assert describe(move, tz=PHOENIX) == "reschedule appointment 7 to 2026-12-05 09:00 (Sat) – 11:00"
    late = d.CreateAppointment(3, datetime(2026, 12, 6, 5, tzinfo=UTC), datetime(2026, 12, 6, 8, tzinfo=UTC))
    assert describe(late, tz=PHOENIX) == ("create an appointment for job 3 at 2026-12-05 22:00 (Sat) – "
                                          "2026-12-06 01:00 (Sun)")


def test_the_outbox_says_its_entries_in_the_zone_it_is_given(store: CacheStore) -> None:
    entry = Outbox(store).enqueue(d.RescheduleAppointment(7, datetime(2026, 12, 5, 16, tzinfo=UTC),
                                                          datetime(2026, 12, 5, 18, tzinfo=UTC)))
    words = Outbox(store).describe(entry, PHOENIX)
    assert "to 2026-12-05 09:00 (Sat) – 11:00" in words and "UTC" not in words


SNAKE_OR_CAMEL = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z]*\b|\b\w+\.\w+\b")
"""An identifier as code spells it: ``set_job_status``, ``orderNumber``, ``customFields.12``."""

START, END = datetime(2026, 12, 5, 16, tzinfo=UTC), datetime(2026, 12, 5, 18, tzinfo=UTC)

OWN_BACKEND: dict[type[d.Command], str] = {EditJobFields: "bigchange"}
"""A backend's own command (not in ``provider/domain``): only its backend queues it."""


def examples(workflow: Workflow) -> list[d.Command]:
    """One command of each kind (two where a field may be left out), a status change to one of ``workflow``'s
    statuses (one whose value is not its label, where it has one)."""
    status = max(workflow.job_statuses, key=lambda s: s.value != s.label)
    return [
        d.CancelJob(1, 2, "customer away"), d.RemoveCancellation(1), d.HoldAppointment(3, 4, "parts"),
        d.RemoveAppointmentHold(3), d.ConfirmAppointment(3), d.UnconfirmAppointment(3),
        d.RescheduleAppointment(3, START, END), d.RescheduleAppointment(3, START, END, START, END),
        d.AssignTechnicians(3, (5, 6)), d.UnassignTechnicians(3, (5,)), d.AddJobNote(1, "gate code 1234", True),
        d.AddProjectNote(7, "phase two"), d.SetSpecialInstructions(3, "ring twice"),
        d.EditJob(1, {"summary": "new title", "priority": "High", "job_type_id": 8, "business_unit_id": 9,
                      "description": "longer words"}),
        d.AttachJobToProject(1, 7), d.DetachJobFromProject(1), d.CreateAppointment(1, START, END, technician_ids=(5,)),
        d.DeleteAppointment(3), d.SetJobStatus(1, status.value),
        d.AssignJobTechnician(1, 5), d.AssignJobTechnician(1, None), d.RescheduleJob(1, START, END),
        d.LinkAssets(1, (11, 12), "serviced"), d.UnlinkAssets(1, (11,)),
        d.CreateJob(2, "boiler check", technician_id=5, start=START, end=END),
        EditJobFields(1, {"orderNumber": "PO-99999", custom_field_name(12): "Street"}, ("reference", "personId")),
    ]


def test_every_command_of_every_backend_is_said_in_the_dispatchers_words() -> None:
    """Each command class (the domain's and the backends' own) has a sentence naming no identifier of the code:
    no command name, no field key, whatever backend's workflow says it."""
    for backend in WORKFLOWS:
        workflow = workflow_for(backend)
        commands = examples(workflow)
        assert {c.kind for c in commands} == set(COMMAND_TYPES), "a command without an example here"
        for command in commands:
            if OWN_BACKEND.get(type(command), backend) != backend:
                continue
            words = describe(command, tz=UTC, workflow=workflow)
            assert not SNAKE_OR_CAMEL.findall(words), (backend, words)
            assert not words.startswith("a change to"), (backend, words)  # the fallback: no words of its own


def test_a_status_is_said_by_its_label_and_a_field_by_the_forms_label() -> None:
    assert describe(d.SetJobStatus(1, "onTheWay"), workflow=workflow_for("bigchange")) == "move job 1 to On the way"
    edit = EditJobFields(5, {"orderNumber": "PO-99999", custom_field_name(12): "Street"}, ("reference",))
    names = {("custom_field", 12): "Parking", ("job", 5): "job J-5"}
    assert describe(edit, lambda kind, i: names.get((kind, i)), workflow=workflow_for("bigchange")) == (
        'edit job J-5: Order number = "PO-99999", Parking = "Street", Reference cleared')
    assert describe(edit, workflow=workflow_for("bigchange")).endswith('field 12 = "Street", Reference cleared')


def test_an_emptied_arrival_window_is_said() -> None:
    servicetitan = workflow_for("servicetitan")
    assert describe(d.RescheduleAppointment(3, START, END), tz=PHOENIX, workflow=servicetitan) == (
        "reschedule appointment 3 to 2026-12-05 09:00 (Sat) – 11:00, no arrival window")
    assert describe(d.RescheduleAppointment(3, START, END, START, START), tz=PHOENIX, workflow=servicetitan) == (
        "reschedule appointment 3 to 2026-12-05 09:00 (Sat) – 11:00, arriving 2026-12-05 09:00 (Sat) – 09:00")


def test_the_outbox_names_fields_by_its_workflows_labels_and_the_cached_definitions(store: CacheStore) -> None:
    store.upsert("custom_field_definitions", [d.CustomFieldDefinition(12, "Parking", "list", ("Street", "Drive"))])
    outbox = Outbox(store, workflow=workflow_for("bigchange"))
    entry = outbox.enqueue(EditJobFields(5, {"orderNumber": "PO-99999", custom_field_name(12): "Street"},
                                         ("reference",)))
    assert outbox.describe(entry) == 'edit job 5: Order number = "PO-99999", Parking = "Street", Reference cleared'
