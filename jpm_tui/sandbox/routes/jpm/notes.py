"""Notes and messages on jobs and projects: the notes lists (pinned first), new notes (which also enter the
notes export feeds), new messages, and the two export feeds."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from jpm_tui.sandbox.http import Field, json_response, read_body, unknown_id_is_400

from .._common import Record, Shape, current_user_id, export_route, insert, path_id, require
from .body_fields import IDS, INT_OPT, REQ_INT, REQ_STR
from .checks import referenced
from .lists import child_list_route

NOTE = Shape("text", "isPinned", "createdById", "createdOn", "modifiedOn")
EXPORT_JOB_NOTE = Shape("id", "active", "text", "isPinned", "createdById", "createdOn", "modifiedOn", "jobId")
EXPORT_PROJECT_NOTE = EXPORT_JOB_NOTE.minus("jobId").plus("projectId")

NOTE_BODY = {"text": REQ_STR, "pinToTop": Field("boolean")}
MESSAGE_BODY = {
    "body": REQ_STR, "recipientIds": IDS, "parentMessageId": INT_OPT,
    "addParentMessageSenderToRecipients": Field("boolean"), "createdByEmployeeId": REQ_INT,
}


def note_route(path: str, parent: str, what: str, notes: str, key: str) -> Route:
    """POST {parent}/{id}/notes: a note (optionally pinned) that also enters the notes export feed."""

    async def handler(request: Request) -> Response:
        body = await read_body(request, NOTE_BODY)
        owner = require(request, parent, path_id(request), what)
        note = insert(request, notes, {
            key: owner["id"], "text": body["text"], "isPinned": bool(body.get("pinToTop")),
            "createdById": current_user_id(request), "active": True,
        })
        return json_response(NOTE(note))

    return Route(path, handler, methods=["POST"])


def message_route(path: str, parent: str, what: str, key: str) -> Route:
    """POST {parent}/{id}/messages: answered with the new message id (kept in a `messages` collection)."""

    @unknown_id_is_400
    async def handler(request: Request) -> Response:
        body = await read_body(request, MESSAGE_BODY)
        owner = require(request, parent, path_id(request), what)
        referenced(request, "employees", body["createdByEmployeeId"], "createdByEmployeeId", "Employee")
        message = insert(request, "messages", {key: owner["id"], **body})
        return json_response({"id": message["id"]})

    return Route(path, handler, methods=["POST"])


def _pinned_first(note: Record) -> tuple:
    return (not note.get("isPinned"), note.get("createdOn") or "", note["id"])


def routes() -> list[Route]:
    return [
        export_route("/export/job-notes", "job_notes", EXPORT_JOB_NOTE),
        export_route("/export/project-notes", "project_notes", EXPORT_PROJECT_NOTE),
        child_list_route("/jobs/{id:int}/notes", "jobs", "Job", "job_notes", "jobId", NOTE, _pinned_first),
        note_route("/jobs/{id:int}/notes", "jobs", "Job", "job_notes", "jobId"),
        message_route("/jobs/{id:int}/messages", "jobs", "Job", "jobId"),
        child_list_route("/projects/{id:int}/notes", "projects", "Project", "project_notes", "projectId", NOTE,
                         _pinned_first),
        note_route("/projects/{id:int}/notes", "projects", "Project", "project_notes", "projectId"),
        message_route("/projects/{id:int}/messages", "projects", "Project", "projectId"),
    ]
