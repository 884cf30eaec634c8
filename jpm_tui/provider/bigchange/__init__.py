"""BigChange as a backend: its workflow (``workflow.py``, no HTTP), the wire -> domain mapping (``mapping.py``), the
feeds the sync runs (``feeds.py``), its one edit command (``commands.py``) and the provider (``provider.py``)."""
