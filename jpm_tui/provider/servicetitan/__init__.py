"""ServiceTitan behind the provider boundary, one room per job:

* ``mapping``: wire payloads -> domain rows (``job_from_wire``, ...), and a domain row back to a record dict;
* ``feeds``: which export or list endpoint fills which cache table;
* ``commands``: domain commands -> API calls (``HANDLERS``), and finding what a lost attempt made;
* ``errors``: API errors -> ``ProviderError`` (the cache's terms) and ``CommandResult`` outcomes;
* ``links``: a record's page in ServiceTitan's web app;
* ``provider``: ``ServiceTitanProvider``, the thin front the sync engine and the outbox hold.

Its workflow (statuses, actions) is apart, in ``provider/servicetitan_workflow.py``: the board loads it before any
of this. Nothing here imports the api package until a request is made.
"""

from __future__ import annotations

from . import mapping
from .links import WEB_APPS, record_link
from .mapping import *  # noqa: F403 - the mappers, importable from here as before the package
from .provider import ServiceTitanProvider

__all__ = [*mapping.__all__, "WEB_APPS", "ServiceTitanProvider", "record_link"]
