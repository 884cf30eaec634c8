"""A stateful ServiceTitan-compatible server (JPM, Dispatch, Settings, CRM) for demos and tests.

It shares no code with jpm_tui.api: it has its own reading of ServiceTitan's documents, so a client
that works against it has been checked against an independent implementation of the wire format.
"""

from .app import build_state, create_app
from .server import ServeError, running_server, serve
from .state import APP_KEY, CLIENT_ID, CLIENT_SECRET, TENANT, SandboxState

__all__ = [
    "APP_KEY", "CLIENT_ID", "CLIENT_SECRET", "TENANT", "SandboxState", "ServeError", "build_state", "create_app",
    "running_server", "serve",
]
