"""Job Planning & Management (`jpm/v2`) wire models.

From `jpm-v2.json` (May 2025). Fields added by 2026 (README) are optional. The work-breakdown-structure
(BudgetCodes) and appointment-summary models are newer than the document and deliberately loose.
"""

from __future__ import annotations

import enum

from pydantic import Field

from jpm_tui.api.models.base import (
    ApiModel,
    ApiRequest,
    CustomField,
    ExternalData,
    ExternalDataCreateRequest,
    ExternalDataUpdateRequest,
    LooseRequest,
    Open,
    UtcDateTime,
)

# --------------------------------------------------------------------------------------------- enums


class JobStatus(enum.StrEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    IN_PROGRESS = "InProgress"
    HOLD = "Hold"
    COMPLETED = "Completed"
    CANCELED = "Canceled"


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "Scheduled"
    DISPATCHED = "Dispatched"
    WORKING = "Working"
    HOLD = "Hold"
    DONE = "Done"
    CANCELED = "Canceled"


class Priority(enum.StrEnum):
    """Job priority; the document types it as a string and names these four."""

    LOW = "Low"
    NORMAL = "Normal"
    HIGH = "High"
    URGENT = "Urgent"


class JobSchedulingTool(enum.StrEnum):
    MANUAL = "Manual"
    SMART_SCHEDULE = "SmartSchedule"
    SMART_DISPATCH = "SmartDispatch"
    TECHNICIAN_ROUTE_OPTIMIZATION = "TechnicianRouteOptimization"
    ADAPTIVE_CAPACITY = "AdaptiveCapacity"


class CustomFieldDataType(enum.StrEnum):
    TEXT = "Text"
    DROPDOWN = "Dropdown"
    NUMERIC = "Numeric"


class SegmentType(enum.StrEnum):
    NONE = "None"
    COST_CODE = "CostCode"
    COST_TYPE = "CostType"
    CUSTOM = "Custom"


class SegmentStructure(enum.StrEnum):
    NONE = "None"
    FLAT = "Flat"
    HIERARCHAL = "Hierarchal"


class SegmentItemCostCategory(enum.StrEnum):
    NONE = "None"
    MATERIAL = "Material"
    LABOR = "Labor"
    EQUIPMENT = "Equipment"
    SUBCONTRACT = "Subcontract"
    OVERHEAD = "Overhead"
    OTHER = "Other"
    SYSTEM_USE = "SystemUse"


# ------------------------------------------------------------------------------------------------ jobs


class JobGeneratedLeadSource(ApiModel):
    job_id: int | None = None
    """Job from which this job was generated."""
    employee_id: int | None = None
    """Office user or technician who generated it."""


class Job(ApiModel):
    """`Jpm.V2.JobResponse`."""

    id: int
    job_number: str
    project_id: int | None = None
    customer_id: int
    location_id: int
    job_status: Open[JobStatus]
    completed_on: UtcDateTime | None = None
    business_unit_id: int
    job_type_id: int
    priority: Open[Priority]
    campaign_id: int
    summary: str | None = None
    """HTML."""
    custom_fields: list[CustomField]
    appointment_count: int
    first_appointment_id: int
    last_appointment_id: int
    recall_for_id: int | None = None
    warranty_id: int | None = None
    job_generated_lead_source: JobGeneratedLeadSource | None = None
    no_charge: bool
    notifications_enabled: bool
    created_on: UtcDateTime
    created_by_id: int
    modified_on: UtcDateTime
    tag_type_ids: list[int]
    lead_call_id: int | None = None
    booking_id: int | None = None
    sold_by_id: int | None = None
    external_data: list[ExternalData]
    customer_po: str | None
    invoice_id: int
    membership_id: int | None = None
    total: float | None = None
    # 2026 additions
    partner_lead_call_id: int | None = None
    created_from_estimate_id: int | None = None
    estimate_ids: list[int] | None = None
    equipment_ids: list[int] | None = None
    is_auto_dispatched: bool | None = None
    """Dispatch Pro is enabled for this job."""
    summary_of_work: str | None = None


class ExportJob(Job):
    """`Jpm.V2.ExportJobsResponse`: a job row of `export/jobs`."""

    active: bool


class CustomFieldInput(ApiRequest):
    """`Jpm.V2.CustomFieldModel`: set (or with `value=None`, clear) a job custom field."""

    type_id: int
    value: str | None = None


class AppointmentInformation(ApiRequest):
    """An appointment to create together with a job."""

    start: UtcDateTime
    end: UtcDateTime
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None
    technician_ids: list[int] | None = None


class JobGeneratedLeadSourceInput(ApiRequest):
    job_id: int | None = None
    employee_id: int | None = None


class CreateJobRequest(ApiRequest):
    """`Jpm.V2.JobCreateRequest`."""

    customer_id: int
    location_id: int
    project_id: int | None = None
    business_unit_id: int
    job_generated_lead_source: JobGeneratedLeadSourceInput | None = None
    job_type_id: int
    priority: Priority | str
    campaign_id: int
    appointments: list[AppointmentInformation]
    summary: str | None = None
    custom_fields: list[CustomFieldInput] | None = None
    tag_type_ids: list[int] | None = None
    external_data: ExternalDataCreateRequest | None = None
    invoice_signature_is_required: bool | None = None
    customer_po: str | None = None
    sold_by_id: int | None = None


class UpdateJobRequest(ApiRequest):
    """`Jpm.V2.UpdateJobRequest` (PATCH): only the fields you set are sent; `None` sends `null`."""

    customer_id: int | None = None
    location_id: int | None = None
    business_unit_id: int | None = None
    job_generated_lead_source: JobGeneratedLeadSourceInput | None = None
    job_type_id: int | None = None
    priority: Priority | str | None = None
    campaign_id: int | None = None
    summary: str | None = None
    should_update_invoice_items: bool | None = None
    custom_fields: list[CustomFieldInput] | None = None
    tag_type_ids: list[int] | None = None
    external_data: ExternalDataUpdateRequest | None = None
    customer_po: str | None = None
    sold_by_id: int | None = None


class CancelJobRequest(ApiRequest):
    reason_id: int
    """A job cancel reason (`list_job_cancel_reasons`)."""
    memo: str


class HoldJobRequest(ApiRequest):
    reason_id: int
    """A job hold reason (`list_job_hold_reasons`)."""
    memo: str


class CompleteJobRequest(ApiRequest):
    completed_on: UtcDateTime


class Note(ApiModel):
    """`Jpm.V2.NoteResponse`: a job or project note."""

    text: str
    is_pinned: bool
    created_by_id: int
    created_on: UtcDateTime
    modified_on: UtcDateTime


class CreateNoteRequest(ApiRequest):
    """`JobNoteCreateRequest` / `ProjectNoteCreateRequest`."""

    text: str
    pin_to_top: bool | None = None


CreateJobNoteRequest = CreateNoteRequest
CreateProjectNoteRequest = CreateNoteRequest


class ExportJobNote(ApiModel):
    id: int
    active: bool
    text: str
    is_pinned: bool
    created_by_id: int
    created_on: UtcDateTime
    modified_on: UtcDateTime
    job_id: int


class ExportProjectNote(ApiModel):
    id: int
    active: bool
    text: str
    is_pinned: bool
    created_by_id: int
    created_on: UtcDateTime
    modified_on: UtcDateTime
    project_id: int


class CreateMessageRequest(ApiRequest):
    """`Jpm.V2.MessageCreateRequest`: an internal message on a job or project."""

    body: str
    recipient_ids: list[int] | None = None
    parent_message_id: int | None = None
    add_parent_message_sender_to_recipients: bool | None = None
    created_by_employee_id: int


class MessageResponse(ApiModel):
    id: int


class JobCanceledReason(ApiModel):
    """`Jpm.V2.CancelReasonResponse`: why a given job was canceled (`jobs/cancel-reasons?ids=`)."""

    job_id: int
    reason_id: int
    name: str
    text: str


class JobCanceledLog(ApiModel):
    """`Jpm.V2.JobCanceledLogResponse` (also the row of `export/job-canceled-logs`)."""

    id: int
    job_id: int
    reason_id: int
    memo: str | None = None
    created_on: UtcDateTime
    created_by_id: int
    active: bool


ExportJobCanceledLog = JobCanceledLog


class JobBookedLog(ApiModel):
    id: int
    job_id: int
    job_appointment_id: int
    start: UtcDateTime
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None
    created_on: UtcDateTime
    created_by_id: int
    active: bool


class JobHistoryItem(ApiModel):
    id: int
    employee_id: int | None = None
    event_type: str
    date: UtcDateTime
    used_scheduling_tool: Open[JobSchedulingTool]
    memo: str | None


class JobHistory(ApiModel):
    """`Jpm.V2.JobHistoryResponse`."""

    history: list[JobHistoryItem] = Field(default_factory=list)


class ExportJobHistoryEntry(ApiModel):
    id: int
    employee_id: int | None = None
    event_type: str
    date: UtcDateTime
    used_scheduling_tool: Open[JobSchedulingTool]


class ExportJobHistory(ApiModel):
    """Row of `export/job-history`: one job and its history entries."""

    job_id: int
    history: list[ExportJobHistoryEntry]


class CustomFieldType(ApiModel):
    """`Jpm.V2.CustomFieldTypeResponse` (job and project custom field definitions)."""

    id: int
    name: str
    data_type: Open[CustomFieldDataType]
    data_type_options: list[str] | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime


class JobCancelReason(ApiModel):
    """`Jpm.V2.JobCancelReasonResponse`."""

    id: int
    name: str
    active: bool
    created_on: UtcDateTime
    modified_on: UtcDateTime


class JobHoldReason(JobCancelReason):
    """`Jpm.V2.JobHoldReasonResponse` (same shape as a cancel reason)."""


# ---------------------------------------------------------------------------------------- job types


class JobType(ApiModel):
    """`Jpm.V2.JobTypeResponse`."""

    id: int
    name: str
    business_unit_ids: list[int]
    skills: list[str]
    tag_type_ids: list[int]
    priority: Open[Priority]
    duration: int
    """Seconds."""
    sold_threshold: float | None = None
    class_: str = Field(alias="class")
    summary: str
    no_charge: bool
    enforce_recurring_service_event_selection: bool | None = None
    invoice_signatures_required: bool
    modified_on: UtcDateTime
    created_on: UtcDateTime
    external_data: list[ExternalData]
    active: bool


class _JobTypeFields(ApiRequest):
    """What creating and updating a job type share; they differ in `name` (required to create) and the
    external-data shape."""

    business_unit_ids: list[int] | None = None
    skills: list[str] | None = None
    tag_type_ids: list[int] | None = None
    priority: Priority | str | None = None
    duration: int | None = None
    """Seconds."""
    sold_threshold: float | None = None
    class_: str | None = Field(default=None, alias="class")
    summary: str | None = None
    no_charge: bool | None = None
    enforce_recurring_service_event_selection: bool | None = None
    invoice_signatures_required: bool | None = None


class CreateJobTypeRequest(_JobTypeFields):
    name: str
    external_data: ExternalDataCreateRequest | None = None


class UpdateJobTypeRequest(_JobTypeFields):
    name: str | None = None
    external_data: ExternalDataUpdateRequest | None = None


# ------------------------------------------------------------------------------------- appointments


class AppointmentSummary(ApiModel):
    """A technician's work-performed log on an appointment (2026, private preview; loose)."""

    technician_id: int | None = None
    notes: str | None = None


class Appointment(ApiModel):
    """`Jpm.V2.AppointmentResponse`."""

    id: int
    job_id: int
    appointment_number: str | None = None
    start: UtcDateTime
    end: UtcDateTime
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None
    status: Open[AppointmentStatus]
    special_instructions: str | None = None
    created_on: UtcDateTime
    modified_on: UtcDateTime
    customer_id: int
    unused: bool
    created_by_id: int
    is_confirmed: bool
    # 2026 additions
    active: bool | None = None
    appointment_summaries: list[AppointmentSummary] | None = None


class ExportAppointment(Appointment):
    """`Jpm.V2.ExportAppointmentsResponse`."""

    active: bool


class AddAppointmentRequest(ApiRequest):
    """`Jpm.V2.AppointmentAddRequest`: a new appointment on an existing job."""

    job_id: int
    start: UtcDateTime
    end: UtcDateTime
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None
    technician_ids: list[int] | None = None
    special_instructions: str | None = None


class RescheduleAppointmentRequest(ApiRequest):
    start: UtcDateTime | None = None
    end: UtcDateTime | None = None
    arrival_window_start: UtcDateTime | None = None
    arrival_window_end: UtcDateTime | None = None


class HoldAppointmentRequest(ApiRequest):
    reason_id: int
    """A job hold reason (`list_job_hold_reasons`)."""
    memo: str


class UpdateSpecialInstructionsRequest(ApiRequest):
    special_instructions: str


class SetAppointmentSummaryRequest(LooseRequest):
    """`Jpm.V2.SetAppointmentSummaryRequest` (2026): work-performed notes of one technician."""

    notes: str
    technician_id: int


# ------------------------------------------------------------------------------------------ projects


class Project(ApiModel):
    """`Jpm.V2.ProjectResponse`."""

    id: int
    number: str
    name: str | None = None
    summary: str | None = None
    """HTML."""
    status: str | None = None
    status_id: int | None = None
    sub_status: str | None = None
    sub_status_id: int | None = None
    customer_id: int
    location_id: int
    project_type_id: int | None = None
    project_manager_ids: list[int]
    business_unit_ids: list[int]
    start_date: UtcDateTime | None = None
    target_completion_date: UtcDateTime | None = None
    actual_completion_date: UtcDateTime | None = None
    modified_on: UtcDateTime | None = None
    created_on: UtcDateTime
    custom_fields: list[CustomField]
    external_data: list[ExternalData]
    job_ids: list[int]


class ExportProject(Project):
    active: bool


class ProjectCustomFieldInput(ApiRequest):
    """`Jpm.V2.CustomFieldCreateOrUpdateModel`."""

    type_id: int
    value: str


class CreateProjectRequest(ApiRequest):
    location_id: int
    customer_id: int | None = None
    project_type_id: int | None = None
    project_manager_ids: list[int] | None = None
    name: str | None = None
    summary: str | None = None
    status_id: int | None = None
    sub_status_id: int | None = None
    start_date: UtcDateTime | None = None
    target_completion_date: UtcDateTime | None = None
    actual_completion_date: UtcDateTime | None = None
    custom_fields: list[ProjectCustomFieldInput] | None = None
    external_data: ExternalDataCreateRequest | None = None


class UpdateProjectRequest(ApiRequest):
    """PATCH: only the fields you set are sent; `None` sends `null`."""

    project_manager_ids: list[int] | None = None
    job_ids: list[int] | None = None
    name: str | None = None
    summary: str | None = None
    status_id: int | None = None
    sub_status_id: int | None = None
    project_type_id: int | None = None
    start_date: UtcDateTime | None = None
    target_completion_date: UtcDateTime | None = None
    actual_completion_date: UtcDateTime | None = None
    custom_fields: list[ProjectCustomFieldInput] | None = None
    external_data: ExternalDataUpdateRequest | None = None


class ProjectStatus(ApiModel):
    id: int
    name: str
    order: int
    modified_on: UtcDateTime


class ProjectSubStatus(ApiModel):
    id: int
    name: str
    status_id: int
    order: int
    modified_on: UtcDateTime
    active: bool


class ProjectType(ApiModel):
    id: int
    name: str
    description: str | None
    created_by_id: int | None = None


# ----------------------------------------------------------------- work breakdown structure (2026)
# Not in the May 2025 document; shapes from the 2026 reference. Every field past the id is optional.


class Segment(ApiModel):
    """A budget-code segment (cost code, cost type, custom)."""

    id: int
    name: str | None = None
    type: Open[SegmentType] | None = None
    structure: Open[SegmentStructure] | None = None
    is_active: bool | None = None
    is_required: bool | None = None


class SegmentList(ApiModel):
    """Answer of the segment lists: `{"data": [...]}` (not paged)."""

    data: list[Segment]


class SegmentItem(ApiModel):
    id: int
    parent_id: int | None = None
    code: str | None = None
    description: str | None = None
    path: str | None = None
    cost_category: Open[SegmentItemCostCategory] | None = None
    is_active: bool | None = None


class BudgetCodeSegment(ApiModel):
    segment_id: int
    segment_item_id: int | None = None
    code: str | None = None
    description: str | None = None
    path: str | None = None


class BudgetCode(ApiModel):
    id: int
    code: str | None = None
    description: str | None = None
    segments: list[BudgetCodeSegment] | None = None


class BudgetCodeMatch(ApiModel):
    code: str
    is_valid: bool | None = None
    budget_codes: list[BudgetCode] | None = None


class MatchBudgetCodesResponse(ApiModel):
    matches: list[BudgetCodeMatch]


class CreateBudgetCodeResponse(ApiModel):
    code: BudgetCode


class CreateBudgetCodesBatchResponse(ApiModel):
    codes: list[BudgetCode]


class CreateBudgetCodeRequest(LooseRequest):
    """A full budget code: one item of every segment."""

    segment_item_ids: list[int]


class BudgetCodeSegmentBinding(LooseRequest):
    segment_id: int
    segment_item_id: int | None = None


class CreateBudgetCodePartialRequest(LooseRequest):
    """A partial budget code: some segments left open (`segment_item_id=None`)."""

    segments: list[BudgetCodeSegmentBinding]

