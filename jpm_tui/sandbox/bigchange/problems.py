"""BigChange's error answers: RFC 7807 problem details (`type`, `title`, `status`, `detail`, `instance`), and on a
422 the `errors` map from property name to messages, as the reference's schemas show them.

Handlers raise `Problem` or the sandbox's `ProblemError` (the shared query, body, rate limit and fault helpers
raise that); `Problem.of` words either as BigChange does, so every refusal of this sandbox has BigChange's shape.
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
    """A refusal with RFC 7807's `detail` (what went wrong with this request, in a sentence) and `instance` (the
    path it happened at, when known where it is raised)."""

    def __init__(self, status: int, title: str, detail: str, errors: dict[str, list[str]] | None = None,
                 headers: dict[str, str] | None = None, instance: str | None = None) -> None:
        super().__init__(status, title, errors, headers=headers)
        self.detail = detail
        self.instance = instance

    @classmethod
    def of(cls, exc: ProblemError, instance: str) -> Problem:
        """Any sandbox refusal as BigChange words it. Only a 422 keeps `errors`; a 400 of the shared body and
        query checks says in `detail` which properties were wrong."""
        detail = getattr(exc, "detail", None) or "; ".join(
            f"{name}: {message}" for name, messages in exc.errors.items() for message in messages)
        return cls(exc.status, exc.title, detail, exc.errors, exc.headers, instance)

    def response(self) -> JSONResponse:
        body: dict = {"type": _TYPES.get(self.status, _TYPES[400]), "title": self.title, "status": self.status,
                      "detail": self.detail or None, "instance": self.instance}
        if self.status == 422:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status, headers=self.headers or None,
                            media_type="application/problem+json")


def render(exc: ProblemError, request: Request) -> JSONResponse:
    return Problem.of(exc, request.url.path).response()
