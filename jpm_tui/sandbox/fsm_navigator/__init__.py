"""A stateful FSM Navigator (Jobs API v1) sandbox for demos and tests.

Like the ServiceTitan sandbox beside it, it shares no code with the client (jpm_tui.api.fsm_navigator): it
has its own reading of FSM Navigator's reference, so a client that works against it has been checked
against an independent implementation of the wire format.
"""

from .app import build_state, create_app
from .server import api_url, profile_text, serve
from .state import API_KEY, FsmState

__all__ = ["API_KEY", "FsmState", "api_url", "build_state", "create_app", "profile_text", "serve"]
