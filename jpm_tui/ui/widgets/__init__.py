from .job_table import JobTable
from .status_line import BoardStatus, StatusLine

__all__ = ["BoardStatus", "JobTable", "StatusLine"]
