"""A feed's continuation token as the JSON object a provider keeps in it (FSM Navigator's and BigChange's jobs
feeds)."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["token_object"]


def token_object(token: str | None) -> dict[str, Any]:
    """The token's fields; none when there is no token or it is not a JSON object (another version's: start over)."""
    try:
        data = json.loads(token) if token else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}
