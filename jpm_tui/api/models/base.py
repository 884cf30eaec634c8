"""Foundations of the wire models: base classes, UTC datetimes, open enums, pages and export feeds.

Two kinds of model, matching what the server does with them:

* `ApiModel` (responses): camelCase aliases, `extra="allow"` so fields the server adds later survive a
  round trip (`Model.model_validate(payload).model_dump(exclude_unset=True) == payload`), enums that
  accept values they do not know.
* `ApiRequest` (request bodies): `extra="forbid"`, because ServiceTitan rejects unknown fields
  (`additionalProperties: false`); a typo fails here, before the network. `to_body()` sends only the
  fields that were set, so `UpdateJobRequest()` is `{}` and `UpdateJobRequest(summary=None)` is
  `{"summary": null}`.

Both dump by alias by default, and datetimes dump as ISO-8601 UTC strings (`2025-05-01T13:30:00Z`) in
every mode, so `model_dump()` is always JSON-ready.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = [
    "ActiveFilter",
    "ApiModel",
    "ApiRequest",
    "CustomField",
    "ExportResponse",
    "ExternalData",
    "ExternalDataCreateRequest",
    "ExternalDataInput",
    "ExternalDataPatchMode",
    "ExternalDataUpdateInput",
    "ExternalDataUpdateRequest",
    "LooseRequest",
    "Open",
    "Paged",
    "TimeSpan",
    "UtcDateTime",
    "build_query",
    "format_datetime",
    "format_timespan",
    "parse_timespan",
    "parse_rows",
    "query_value",
    "to_utc",
]


# ----------------------------------------------------------------------------------------- datetimes


def to_utc(value: datetime) -> datetime:
    """Aware UTC datetime. Naive values are taken to be UTC already (ServiceTitan speaks UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_datetime(value: datetime) -> str:
    """`2025-05-01T13:30:00Z`, or `2025-05-01T13:30:00.25Z` when there is a fraction of a second."""
    value = to_utc(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


UtcDateTime = Annotated[
    datetime,
    AfterValidator(to_utc),
    PlainSerializer(format_datetime, return_type=str),
]
"""A `date-time` on the wire: parsed to an aware UTC datetime, written back as ISO-8601 with `Z`."""


# --------------------------------------------------------------------------------------- timespans

_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")
_ISO_DURATION = re.compile(
    r"^(-)?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def parse_timespan(value: Any) -> timedelta:
    """A .NET TimeSpan as ServiceTitan sends it (`07:00:00`, `1.02:00:00`, `09:00`, fractions up to 7
    digits) or, tolerated, an ISO 8601 duration (`PT7H`, what the documents' `format: duration` names)."""
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        raise ValueError("a TimeSpan is text such as 07:00:00")
    text = value.strip()
    m = _TIMESPAN.match(text)
    if m:
        sign, days, hours, minutes, seconds, fraction = m.groups()
        if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
            raise ValueError(f"{value!r} is not a TimeSpan")
        span = timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                         microseconds=int((fraction or "0").ljust(7, "0")) / 10)
        return -span if sign else span
    m = _ISO_DURATION.match(text)
    if m and any(part is not None for part in m.groups()[1:]):
        sign, weeks, days, hours, minutes, seconds = m.groups()
        span = timedelta(weeks=float(weeks or 0), days=float(days or 0), hours=float(hours or 0),
                         minutes=float(minutes or 0), seconds=float(seconds or 0))
        return -span if sign else span
    raise ValueError(f"{value!r} is neither TimeSpan text (07:00:00) nor an ISO 8601 duration (PT7H)")


def format_timespan(value: timedelta) -> str:
    """The constant TimeSpan text ServiceTitan writes and reads: `[-][d.]hh:mm:ss[.fffffff]`."""
    ticks = round(value.total_seconds() * 10_000_000)
    sign, ticks = ("-" if ticks < 0 else ""), abs(ticks)
    seconds, fraction = divmod(ticks, 10_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}" + (f".{fraction:07d}" if fraction else "")
    return f"{sign}{days}.{text}" if days else sign + text


TimeSpan = Annotated[
    timedelta,
    BeforeValidator(parse_timespan),
    PlainSerializer(format_timespan, return_type=str),
]
"""A .NET TimeSpan on the wire (the documents' `format: duration`): parsed to a `timedelta` from TimeSpan text
or an ISO 8601 duration, written back as TimeSpan text (`07:00:00`)."""


# ------------------------------------------------------------------------------------------- enums


class _Open:
    """`Open[JobStatus]` = a known enum member when the value is known, else the raw string."""

    def __class_getitem__(cls, enum_cls: type[enum.Enum]) -> Any:
        return Annotated[enum_cls | str, Field(union_mode="left_to_right")]


Open = _Open
"""Type factory for enum fields that must tolerate values this client does not know yet."""


class ActiveFilter(enum.StrEnum):
    """The `active` query filter (`ActiveRequestArg`)."""

    TRUE = "True"
    ANY = "Any"
    FALSE = "False"


class ExternalDataPatchMode(enum.StrEnum):
    REPLACE = "Replace"
    MERGE = "Merge"


# ------------------------------------------------------------------------------------------- bases


class ApiModel(BaseModel):
    """A response payload (or a part of one). Unknown fields are kept and written back unchanged."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="allow",
    )

    def to_payload(self) -> dict[str, Any]:
        """The wire dict again: only the fields that were present, unknown ones included."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class ApiRequest(BaseModel):
    """A request body. Strict: unknown fields raise `ValidationError` before anything is sent."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
    )

    def to_body(self) -> dict[str, Any]:
        """JSON body with exactly the fields that were set (explicit `None` becomes `null`)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class LooseRequest(ApiRequest):
    """A request body for an operation newer than the reference documents: extra fields pass through."""

    model_config = ConfigDict(extra="allow")


T = TypeVar("T")


class Paged(ApiModel, Generic[T]):
    """`PaginatedResponse_Of_*`: one page of a list operation."""

    page: int
    page_size: int
    has_more: bool
    total_count: int | None = None
    """Only filled when the request asked for `includeTotal`."""
    data: list[T]


class ExportResponse(ApiModel, Generic[T]):
    """`ExportResponse_Of_*`: one page of an export feed, parsed (the client's `ExportPage` is raw)."""

    has_more: bool
    continue_from: str
    """Token for the `from` parameter of the next request."""
    data: list[T]


M = TypeVar("M", bound=BaseModel)


def parse_rows(model: type[M], rows: Iterable[Mapping[str, Any]]) -> list[M]:
    """Turn raw rows (e.g. `ExportPage.data`) into models on demand."""
    return [model.model_validate(row) for row in rows]


# ---------------------------------------------------------------------------- shared small schemas


class CustomField(ApiModel):
    """`CustomFieldApiModel`: a custom field value on a job or project."""

    type_id: int
    name: str
    value: str


class ExternalData(ApiModel):
    """`ExternalDataModel`: a key/value pair an application attached to a record."""

    key: str
    value: str


class ExternalDataInput(ApiRequest):
    key: str
    value: str


class ExternalDataUpdateInput(ApiRequest):
    key: str
    value: str | None = None


class ExternalDataCreateRequest(ApiRequest):
    application_guid: str
    external_data: list[ExternalDataInput]


class ExternalDataUpdateRequest(ApiRequest):
    patch_mode: Open[ExternalDataPatchMode] | None = None
    application_guid: str
    external_data: list[ExternalDataUpdateInput]


# --------------------------------------------------------------------------------- query strings


def query_value(value: Any) -> str:
    """One query parameter value as ServiceTitan expects it."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(query_value(v) for v in value)
    return str(value)


def build_query(allowed: Iterable[str] | None = None, /, **values: Any) -> dict[str, str]:
    """snake_case keyword arguments -> camelCase query parameters, `None` dropped.

    Lists become comma-separated (`ids=[1, 2]` -> `ids=1,2`), datetimes ISO-8601 UTC, booleans
    `true`/`false`, enums their value; `active` takes `ActiveFilter` or a bool (`True`/`False`).
    With `allowed`, an unexpected name raises `TypeError` (a typo never silently drops a filter).
    """
    if allowed is not None:
        allowed = set(allowed)
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise TypeError(f"unexpected filter(s): {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    params: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        if name == "active" and isinstance(value, bool):
            value = ActiveFilter.TRUE if value else ActiveFilter.FALSE
        params[to_camel(name)] = query_value(value)
    return params
