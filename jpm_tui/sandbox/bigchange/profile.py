"""The paste-ready profile that reaches a BigChange sandbox served at a URL (for `sandbox serve` to print)."""

from __future__ import annotations

import tomli_w

from .app import API_PREFIX
from .auth import TOKEN_PATH
from .state import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, TIMEZONE


def profile_toml(url: str, name: str = "bigchange-sandbox", *, customer_id: int = CUSTOMER_ID,
                 client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> str:
    """A `[profiles.<name>]` table: `backend = "bigchange"`, the API and token URLs, the client credentials and
    the customer id (the sandbox's defaults unless given) and the company's zone."""
    base = url.rstrip("/")
    table = {
        "backend": "bigchange",
        "api_url": f"{base}{API_PREFIX}",
        "auth_url": f"{base}{TOKEN_PATH}",
        "client_id": client_id,
        "client_secret": client_secret,
        "customer_id": customer_id,
        "timezone": TIMEZONE,  # the board shows the sandbox company's times, as the demo does
    }
    return tomli_w.dumps({"profiles": {name: table}})
