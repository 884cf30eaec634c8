"""`JpmApi`: one method per Job Planning & Management operation (`{api_url}/jpm/v2/tenant/{tenant}/...`).

Conventions shared by every resource class:

* `get_x(id)` -> model; writes take a request model and return the documented answer (or `None`).
* `list_x(page=1, page_size=50, include_total=False, **filters)` -> one `Paged[X]`;
  `iter_x(page_size=500, **filters)` -> `AsyncIterator[X]` over all pages (via `client.paginate`).
  Filters are the documented query parameters in snake_case; lists become comma-separated, datetimes
  ISO-8601 UTC; an unknown filter name raises `TypeError`.
* `export_x(from_token=None, include_recent_changes=False)` -> `AsyncIterator[ExportPage]` of raw dicts
  (`parse_rows(ExportJob, page.data)` turns rows into models when wanted).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from jpm_tui.api._resource import ActiveFilters, DateFilters, Resource, SortFilter
from jpm_tui.api.models.base import Paged, build_query
from jpm_tui.api.models.jpm import (
    AddAppointmentRequest,
    Appointment,
    AppointmentStatus,
    AppointmentSummary,
    BudgetCode,
    CancelJobRequest,
    CompleteJobRequest,
    CreateBudgetCodePartialRequest,
    CreateBudgetCodeRequest,
    CreateBudgetCodeResponse,
    CreateBudgetCodesBatchResponse,
    CreateJobRequest,
    CreateJobTypeRequest,
    CreateMessageRequest,
    CreateNoteRequest,
    CreateProjectRequest,
    CustomFieldType,
    ExportAppointment,
    ExportJob,
    ExportJobCanceledLog,
    ExportJobHistory,
    ExportJobNote,
    ExportProject,
    ExportProjectNote,
    HoldAppointmentRequest,
    HoldJobRequest,
    Job,
    JobBookedLog,
    JobCanceledLog,
    JobCanceledReason,
    JobCancelReason,
    JobHistory,
    JobHoldReason,
    JobStatus,
    JobType,
    MatchBudgetCodesResponse,
    MessageResponse,
    Note,
    Priority,
    Project,
    ProjectStatus,
    ProjectSubStatus,
    ProjectType,
    RescheduleAppointmentRequest,
    SegmentItem,
    SegmentList,
    SetAppointmentSummaryRequest,
    UpdateJobRequest,
    UpdateJobTypeRequest,
    UpdateProjectRequest,
    UpdateSpecialInstructionsRequest,
)
from jpm_tui.api.operations import operation

if TYPE_CHECKING:
    from jpm_tui.api.client import ExportPage

__all__ = ["JpmApi"]


# ------------------------------------------------------------------------------------------ filters


class ExternalDataFilters(TypedDict, total=False):
    external_data_application_guid: str
    external_data_key: str
    """Needs `external_data_values` too."""
    external_data_values: Sequence[str]


class AppointmentFilters(DateFilters, SortFilter, total=False):
    ids: Sequence[int]
    job_id: int
    project_id: int
    number: str
    status: AppointmentStatus | str
    starts_on_or_after: datetime
    starts_before: datetime
    technician_id: int
    customer_id: int
    unused: bool


class JobFilters(DateFilters, SortFilter, ExternalDataFilters, total=False):
    ids: Sequence[int]
    number: str
    project_id: int
    booking_id: int
    job_status: JobStatus | str
    appointment_status: AppointmentStatus | str
    """Jobs with any appointment in this status."""
    priority: Priority | str
    first_appointment_starts_on_or_after: datetime
    first_appointment_starts_before: datetime
    appointment_starts_on_or_after: datetime
    appointment_starts_before: datetime
    technician_id: int
    customer_id: int
    location_id: int
    sold_by_id: int
    job_type_id: int
    campaign_id: int
    business_unit_id: int
    invoice_id: int
    completed_on_or_after: datetime
    completed_before: datetime
    tag_type_ids: Sequence[int]
    has_unused_appointments: bool


class ProjectFilters(DateFilters, SortFilter, ExternalDataFilters, total=False):
    ids: Sequence[int]
    customer_id: int
    location_id: int
    project_type_id: int
    invoice_id: int
    technician_id: int
    job_id: int
    appointment_id: int
    project_manager_ids: Sequence[int]
    business_unit_ids: Sequence[int]
    starts_before: datetime
    starts_on_or_after: datetime
    completed_before: datetime
    completed_on_or_after: datetime
    target_completion_date_before: datetime
    target_completion_date_on_or_after: datetime
    status: Sequence[str]
    """Project status names; `"None"` matches projects without a status."""


class ReasonFilters(DateFilters, ActiveFilters, SortFilter, total=False):
    pass


class CustomFieldTypeFilters(DateFilters, SortFilter, total=False):
    pass


class JobTypeFilters(DateFilters, ActiveFilters, total=False):
    name: str
    min_duration: int
    """Seconds."""
    max_duration: int
    priority: Priority | str
    ids: Sequence[int]
    order_by: str
    """`id`, `modifiedOn` or `createdOn`."""
    order_by_direction: str
    """`asc` or `desc`."""
    external_data_application_guid: str


class ProjectStatusFilters(DateFilters, SortFilter, total=False):
    name: str
    ids: Sequence[int]


class ProjectSubStatusFilters(DateFilters, SortFilter, ActiveFilters, total=False):
    name: str
    status_id: int
    ids: Sequence[int]


_WBS = "work-breakdown-structure"


class JpmApi(Resource):
    MODULE = "jpm"

    # ============================================================================== export feeds

    @operation("GET", "export/jobs", "Export_Jobs", kind="export", row=ExportJob)
    def export_jobs(self, from_token: str | None = None, include_recent_changes: bool = False) -> AsyncIterator[ExportPage]:
        return self._export("export/jobs", from_token, include_recent_changes)

    @operation("GET", "export/projects", "Export_Projects", kind="export", row=ExportProject)
    def export_projects(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/projects", from_token, include_recent_changes)

    @operation("GET", "export/appointments", "Export_Appointments", kind="export", row=ExportAppointment)
    def export_appointments(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/appointments", from_token, include_recent_changes)

    @operation("GET", "export/job-canceled-logs", "Export_JobCancelReasons", kind="export", row=ExportJobCanceledLog)
    def export_job_canceled_logs(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/job-canceled-logs", from_token, include_recent_changes)

    @operation("GET", "export/job-notes", "Export_JobNotes", kind="export", row=ExportJobNote)
    def export_job_notes(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/job-notes", from_token, include_recent_changes)

    @operation("GET", "export/project-notes", "Export_ProjectNotes", kind="export", row=ExportProjectNote)
    def export_project_notes(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/project-notes", from_token, include_recent_changes)

    @operation("GET", "export/job-history", "Export_JobHistory", kind="export", row=ExportJobHistory)
    def export_job_history(
        self, from_token: str | None = None, include_recent_changes: bool = False
    ) -> AsyncIterator[ExportPage]:
        return self._export("export/job-history", from_token, include_recent_changes)

    # ============================================================================== appointments

    @operation("GET", "appointments/{id}", "Appointments_Get", kind="get", response=Appointment)
    async def get_appointment(self, id: int) -> Appointment:
        return await self._get(f"appointments/{id}", Appointment)

    @operation("DELETE", "appointments/{id}", "Appointments_Delete")
    async def delete_appointment(self, id: int) -> None:
        await self._call("DELETE", f"appointments/{id}")

    @operation("GET", "appointments", "Appointments_GetList", kind="list", response=Paged[Appointment], row=Appointment)
    async def list_appointments(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[AppointmentFilters]
    ) -> Paged[Appointment]:
        return await self._list(
            "appointments", Appointment, filters, AppointmentFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_appointments(self, *, page_size: int = 500, **filters: Unpack[AppointmentFilters]) -> AsyncIterator[Appointment]:
        return self._iter("appointments", Appointment, filters, AppointmentFilters, page_size=page_size)

    @operation("POST", "appointments", "Appointments_Add", request=AddAppointmentRequest, response=Appointment)
    async def add_appointment(self, body: AddAppointmentRequest) -> Appointment:
        return await self._call("POST", "appointments", body=body, response=Appointment)

    @operation(
        "PATCH", "appointments/{id}/reschedule", "Appointments_Reschedule",
        request=RescheduleAppointmentRequest, response=Appointment,
    )
    async def reschedule_appointment(self, id: int, body: RescheduleAppointmentRequest) -> Appointment:
        return await self._call("PATCH", f"appointments/{id}/reschedule", body=body, response=Appointment)

    @operation("PUT", "appointments/{id}/hold", "Appointments_Hold", request=HoldAppointmentRequest)
    async def hold_appointment(self, id: int, body: HoldAppointmentRequest) -> None:
        await self._call("PUT", f"appointments/{id}/hold", body=body)

    @operation("DELETE", "appointments/{id}/hold", "Appointments_RemoveHold")
    async def remove_appointment_hold(self, id: int) -> None:
        await self._call("DELETE", f"appointments/{id}/hold")

    @operation(
        "PUT", "appointments/{id}/special-instructions", "Appointments_UpdateSpecialInstructions",
        request=UpdateSpecialInstructionsRequest, response=Appointment,
    )
    async def update_appointment_special_instructions(
        self, id: int, body: UpdateSpecialInstructionsRequest
    ) -> Appointment:
        return await self._call("PUT", f"appointments/{id}/special-instructions", body=body, response=Appointment)

    @operation("PUT", "appointments/{id}/confirmation", "Appointments_Confirm")
    async def confirm_appointment(self, id: int) -> None:
        await self._call("PUT", f"appointments/{id}/confirmation")

    @operation("DELETE", "appointments/{id}/confirmation", "Appointments_RemoveConfirmation")
    async def remove_appointment_confirmation(self, id: int) -> None:
        await self._call("DELETE", f"appointments/{id}/confirmation")

    @operation(
        "POST", "appointments/{id}/summaries", "Appointments_SetSummary", source="2026",
        request=SetAppointmentSummaryRequest, response=AppointmentSummary,
    )
    async def set_appointment_summary(self, id: int, body: SetAppointmentSummaryRequest) -> AppointmentSummary | None:
        """Newer than the documents (private preview); the answer is parsed loosely, `None` if empty."""
        return await self._call("POST", f"appointments/{id}/summaries", body=body, response=AppointmentSummary)

    # ======================================================================================== jobs

    @operation("GET", "jobs/{id}", "Jobs_Get", kind="get", response=Job)
    async def get_job(self, id: int, *, external_data_application_guid: str | None = None) -> Job:
        params = build_query(None, external_data_application_guid=external_data_application_guid)
        return await self._get(f"jobs/{id}", Job, params)

    @operation("PATCH", "jobs/{id}", "Jobs_Update", request=UpdateJobRequest, response=Job)
    async def update_job(self, id: int, body: UpdateJobRequest) -> Job:
        return await self._call("PATCH", f"jobs/{id}", body=body, response=Job)

    @operation("POST", "jobs", "Jobs_Create", request=CreateJobRequest, response=Job)
    async def create_job(self, body: CreateJobRequest) -> Job:
        return await self._call("POST", "jobs", body=body, response=Job)

    @operation("GET", "jobs", "Jobs_GetList", kind="list", response=Paged[Job], row=Job)
    async def list_jobs(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[JobFilters]
    ) -> Paged[Job]:
        return await self._list(
            "jobs", Job, filters, JobFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_jobs(self, *, page_size: int = 500, **filters: Unpack[JobFilters]) -> AsyncIterator[Job]:
        return self._iter("jobs", Job, filters, JobFilters, page_size=page_size)

    @operation("PUT", "jobs/{id}/cancel", "Jobs_Cancel", request=CancelJobRequest)
    async def cancel_job(self, id: int, body: CancelJobRequest) -> None:
        await self._call("PUT", f"jobs/{id}/cancel", body=body)

    @operation("PUT", "jobs/{id}/remove-cancellation", "Jobs_RemoveCancellation")
    async def remove_job_cancellation(self, id: int) -> None:
        await self._call("PUT", f"jobs/{id}/remove-cancellation")

    @operation("PUT", "jobs/{id}/hold", "Jobs_Hold", request=HoldJobRequest)
    async def hold_job(self, id: int, body: HoldJobRequest) -> None:
        """In the 2025 documents, gone from the 2026 list (holds go through `hold_appointment`)."""
        await self._call("PUT", f"jobs/{id}/hold", body=body)

    @operation("PUT", "jobs/{id}/complete", "Jobs_Complete", request=CompleteJobRequest)
    async def complete_job(self, id: int, body: CompleteJobRequest) -> None:
        """In the 2025 documents, gone from the 2026 list."""
        await self._call("PUT", f"jobs/{id}/complete", body=body)

    @operation("GET", "jobs/{id}/notes", "Jobs_GetNotes", kind="list", response=Paged[Note], row=Note)
    async def list_job_notes(
        self, id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[Note]:
        return await self._list(
            f"jobs/{id}/notes", Note, {}, None, page=page, page_size=page_size, include_total=include_total
        )

    def iter_job_notes(self, id: int, *, page_size: int = 500) -> AsyncIterator[Note]:
        return self._iter(f"jobs/{id}/notes", Note, {}, None, page_size=page_size)

    @operation("POST", "jobs/{id}/notes", "Jobs_CreateNote", request=CreateNoteRequest, response=Note)
    async def create_job_note(self, id: int, body: CreateNoteRequest) -> Note:
        return await self._call("POST", f"jobs/{id}/notes", body=body, response=Note)

    @operation(
        "GET", "jobs/cancel-reasons", "Jobs_GetCancelReasons", kind="get",
        response=Paged[JobCanceledReason], row=JobCanceledReason,
    )
    async def get_jobs_cancel_reasons(self, ids: Sequence[int]) -> Paged[JobCanceledReason]:
        """Why each of these jobs (at most 50) was canceled."""
        return await self._get("jobs/cancel-reasons", Paged[JobCanceledReason], build_query(None, ids=list(ids)))

    @operation("GET", "jobs/{id}/history", "Jobs_GetHistory", kind="get", response=JobHistory)
    async def get_job_history(self, id: int) -> JobHistory:
        return await self._get(f"jobs/{id}/history", JobHistory)

    @operation(
        "POST", "jobs/{id}/messages", "Jobs_CreateMessage", request=CreateMessageRequest, response=MessageResponse
    )
    async def create_job_message(self, id: int, body: CreateMessageRequest) -> MessageResponse:
        return await self._call("POST", f"jobs/{id}/messages", body=body, response=MessageResponse)

    @operation(
        "GET", "jobs/{id}/canceled-log", "Jobs_GetJobCanceledLogs", kind="list",
        response=Paged[JobCanceledLog], row=JobCanceledLog,
    )
    async def list_job_canceled_logs(
        self, id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[JobCanceledLog]:
        return await self._list(
            f"jobs/{id}/canceled-log", JobCanceledLog, {}, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_job_canceled_logs(self, id: int, *, page_size: int = 500) -> AsyncIterator[JobCanceledLog]:
        return self._iter(f"jobs/{id}/canceled-log", JobCanceledLog, {}, None, page_size=page_size)

    @operation("GET", "jobs/{id}/booked-log", "Jobs_GetBookedLog", kind="get", response=JobBookedLog)
    async def get_job_booked_log(self, id: int) -> JobBookedLog:
        return await self._get(f"jobs/{id}/booked-log", JobBookedLog)

    @operation(
        "GET", "jobs/custom-fields", "Jobs_GetCustomFieldTypes", kind="list",
        response=Paged[CustomFieldType], row=CustomFieldType,
    )
    async def list_job_custom_field_types(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[CustomFieldTypeFilters],
    ) -> Paged[CustomFieldType]:
        return await self._list(
            "jobs/custom-fields", CustomFieldType, filters, CustomFieldTypeFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_job_custom_field_types(
        self, *, page_size: int = 500, **filters: Unpack[CustomFieldTypeFilters]
    ) -> AsyncIterator[CustomFieldType]:
        return self._iter("jobs/custom-fields", CustomFieldType, filters, CustomFieldTypeFilters, page_size=page_size)

    # ============================================================================ reasons

    @operation(
        "GET", "job-cancel-reasons", "JobCancelReasons_GetList", kind="list",
        response=Paged[JobCancelReason], row=JobCancelReason,
    )
    async def list_job_cancel_reasons(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[ReasonFilters]
    ) -> Paged[JobCancelReason]:
        return await self._list(
            "job-cancel-reasons", JobCancelReason, filters, ReasonFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_job_cancel_reasons(
        self, *, page_size: int = 500, **filters: Unpack[ReasonFilters]
    ) -> AsyncIterator[JobCancelReason]:
        return self._iter("job-cancel-reasons", JobCancelReason, filters, ReasonFilters, page_size=page_size)

    @operation(
        "GET", "job-hold-reasons", "JobHoldReasons_Get", kind="list",
        response=Paged[JobHoldReason], row=JobHoldReason,
    )
    async def list_job_hold_reasons(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[ReasonFilters]
    ) -> Paged[JobHoldReason]:
        return await self._list(
            "job-hold-reasons", JobHoldReason, filters, ReasonFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_job_hold_reasons(self, *, page_size: int = 500, **filters: Unpack[ReasonFilters]) -> AsyncIterator[JobHoldReason]:
        return self._iter("job-hold-reasons", JobHoldReason, filters, ReasonFilters, page_size=page_size)

    # ================================================================================== job types

    @operation("GET", "job-types", "JobTypes_GetList", kind="list", response=Paged[JobType], row=JobType)
    async def list_job_types(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[JobTypeFilters]
    ) -> Paged[JobType]:
        return await self._list(
            "job-types", JobType, filters, JobTypeFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_job_types(self, *, page_size: int = 500, **filters: Unpack[JobTypeFilters]) -> AsyncIterator[JobType]:
        return self._iter("job-types", JobType, filters, JobTypeFilters, page_size=page_size)

    @operation("POST", "job-types", "JobTypes_Create", request=CreateJobTypeRequest, response=JobType)
    async def create_job_type(self, body: CreateJobTypeRequest) -> JobType:
        return await self._call("POST", "job-types", body=body, response=JobType)

    @operation("GET", "job-types/{id}", "JobTypes_Get", kind="get", response=JobType)
    async def get_job_type(self, id: int, *, external_data_application_guid: str | None = None) -> JobType:
        params = build_query(None, external_data_application_guid=external_data_application_guid)
        return await self._get(f"job-types/{id}", JobType, params)

    @operation("PATCH", "job-types/{id}", "JobTypes_Update", request=UpdateJobTypeRequest, response=JobType)
    async def update_job_type(self, id: int, body: UpdateJobTypeRequest) -> JobType:
        return await self._call("PATCH", f"job-types/{id}", body=body, response=JobType)

    # =================================================================================== projects

    @operation("GET", "projects/{id}", "Projects_Get", kind="get", response=Project)
    async def get_project(self, id: int, *, external_data_application_guid: str | None = None) -> Project:
        params = build_query(None, external_data_application_guid=external_data_application_guid)
        return await self._get(f"projects/{id}", Project, params)

    @operation("PATCH", "projects/{id}", "Projects_Update", request=UpdateProjectRequest, response=Project)
    async def update_project(self, id: int, body: UpdateProjectRequest) -> Project:
        return await self._call("PATCH", f"projects/{id}", body=body, response=Project)

    @operation("GET", "projects", "Projects_GetList", kind="list", response=Paged[Project], row=Project)
    async def list_projects(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **filters: Unpack[ProjectFilters]
    ) -> Paged[Project]:
        return await self._list(
            "projects", Project, filters, ProjectFilters, page=page, page_size=page_size, include_total=include_total
        )

    def iter_projects(self, *, page_size: int = 500, **filters: Unpack[ProjectFilters]) -> AsyncIterator[Project]:
        return self._iter("projects", Project, filters, ProjectFilters, page_size=page_size)

    @operation("POST", "projects", "Projects_Create", request=CreateProjectRequest, response=Project)
    async def create_project(self, body: CreateProjectRequest) -> Project:
        return await self._call("POST", "projects", body=body, response=Project)

    @operation("GET", "projects/{id}/notes", "Projects_GetNotes", kind="list", response=Paged[Note], row=Note)
    async def list_project_notes(
        self, id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[Note]:
        return await self._list(
            f"projects/{id}/notes", Note, {}, None, page=page, page_size=page_size, include_total=include_total
        )

    def iter_project_notes(self, id: int, *, page_size: int = 500) -> AsyncIterator[Note]:
        return self._iter(f"projects/{id}/notes", Note, {}, None, page_size=page_size)

    @operation("POST", "projects/{id}/notes", "Projects_CreateNote", request=CreateNoteRequest, response=Note)
    async def create_project_note(self, id: int, body: CreateNoteRequest) -> Note:
        return await self._call("POST", f"projects/{id}/notes", body=body, response=Note)

    @operation("POST", "projects/{id}/attach-job/{jobId}", "Projects_AttachJob")
    async def attach_job_to_project(self, id: int, job_id: int) -> None:
        await self._call("POST", f"projects/{id}/attach-job/{job_id}")

    @operation("POST", "projects/detach-job/{jobId}", "Projects_DetachJob")
    async def detach_job_from_project(self, job_id: int) -> None:
        await self._call("POST", f"projects/detach-job/{job_id}")

    @operation(
        "POST", "projects/{id}/messages", "Projects_CreateMessage",
        request=CreateMessageRequest, response=MessageResponse,
    )
    async def create_project_message(self, id: int, body: CreateMessageRequest) -> MessageResponse:
        return await self._call("POST", f"projects/{id}/messages", body=body, response=MessageResponse)

    @operation(
        "GET", "projects/custom-fields", "Projects_GetCustomFieldTypes", kind="list",
        response=Paged[CustomFieldType], row=CustomFieldType,
    )
    async def list_project_custom_field_types(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[CustomFieldTypeFilters],
    ) -> Paged[CustomFieldType]:
        return await self._list(
            "projects/custom-fields", CustomFieldType, filters, CustomFieldTypeFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_project_custom_field_types(
        self, *, page_size: int = 500, **filters: Unpack[CustomFieldTypeFilters]
    ) -> AsyncIterator[CustomFieldType]:
        return self._iter(
            "projects/custom-fields", CustomFieldType, filters, CustomFieldTypeFilters, page_size=page_size
        )

    # ============================================================ project statuses, substatuses, types

    @operation(
        "GET", "project-statuses", "ProjectStatuses_GetList", kind="list",
        response=Paged[ProjectStatus], row=ProjectStatus,
    )
    async def list_project_statuses(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[ProjectStatusFilters],
    ) -> Paged[ProjectStatus]:
        return await self._list(
            "project-statuses", ProjectStatus, filters, ProjectStatusFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_project_statuses(
        self, *, page_size: int = 500, **filters: Unpack[ProjectStatusFilters]
    ) -> AsyncIterator[ProjectStatus]:
        return self._iter("project-statuses", ProjectStatus, filters, ProjectStatusFilters, page_size=page_size)

    @operation("GET", "project-statuses/{id}", "ProjectStatuses_Get", kind="get", response=ProjectStatus)
    async def get_project_status(self, id: int) -> ProjectStatus:
        return await self._get(f"project-statuses/{id}", ProjectStatus)

    @operation(
        "GET", "project-substatuses", "ProjectSubStatuses_GetList", kind="list",
        response=Paged[ProjectSubStatus], row=ProjectSubStatus,
    )
    async def list_project_substatuses(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **filters: Unpack[ProjectSubStatusFilters],
    ) -> Paged[ProjectSubStatus]:
        return await self._list(
            "project-substatuses", ProjectSubStatus, filters, ProjectSubStatusFilters,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_project_substatuses(
        self, *, page_size: int = 500, **filters: Unpack[ProjectSubStatusFilters]
    ) -> AsyncIterator[ProjectSubStatus]:
        return self._iter(
            "project-substatuses", ProjectSubStatus, filters, ProjectSubStatusFilters, page_size=page_size
        )

    @operation("GET", "project-substatuses/{id}", "ProjectSubStatuses_Get", kind="get", response=ProjectSubStatus)
    async def get_project_substatus(self, id: int) -> ProjectSubStatus:
        return await self._get(f"project-substatuses/{id}", ProjectSubStatus)

    @operation(
        "GET", "project-types", "ProjectTypes_GetList", kind="list", response=Paged[ProjectType], row=ProjectType
    )
    async def list_project_types(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False
    ) -> Paged[ProjectType]:
        return await self._list(
            "project-types", ProjectType, {}, None, page=page, page_size=page_size, include_total=include_total
        )

    def iter_project_types(self, *, page_size: int = 500) -> AsyncIterator[ProjectType]:
        return self._iter("project-types", ProjectType, {}, None, page_size=page_size)

    @operation("GET", "project-types/{id}", "ProjectTypes_Get", kind="get", response=ProjectType)
    async def get_project_type(self, id: int) -> ProjectType:
        return await self._get(f"project-types/{id}", ProjectType)

    # ============================================================ work breakdown structure (2026)
    # Newer than the documents: query parameters beyond paging are passed through as given
    # (`**params`, snake_case -> camelCase), models are loose.

    @operation(
        "GET", f"{_WBS}/segments", "BudgetCodes_ListCompanySegments", kind="get", source="2026", response=SegmentList
    )
    async def list_segments(self, **params: Any) -> SegmentList:
        return await self._get(f"{_WBS}/segments", SegmentList, build_query(None, **params))

    @operation(
        "GET", f"{_WBS}/projects/{{projectId}}/segments", "BudgetCodes_ListProjectSegments",
        kind="get", source="2026", response=SegmentList,
    )
    async def list_project_segments(self, project_id: int, **params: Any) -> SegmentList:
        return await self._get(f"{_WBS}/projects/{project_id}/segments", SegmentList, build_query(None, **params))

    @operation(
        "GET", f"{_WBS}/segments/{{segmentId}}/items", "BudgetCodes_ListCompanySegmentItems",
        kind="list", source="2026", response=Paged[SegmentItem], row=SegmentItem,
    )
    async def list_segment_items(
        self, segment_id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False, **params: Any
    ) -> Paged[SegmentItem]:
        return await self._list(
            f"{_WBS}/segments/{segment_id}/items", SegmentItem, params, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_segment_items(self, segment_id: int, *, page_size: int = 500, **params: Any) -> AsyncIterator[SegmentItem]:
        return self._iter(f"{_WBS}/segments/{segment_id}/items", SegmentItem, params, None, page_size=page_size)

    @operation(
        "GET", f"{_WBS}/projects/{{projectId}}/segments/{{segmentId}}/items", "BudgetCodes_ListProjectSegmentItems",
        kind="list", source="2026", response=Paged[SegmentItem], row=SegmentItem,
    )
    async def list_project_segment_items(
        self, project_id: int, segment_id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False,
        **params: Any,
    ) -> Paged[SegmentItem]:
        return await self._list(
            f"{_WBS}/projects/{project_id}/segments/{segment_id}/items", SegmentItem, params, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_project_segment_items(
        self, project_id: int, segment_id: int, *, page_size: int = 500, **params: Any
    ) -> AsyncIterator[SegmentItem]:
        return self._iter(
            f"{_WBS}/projects/{project_id}/segments/{segment_id}/items", SegmentItem, params, None,
            page_size=page_size,
        )

    @operation(
        "GET", f"{_WBS}/segments/{{segmentId}}/items/{{segmentItemId}}/children",
        "BudgetCodes_ListCompanySegmentItemChildren",
        kind="list", source="2026", response=Paged[SegmentItem], row=SegmentItem,
    )
    async def list_segment_item_children(
        self, segment_id: int, segment_item_id: int, *, page: int = 1, page_size: int = 50,
        include_total: bool = False, **params: Any,
    ) -> Paged[SegmentItem]:
        return await self._list(
            f"{_WBS}/segments/{segment_id}/items/{segment_item_id}/children", SegmentItem, params, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_segment_item_children(
        self, segment_id: int, segment_item_id: int, *, page_size: int = 500, **params: Any
    ) -> AsyncIterator[SegmentItem]:
        return self._iter(
            f"{_WBS}/segments/{segment_id}/items/{segment_item_id}/children", SegmentItem, params, None,
            page_size=page_size,
        )

    @operation(
        "GET", f"{_WBS}/budget-codes", "BudgetCodes_ListCompanyBudgetCodes",
        kind="list", source="2026", response=Paged[BudgetCode], row=BudgetCode,
    )
    async def list_budget_codes(
        self, *, page: int = 1, page_size: int = 50, include_total: bool = False, **params: Any
    ) -> Paged[BudgetCode]:
        return await self._list(
            f"{_WBS}/budget-codes", BudgetCode, params, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_budget_codes(self, *, page_size: int = 500, **params: Any) -> AsyncIterator[BudgetCode]:
        return self._iter(f"{_WBS}/budget-codes", BudgetCode, params, None, page_size=page_size)

    @operation(
        "POST", f"{_WBS}/budget-codes", "BudgetCodes_CreateBudgetCode", source="2026",
        request=CreateBudgetCodeRequest, response=CreateBudgetCodeResponse,
    )
    async def create_budget_code(self, body: CreateBudgetCodeRequest) -> CreateBudgetCodeResponse:
        return await self._call("POST", f"{_WBS}/budget-codes", body=body, response=CreateBudgetCodeResponse)

    @operation(
        "GET", f"{_WBS}/projects/{{projectId}}/budget-codes", "BudgetCodes_ListProjectBudgetCodes",
        kind="list", source="2026", response=Paged[BudgetCode], row=BudgetCode,
    )
    async def list_project_budget_codes(
        self, project_id: int, *, page: int = 1, page_size: int = 50, include_total: bool = False, **params: Any
    ) -> Paged[BudgetCode]:
        return await self._list(
            f"{_WBS}/projects/{project_id}/budget-codes", BudgetCode, params, None,
            page=page, page_size=page_size, include_total=include_total,
        )

    def iter_project_budget_codes(self, project_id: int, *, page_size: int = 500, **params: Any) -> AsyncIterator[BudgetCode]:
        return self._iter(f"{_WBS}/projects/{project_id}/budget-codes", BudgetCode, params, None, page_size=page_size)

    @operation(
        "GET", f"{_WBS}/budget-codes/match", "BudgetCodes_MatchCompanyBudgetCodes",
        kind="get", source="2026", response=MatchBudgetCodesResponse,
    )
    async def match_budget_codes(self, codes: Sequence[str], **params: Any) -> MatchBudgetCodesResponse:
        """Which of these code strings are valid budget codes (`codes` is sent comma-separated)."""
        query = build_query(None, codes=list(codes), **params)
        return await self._get(f"{_WBS}/budget-codes/match", MatchBudgetCodesResponse, query)

    @operation(
        "GET", f"{_WBS}/projects/{{projectId}}/budget-codes/match", "BudgetCodes_MatchProjectBudgetCodes",
        kind="get", source="2026", response=MatchBudgetCodesResponse,
    )
    async def match_project_budget_codes(
        self, project_id: int, codes: Sequence[str], **params: Any
    ) -> MatchBudgetCodesResponse:
        query = build_query(None, codes=list(codes), **params)
        return await self._get(f"{_WBS}/projects/{project_id}/budget-codes/match", MatchBudgetCodesResponse, query)

    @operation(
        "POST", f"{_WBS}/budget-codes/partial", "BudgetCodes_CreateBudgetCodePartial", source="2026",
        request=CreateBudgetCodePartialRequest, response=CreateBudgetCodeResponse,
    )
    async def create_budget_code_partial(self, body: CreateBudgetCodePartialRequest) -> CreateBudgetCodeResponse:
        return await self._call("POST", f"{_WBS}/budget-codes/partial", body=body, response=CreateBudgetCodeResponse)

    @operation(
        "POST", f"{_WBS}/budget-codes/batch", "BudgetCodes_CreateBudgetCodesBatch", source="2026",
        request=list[CreateBudgetCodeRequest], response=CreateBudgetCodesBatchResponse,
    )
    async def create_budget_codes_batch(self, body: Sequence[CreateBudgetCodeRequest]) -> CreateBudgetCodesBatchResponse:
        """Body: a JSON array of full budget codes (the 2026 reference does not spell the shape out)."""
        return await self._call(
            "POST", f"{_WBS}/budget-codes/batch", body=list(body), response=CreateBudgetCodesBatchResponse
        )

    @operation(
        "POST", f"{_WBS}/budget-codes/partial/batch", "BudgetCodes_CreateBudgetCodesPartialBatch", source="2026",
        request=list[CreateBudgetCodePartialRequest], response=CreateBudgetCodesBatchResponse,
    )
    async def create_budget_codes_partial_batch(
        self, body: Sequence[CreateBudgetCodePartialRequest]
    ) -> CreateBudgetCodesBatchResponse:
        """Body: a JSON array of partial budget codes."""
        return await self._call(
            "POST", f"{_WBS}/budget-codes/partial/batch", body=list(body), response=CreateBudgetCodesBatchResponse
        )
