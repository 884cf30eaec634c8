"""A job's history and logs: the history entries writes append, the booked and canceled logs, the jobs'
cancel reasons, and their export feeds.

`job_history` holds one record per job (`{"jobId", "history": [entry, ...]}`, keyed by the job id when the
sandbox made it), as the export feed hands it out.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import ids_param, json_response, paged

from .._common import Record, Shape, coll, current_user_id, export_route, not_found, now_iso, sandbox
from .checks import bad, path_job
from .lists import child_list_route

HISTORY_ITEM = Shape("id", "employeeId", "eventType", "date", "usedSchedulingTool", "memo")
EXPORT_JOB_HISTORY = Shape("jobId", history=HISTORY_ITEM.minus("memo"))
CANCELED_LOG = Shape("id", "jobId", "reasonId", "memo", "createdOn", "createdById", "active")
BOOKED_LOG = Shape(
    "id", "jobId", "jobAppointmentId", "start", "arrivalWindowStart", "arrivalWindowEnd", "createdOn",
    "createdById", "active",
)
CANCEL_REASON = Shape("jobId", "reasonId", "name", "text")


def history_record(request: Request, job_id: int) -> Record | None:
    """The job's history row; keyed by the job id when the sandbox made it, else found by jobId."""
    history = coll(request, "job_history")
    record = history.get(job_id)
    if record is not None and record.get("jobId") == job_id:
        return record
    return next(iter(history.where("jobId", job_id)), None)


def append_history(request: Request, job_id: int, event: str, memo: str = "") -> None:
    """Append to the job's history (one row per job, as the export feed shows it) and touch it."""
    history = coll(request, "job_history")
    record = history_record(request, job_id)
    entry = {"id": sandbox(request).next_id(), "employeeId": current_user_id(request), "eventType": event,
             "date": now_iso(request), "usedSchedulingTool": "Manual", "memo": memo}
    if record is None:
        history.insert({"id": job_id if history.get(job_id) is None else None, "jobId": job_id, "history": [entry]})
    else:
        record.setdefault("history", []).append(entry)
        history.touch(record)


async def job_history(request: Request) -> Response:
    job = path_job(request)
    record = history_record(request, job["id"])
    return json_response({"history": [HISTORY_ITEM(e) for e in (record or {}).get("history") or []]})


async def job_booked_log(request: Request) -> Response:
    job = path_job(request)
    logs = coll(request, "job_booked_logs").where("jobId", job["id"])
    if not logs:
        raise not_found(f"Booked log for job with ID {job['id']} not found",
                        {"id": [f"Job {job['id']} has no booked log."]})
    return json_response(BOOKED_LOG(logs[-1]))


async def jobs_cancel_reasons(request: Request) -> Response:
    """Why each of the given (canceled) jobs was canceled: its latest active canceled-log row."""
    ids = ids_param(request, "ids")
    if not ids:  # required by the document, though the path template reads as optional
        raise bad("ids", "The ids field is required.")
    if len(ids) > 50:
        raise bad("ids", "No more than 50 ids may be requested at once.")
    latest: dict[int, Record] = {}
    for log in coll(request, "job_canceled_logs").where("jobId", *ids):
        if log.get("active", True):
            latest[log["jobId"]] = log
    reasons = coll(request, "job_cancel_reasons")
    rows = []
    for job_id in ids:
        log = latest.get(job_id)
        if log is not None:
            reason = reasons.get(log["reasonId"]) or {}
            rows.append({"jobId": job_id, "reasonId": log["reasonId"], "name": reason.get("name", ""),
                         "text": log.get("memo") or ""})
    return paged(request, rows, CANCEL_REASON)


def routes() -> list[Route]:
    return [
        export_route("/export/job-canceled-logs", "job_canceled_logs", CANCELED_LOG),
        export_route("/export/job-history", "job_history", EXPORT_JOB_HISTORY),
        Route("/jobs/cancel-reasons", jobs_cancel_reasons, methods=["GET"]),
        Route("/jobs/{id:int}/history", job_history, methods=["GET"]),
        Route("/jobs/{id:int}/booked-log", job_booked_log, methods=["GET"]),
        child_list_route("/jobs/{id:int}/canceled-log", "jobs", "Job", "job_canceled_logs", "jobId", CANCELED_LOG),
    ]
