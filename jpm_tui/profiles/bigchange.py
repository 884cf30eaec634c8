"""A BigChange profile: ``backend = "bigchange"``, where its API and token endpoint are, the client credentials and
the BigChange customer whose data it reads.

::

    [profiles.pennine]
    backend = "bigchange"
    api_url = "https://api.bigchange.com/v1"       # the default
    auth_url = "https://auth.bigchange.com/connect/token"
    client_id = "..."
    client_secret_env = "BIGCHANGE_SECRET"         # or client_secret_command, client_secret_file, client_secret
    customer_id = 14532

Checked by the config's rules (unknown keys refused, messages naming the file and key); the secret is resolved only
when connecting. Also here: the client a profile reaches, and ``doctor``'s connection check.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr

from jpm_tui.config import HostedProfile

__all__ = ["PRODUCTION_URL", "BigChangeProfile"]

PRODUCTION_URL = "https://api.bigchange.com/v1"
"""The reference's base URL (the client has it too; repeated so a profile loads without the HTTP client)."""


class BigChangeProfile(HostedProfile):
    PRODUCTION_URL: ClassVar[str] = PRODUCTION_URL
    backend: Literal["bigchange"] = "bigchange"
    api_url: str = PRODUCTION_URL
    auth_url: str
    client_id: str
    client_secret_env: str | None = None
    client_secret_command: str | None = None
    client_secret_file: str | None = None
    client_secret: SecretStr | None = Field(default=None, repr=False)
    customer_id: int
    rate_limit: float = 10.0
    timeout: float = 30.0
    timezone: str | None = None

    @property
    def account(self) -> int:
        """What names its cache file: the BigChange customer id."""
        return self.customer_id

    @property
    def shown_account(self) -> int | str:
        """What the board's header names the account: the customer id."""
        return self.customer_id

    def make_client(self, secret: str, **options: Any) -> Any:
        """Its ``BigChangeClient`` (the HTTP stack imported only now); ``options`` for the client, over the
        profile's rate limit and timeout."""
        from jpm_tui.api.bigchange import BigChangeClient

        return BigChangeClient(api_url=self.api_url, auth_url=self.auth_url, customer_id=self.customer_id,
                               client_id=self.client_id, client_secret=secret,
                               **{"rate_limit": self.rate_limit, "timeout": self.timeout, **options})

    async def check_connection(self, secret: str) -> list[tuple[bool, str]]:
        """``doctor``'s check: a sign-in and one page of one job (the smallest requests that prove the
        credentials, the customer id and the URLs)."""
        from urllib.parse import urlsplit

        from jpm_tui.api import errors as api_errors

        host = urlsplit(self.api_url).netloc
        try:
            async with self.make_client(secret, max_retries=0) as client:
                await anext(aiter(client.job_pages(page_size=1)))
        except api_errors.AuthError as error:
            return [(False, f"api: BigChange refused the sign-in or customer {self.customer_id} (HTTP "
                            f"{error.status}: {error.title}); check client_id, customer_id and the secret from "
                            f"{self.secret_source}")]
        except api_errors.JpmApiError as error:
            return [(False, f"api: {host}: {error}")]
        return [(True, f"api: {host} answered GET jobs as customer {self.customer_id}")]
