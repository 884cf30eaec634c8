"""FSM Navigator behind the provider boundary: its workflow (``workflow.py``, no HTTP), wire -> domain rows
(``mapping.py``), the sync (``feeds.py``), domain commands -> API calls (``commands.py``) and the provider that ties
them (``provider.py``). Its profile keys are ``profiles/fsm_navigator.py``; its entry, ``jpm_tui/backends.py``."""
