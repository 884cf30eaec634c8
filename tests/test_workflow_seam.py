"""The workflow seam (docs/architecture.md): the backend declares its workflow, the board and the cache render and
reason with it. No ServiceTitan status is named in ui/ or cache/, a workflow loads without any HTTP code, and
ServiceTitan's declared actions are the board's bindings."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding

from jpm_tui.provider.backends import WORKFLOWS, workflow_for
from jpm_tui.provider.servicetitan import ServiceTitanProvider
from jpm_tui.provider.servicetitan_workflow import WORKFLOW
from jpm_tui.ui.themes import parse_theme

PACKAGE = Path(__file__).resolve().parents[1] / "jpm_tui"

ST_STATUSES = frozenset({"Scheduled", "Dispatched", "InProgress", "Working", "Hold", "Completed", "Canceled", "Done"})
_QUOTED = re.compile(r"'(" + "|".join(sorted(ST_STATUSES)) + r")'")  # a status inside SQL text
ST_ENUMS = frozenset({"JobStatus", "AppointmentStatus", "AssignmentStatus"})
"""The domain's enums of ServiceTitan's statuses: ``JobStatus.CANCELED`` names a status too."""

ALLOWED = {
    ("ui/screens/job_detail.py", "Completed"): "the label of the job's completion date",
    ("ui/screens/job_detail.py", "Hold"): "the words of the hold key (help, footer)",
    ("ui/screens/projects.py", "Completed"): "the label of the project's completion date",
    ("ui/screens/calendar.py", "Hold"): "the words of the hold key (help, footer)",
    ("cache/store/tables.py", "JobStatus"): "the table specs read stored text back as the domain rows' enums",
    ("cache/store/tables.py", "AppointmentStatus"): "the same",
    ("cache/store/tables.py", "AssignmentStatus"): "the same",
}
"""(module under jpm_tui/, status) -> why that constant may name it: words on screen, not logic."""


def _docstrings(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):  # a docstring, or a string standing alone after a name (attribute docs)
            out.update(id(s.value) for s in body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    return out


def _status_constants(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if node.value in ST_STATUSES:
                found.append((node.value, node.lineno))
            found.extend((m, node.lineno) for m in _QUOTED.findall(node.value))
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in ST_ENUMS:
            found.append((name, node.lineno))
        if isinstance(node, ast.alias) and node.name in ST_ENUMS:
            found.append((node.name, getattr(node, "lineno", 0)))
    return found


def test_the_board_and_the_cache_name_no_servicetitan_status():
    named = {}
    for path in sorted([*(PACKAGE / "ui").rglob("*.py"), *(PACKAGE / "cache").rglob("*.py")]):
        module = path.relative_to(PACKAGE).as_posix()
        for status, line in _status_constants(path):
            if (module, status) not in ALLOWED:
                named.setdefault(f"{module}:{line}", status)
    assert not named, f"ask the workflow instead of naming these statuses: {named}"


def test_the_invariant_finds_a_status_used_for_logic(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Scheduled is fine in a docstring."""\n'
                      'def late(item):\n    """Done too."""\n    return item.status in ("Scheduled", "Dispatched")\n'
                      'SQL = "SELECT 1 WHERE status NOT IN (\'Done\')"\n'
                      'from domain import JobStatus\nCLOSED = (d.AppointmentStatus.DONE,)\n', encoding="utf-8")
    assert sorted(s for s, _line in _status_constants(sample)) == [
        "AppointmentStatus", "Dispatched", "Done", "JobStatus", "Scheduled"]


def test_every_workflow_loads_without_http_code():
    """What the board imports to paint from the cache: the registry and each backend's workflow."""
    code = ("import sys; from jpm_tui.provider.backends import WORKFLOWS\n"
            "for make in WORKFLOWS.values(): make()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'pydantic')"
            " or m.startswith('jpm_tui.api') or m == 'jpm_tui.provider.servicetitan'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_registry_gives_each_backend_its_workflow():
    assert workflow_for() is WORKFLOW and ServiceTitanProvider.workflow is WORKFLOW
    assert all(make().backend == name for name, make in WORKFLOWS.items())
    with pytest.raises(KeyError, match="unknown backend 'nope'"):
        workflow_for("nope")


def _action_bindings() -> dict[str, tuple[str, str]]:
    from jpm_tui.ui.screens.calendar import APPOINTMENT_ACTIONS, CalendarScreen
    from jpm_tui.ui.screens.job_detail import JOB_ACTION_BINDINGS

    out: dict[str, tuple[str, str]] = {}
    for binding in [*JOB_ACTION_BINDINGS, *CalendarScreen.BINDINGS]:
        if isinstance(binding, Binding) and binding.group in (APPOINTMENT_ACTIONS, JOB_ACTION_BINDINGS[0].group):
            out.setdefault(binding.action.split("(")[0], (binding.key, binding.description))
    return out


def test_servicetitan_declares_the_board_s_actions_with_its_keys():
    bindings = _action_bindings()
    assert {a.id for a in WORKFLOW.actions} <= set(bindings)
    # A binding no ServiceTitan action names belongs to another backend's workflow (BigChange's edit form,
    # FSM Navigator's one-window job actions).
    others = {a.id for make in WORKFLOWS.values() for a in make().actions}
    assert set(bindings) - {a.id for a in WORKFLOW.actions} <= others
    for action in WORKFLOW.actions:
        key, words = bindings[action.id]
        if action.id != "shift_time":  # one action, two keys (+15 / -15 min)
            assert (action.default_key, action.label) == (key, words), action.id


def test_fsm_navigator_s_job_actions_have_their_declared_keys():
    from jpm_tui.ui.screens.jobs import JobsScreen

    bindings = _action_bindings()
    keys = {b.action: b.key for b in JobsScreen.BINDINGS if isinstance(b, Binding)}
    for action in workflow_for("fsm-navigator").actions:
        if action.applies_to == "job":
            assert bindings.get(action.id, (keys.get(action.id), ""))[0] == action.default_key, action.id


def test_servicetitan_statuses_keep_their_meaning():
    assert [(s.value, s.category.value) for s in WORKFLOW.job_statuses] == [
        ("Scheduled", "scheduled"), ("Dispatched", "dispatched"), ("InProgress", "working"), ("Hold", "held"),
        ("Completed", "done"), ("Canceled", "canceled")]
    assert WORKFLOW.category("In Progress") == WORKFLOW.category("InProgress")  # a project's words too
    assert WORKFLOW.category("Invoiced") is None and WORKFLOW.status_rank("Invoiced") == 6
    assert WORKFLOW.appointment_category("Working").value == "working"
    assert WORKFLOW.next_statuses("Scheduled") is None  # ServiceTitan enforces no table


def test_a_theme_with_the_old_status_names_still_colours_the_categories():
    theme = parse_theme({"name": "mine", "colors": {"primary": "#4c8ed9"},
                         "variables": {"status-hold": "#ffff00", "status-inprogress": "#00ff00",
                                       "status-completed": "#aaaaaa", "status-done": "#bbbbbb"}}, "mine.toml")
    assert theme.variables["status-held"] == "#ffff00" and theme.variables["status-working"] == "#00ff00"
    assert theme.variables["status-done"] == "#bbbbbb"  # the new name wins
    assert not {"status-hold", "status-inprogress", "status-completed"} & set(theme.variables)
