"""Textual UI: renders and binds keys; reads through the cache store's query layer, never SQL or URLs."""

from .app import JpmApp, run_app
from .source import BoardSource, JobSource, SavedView
from .widgets.status_line import BoardStatus

__all__ = ["BoardSource", "BoardStatus", "JobSource", "JpmApp", "SavedView", "run_app"]
