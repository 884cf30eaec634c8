"""Pieces of SQL text and parameters every part of the store shares: quoted names, ``?`` marks, a list of ids as
one JSON parameter (``IDS``), compact JSON, and chunks of rows or ids per statement."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: rows per prepared chunk (one statement each), and ids per id list in refresh statements
CHUNK = 5000

IDS = "SELECT value FROM json_each(?)"
"""The ids of one JSON parameter, for ``... IN (IDS)``: one parameter, whatever their number."""

json_text = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode
"""Compact JSON text (one encoder for every call: ``json.dumps`` with options builds one per call)."""


def quoted(name: str) -> str:
    return f'"{name}"'


def marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]
