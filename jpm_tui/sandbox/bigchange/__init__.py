"""A stateful BigChange REST API for demos and tests: seeded jobs, contacts, resources, job types and custom
field definitions, client-credentials sign-in, the customer-id gate, paged collections and "Update a job" with
the reference's rules. Like the ServiceTitan sandbox it shares no code with the client (jpm_tui.api): it is a
second, independent reading of BigChange's reference. Serve `create_app(state)` with `running_server`.
"""

from .app import build_state, create_app
from .profile import profile_toml
from .state import CLIENT_ID, CLIENT_SECRET, CUSTOMER_ID, BigChangeState

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "CUSTOMER_ID", "BigChangeState", "build_state", "create_app", "profile_toml"]
