"""jpm-tui: a keyboard-driven terminal dispatch board for field-service teams."""

__version__ = "0.1.0"
