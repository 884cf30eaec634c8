"""The request-body properties JPM's bodies are built of (`http.Field`s), named once for every resource."""

from __future__ import annotations

from jpm_tui.sandbox.http import Field

INT, INT_OPT, STR = Field("integer", nullable=False), Field("integer"), Field("string")
REQ_INT, REQ_STR = Field("integer", required=True), Field("string", required=True)
DATE = Field("date-time", nullable=False)
DATE_OPT = Field("date-time")
BOOL = Field("boolean", nullable=False)
IDS = Field("array", items=Field("integer", nullable=False))
IDS_STRICT = Field("array", nullable=False, items=Field("integer", nullable=False))

REASON_MEMO = {"reasonId": REQ_INT, "memo": REQ_STR}
"""A cancel or hold: the reason and the memo (jobs and appointments)."""
