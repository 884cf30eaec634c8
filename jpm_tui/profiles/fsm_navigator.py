"""An FSM Navigator profile: ``backend = "fsm-navigator"``, where its API is and how to get the API key.

::

    [profiles.acme]
    backend = "fsm-navigator"
    api_url = "https://fsmnavigator.com/api/v1"   # the default
    api_key_env = "FSM_API_KEY"                   # or api_key_command, api_key_file, or a literal api_key

Checked by the config's rules (unknown keys refused, messages naming the file and key); the key is resolved only
when connecting. Also here: the client a profile reaches, and ``doctor``'s connection check.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr

from jpm_tui.config import HostedProfile

__all__ = ["PRODUCTION_URL", "FsmProfile"]

PRODUCTION_URL = "https://fsmnavigator.com/api/v1"
"""The reference's base URL (the client has it too; repeated so a profile loads without the HTTP client)."""


class FsmProfile(HostedProfile):
    PRODUCTION_URL: ClassVar[str] = PRODUCTION_URL
    SECRET_KEY: ClassVar[str] = "api_key"
    SECRET_WORDS: ClassVar[str] = "API key"

    backend: Literal["fsm-navigator"] = "fsm-navigator"
    api_url: str = PRODUCTION_URL
    api_key_env: str | None = None
    api_key_command: str | None = None
    api_key_file: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    rate_limit: float = 10.0
    timeout: float = 30.0
    timezone: str | None = None

    @property
    def account(self) -> str:
        """What names its cache file: the API's host (and port and path when not the reference's), as no tenant id
        exists; one key reaches one account."""
        parts = urlsplit(self.api_url)
        where = parts.netloc + (parts.path if parts.path.rstrip("/") != "/api/v1" else "")
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", where).strip("_") or "fsm"

    @property
    def shown_account(self) -> int | str:
        """Nothing: a key names no account (``account`` is the host, made up for the cache file's name), and the
        header names the profile already."""
        return ""

    def make_client(self, secret: str) -> Any:
        """Its ``FsmNavigatorClient`` (the HTTP stack imported only now)."""
        from jpm_tui.api.fsm_navigator import FsmNavigatorClient

        return FsmNavigatorClient(api_url=self.api_url, api_key=secret, rate_limit=self.rate_limit,
                                  read_timeout=self.timeout)

    async def check_connection(self, secret: str) -> list[tuple[bool, str]]:
        """``doctor``'s check: one job read with the key (the smallest request that proves key and URL)."""
        from jpm_tui.api import errors as api_errors
        from jpm_tui.api.fsm_navigator import FsmNavigatorClient

        host = urlsplit(self.api_url).netloc
        client = FsmNavigatorClient(api_url=self.api_url, api_key=secret, max_retries=0)
        try:
            async with client:
                page = await anext(aiter(client.jobs.pages(per_page=1)))
        except api_errors.AuthError as error:
            return [(False, f"api: FSM Navigator refused the API key (HTTP {error.status}: {error.title}); check the "
                            f"key from {self.secret_source}")]
        except api_errors.JpmApiError as error:
            return [(False, f"api: {host}: {error}")]
        total = page.pagination.total
        found = f" ({total} job{'s' if total != 1 else ''})" if isinstance(total, int) else ""
        return [(True, f"api: {host} answered GET jobs{found}")]
