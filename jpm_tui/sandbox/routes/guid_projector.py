"""A response shape plus the external data one application sees (its GUID, from the request), for the API parts
that keep external data per application (JPM's jobs, projects and job types; CRM's customers and locations), each
its own way (``entries``).

A projector is a value, not a closure: a world at scale's export workers are sent the shape of the rows they make
(export_workers.py), and a feed finds the rows it serialised with the same projector (``Collection.encoded``): one
per shape and GUID."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from ._common import Record, Shape

Entries = Callable[[Record, "str | None"], "list[Record] | None"]
"""The external data the application ``guid`` sees of a record (None: the shape's own stands). A module-level
function, so that a projector can be sent to another process."""


@dataclass(frozen=True)
class GuidProjector:
    shape: Shape
    entries: Entries
    guid: str | None

    def __call__(self, record: Record) -> Record:
        out = self.shape(record)
        assert out is not None  # a record in, a record out
        entries = self.entries(record, self.guid)
        if entries is not None:
            out["externalData"] = entries
        return out


def per_guid(shape: Shape, entries: Entries,
             guid_of: Callable[[Request], str | None]) -> Callable[[Request], Callable[[Record], Record]]:
    """The projector of a request: ``shape`` with the ``entries`` of the application ``guid_of`` reads from it."""

    @functools.lru_cache(maxsize=64)
    def for_guid(guid: str | None) -> GuidProjector:
        return GuidProjector(shape, entries, guid)

    return lambda request: for_guid(guid_of(request))
