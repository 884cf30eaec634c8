"""BigChange's error answers: RFC 7807 problem details (`type`, `title`, `status`, `detail`, `instance`), and on a
422 the `errors` map from property name to messages, as the reference's schemas show them.

Handlers raise the sandbox's `ProblemError` (the shared query and body helpers raise it too); `Problem` adds the
`detail`. The app renders either here, so every refusal the BigChange sandbox makes has BigChange's shape.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..http import ProblemError

# The problem types ASP.NET Core (the stack BigChange's answers come from) writes, by status.
_TYPES = {
    400: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
    401: "https://tools.ietf.org/html/rfc9110#section-15.5.2",
    403: "https://tools.ietf.org/html/rfc9110#section-15.5.4",
    404: "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    405: "https://tools.ietf.org/html/rfc9110#section-15.5.6",
    422: "https://tools.ietf.org/html/rfc9110#section-15.5.21",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    502: "https://tools.ietf.org/html/rfc9110#section-15.6.3",
    503: "https://tools.ietf.org/html/rfc9110#section-15.6.4",
}
VALIDATION_TITLE = "One or more validation errors occurred."


class Problem(ProblemError):
    """A refusal with RFC 7807's `detail`: what went wrong with this request, in a sentence."""

    def __init__(self, status: int, title: str, detail: str, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, title, errors, headers=headers)
        self.detail = detail


def render(exc: ProblemError, request: Request) -> JSONResponse:
    """The problem as BigChange writes it. Only a 422 carries `errors`; a 400 from the shared body and query
    checks says in `detail` which properties were wrong."""
    detail = getattr(exc, "detail", None) or "; ".join(
        f"{name}: {message}" for name, messages in exc.errors.items() for message in messages) or None
    body: dict = {"type": _TYPES.get(exc.status, _TYPES[400]), "title": exc.title, "status": exc.status,
                  "detail": detail, "instance": request.url.path}
    if exc.status == 422:
        body["errors"] = exc.errors
    return JSONResponse(body, status_code=exc.status, headers=exc.headers or None,
                        media_type="application/problem+json")
