"""A small, explicit JPM world for the sandbox's own tests, independent of the seeded generator.

`World.build(state)` inserts the reference records a job needs (customer, location, business unit, job
type, reasons, technician, employee, custom field type, project status/type, WBS segments) straight into
the state; tests then create jobs through the API so every write path is exercised over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from jpm_tui.sandbox.state import SandboxState

START = "2026-11-24T09:00:00Z"
END = "2026-11-24T11:00:00Z"


@dataclass
class World:
    customer: int
    location: int
    other_customer: int
    other_location: int
    business_unit: int
    job_type: int
    cancel_reason: int
    inactive_cancel_reason: int
    hold_reason: int
    technician: int
    employee: int
    custom_field_type: int
    project_status: int
    project_substatus: int
    project_type: int
    segments: list[int]
    items: dict[int, list[int]]  # segment -> item ids (first item is the parent of the second)

    @classmethod
    def build(cls, state: SandboxState) -> World:
        def add(collection: str, **record) -> int:
            return state[collection].insert(record)["id"]

        customer = add("customers", name="Ada Lovelace", active=True)
        other = add("customers", name="Grace Hopper", active=True)
        segments = [
            add("wbs_segments", name="Cost code", type="CostCode", structure="Hierarchal", isActive=True, isRequired=True),
            add("wbs_segments", name="Cost type", type="CostType", structure="Flat", isActive=True, isRequired=True),
        ]
        items: dict[int, list[int]] = {}
        for n, segment in enumerate(segments):
            parent = add("wbs_segment_items", segmentId=segment, parentId=None, code=f"S{n}A", description=f"Item {n}A",
                         path=f"S{n}A", costCategory="Labor", isActive=True)
            child = add("wbs_segment_items", segmentId=segment, parentId=parent, code=f"S{n}B", description=f"Item {n}B",
                        path=f"S{n}A/S{n}B", costCategory="Material", isActive=True)
            items[segment] = [parent, child]
        status = add("project_statuses", name="In progress", order=1)
        return cls(
            customer=customer,
            location=add("locations", name="Home", customerId=customer, active=True),
            other_customer=other,
            other_location=add("locations", name="Office", customerId=other, active=True),
            business_unit=add("business_units", name="HVAC", active=True),
            job_type=add("job_types", name="Sandbox repair", businessUnitIds=[], skills=[], tagTypeIds=[],
                         priority="Normal", duration=3600, soldThreshold=None, **{"class": ""}, summary="",
                         noCharge=False, enforceRecurringServiceEventSelection=False,
                         invoiceSignaturesRequired=False, externalData=[], active=True),
            cancel_reason=add("job_cancel_reasons", name="Customer canceled", active=True),
            inactive_cancel_reason=add("job_cancel_reasons", name="Retired reason", active=False),
            hold_reason=add("job_hold_reasons", name="Waiting on parts", active=True),
            technician=add("technicians", name="Tess Tech", active=True),
            employee=add("employees", name="Erin Office", active=True),
            custom_field_type=add("job_custom_field_types", name="Gate code", dataType="Text", dataTypeOptions=None),
            project_status=status,
            project_substatus=add("project_substatuses", name="Permits", statusId=status, order=1, active=True),
            project_type=add("project_types", name="Remodel", description="Whole-house work", createdById=None),
            segments=segments,
            items=items,
        )

    def job_body(self, *, technicians: bool = True, appointments: int = 1, **extra) -> dict:
        slots = [
            {"start": f"2026-11-{24 + n}T09:00:00Z", "end": f"2026-11-{24 + n}T11:00:00Z",
             **({"technicianIds": [self.technician]} if technicians else {})}
            for n in range(appointments)
        ]
        return {"customerId": self.customer, "locationId": self.location, "businessUnitId": self.business_unit,
                "jobTypeId": self.job_type, "priority": "Normal", "campaignId": 1, "appointments": slots, **extra}

    def create_job(self, api: httpx.Client, **kwargs) -> dict:
        response = api.post("jobs", json=self.job_body(**kwargs))
        assert response.status_code == 200, response.text
        return response.json()
