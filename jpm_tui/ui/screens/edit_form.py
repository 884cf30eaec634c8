"""An action's form: the fields the backend's workflow declares for one record (``Workflow.forms``), each a line to
edit (a picker for a field with choices, showing their labels and sending their values), with what will happen to
it if sent now: kept (unchanged), sent (changed) or cleared (emptied). A field the record's state forbids is
read-only with the reason beside it; a refused earlier write's messages sit under their
fields. Opened to correct a refused write, its boxes hold what was typed then, and a line says so. Ctrl+S (or
Enter) queues the command made of exactly the fields changed and emptied.

Nothing here knows a backend: names, labels, values and refusals all come from the workflow's ``FormField``s, and
every one of them is drawn as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from ...provider.workflow import FormField
from ..text import clean, plain
from .modals import _Dialog

__all__ = ["EditFormScreen", "FieldFate", "FormAnswer", "field_fate"]

FieldFate = Literal["kept", "sent", "cleared"]

_FATE_WORDS: dict[FieldFate, str] = {"kept": "kept", "sent": "will be sent", "cleared": "will be cleared"}


@dataclass(frozen=True)
class FormAnswer:
    changes: dict[str, str]
    """Field name -> its new value as typed (trimmed)."""
    cleared: tuple[str, ...]


def field_fate(field: FormField, text: str) -> FieldFate:
    """What sending the form does to ``field`` when its box holds ``text``: a refused field, an unchanged one, or
    an emptied one that cannot be unset is kept; an emptied one is cleared; any other is sent."""
    text = text.strip()
    if field.refused is not None or text == (field.value or "").strip():
        return "kept"
    if not text:
        return "cleared" if field.clearable else "kept"
    return "sent"


class EditFormScreen(_Dialog):
    """``fields`` as the workflow gives them for the record; ``errors``: field name -> the server's messages on a
    refused earlier write of this form; ``typed``: field name -> the text its box starts with instead of the
    record's value (a refused write's, "" for a field it cleared), with ``intro``, the line that says so. Returns
    a ``FormAnswer``."""

    CSS_PATH: ClassVar[list[str]] = ["modals.tcss", "edit_form.tcss"]  # type: ignore[assignment]
    HELP_TITLE = "Edit"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "send", "Send", id="send")]

    def __init__(self, title: str, fields: Sequence[FormField], errors: Mapping[str, str] | None = None, *,
                 typed: Mapping[str, str] | None = None, intro: str = "") -> None:
        super().__init__(title, "Tab next field · empty a field to clear it · Ctrl+S send · Esc cancel", intro=intro)
        self.fields = list(fields)
        self.errors = dict(errors or {})
        self.typed = dict(typed or {})

    def _start(self, field: FormField) -> str:
        """What the field's box holds when the form opens: the text typed in a refused write (not for a field the
        record's state forbids now), else the record's value."""
        if field.refused is None and field.name in self.typed:
            return self.typed[field.name]
        return field.value or ""

    def compose_dialog(self) -> ComposeResult:
        with VerticalScroll(id="form-fields"):
            for k, field in enumerate(self.fields):
                with Horizontal(classes="form-row"):
                    yield Label(plain(field.label), classes="form-label")
                    yield self._box(k, field, self._start(field))
                    yield Static(plain(self._fate_words(field, self._start(field))), id=f"form-fate-{k}",
                                 classes="form-fate")
                below = self._below(field)
                if below:
                    yield Static(plain(below, multiline=True), id=f"form-note-{k}", classes="form-note")
        yield Static("", id="dialog-error")

    @staticmethod
    def _box(k: int, field: FormField, text: str) -> Input | Select[str]:
        if field.kind != "choice":
            return Input(clean(text), id=f"form-input-{k}", classes="form-input",
                         disabled=field.refused is not None, compact=True)
        values = {value for value, _ in field.choices}
        return Select([(plain(label), value) for value, label in field.choices], prompt="(none)",
                      value=text if text in values else Select.NULL, id=f"form-input-{k}",
                      classes="form-input", disabled=field.refused is not None, compact=True)

    def _text(self, k: int) -> str:
        """What field ``k``'s box holds: the typed text (trimmed), or the picked choice's value ("" for none)."""
        box = self.query_one(f"#form-input-{k}")
        if isinstance(box, Select):
            return "" if box.is_blank() else str(box.value)
        assert isinstance(box, Input)
        return box.value.strip()

    def _below(self, field: FormField) -> str:
        lines = []
        if field.note:
            lines.append(field.note)
        if field.refused is not None:
            lines.append(f"cannot change: {field.refused}")
        if field.name in self.errors:
            lines.append(f"refused by the server: {self.errors[field.name]}")
        return "\n".join(f"  {clean(line)}" for line in lines)

    def _fate_words(self, field: FormField, text: str) -> str:
        if field.refused is not None:
            return "read-only"
        fate = field_fate(field, text)
        if fate == "kept" and not text.strip() and field.value:
            return "kept (cannot be emptied)"
        return _FATE_WORDS[fate]

    def on_mount(self) -> None:
        first = next((k for k, field in enumerate(self.fields) if field.refused is None), None)
        if first is not None:
            self.query_one(f"#form-input-{first}", Input).focus()

    @on(Input.Changed, ".form-input")
    @on(Select.Changed, ".form-input")
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        k = int(str(event.control.id).rsplit("-", 1)[1])
        self.query_one(f"#form-fate-{k}", Static).update(plain(self._fate_words(self.fields[k], self._text(k))))

    @on(Input.Submitted, ".form-input")
    def _submitted(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        changes: dict[str, str] = {}
        cleared: list[str] = []
        for k, field in enumerate(self.fields):
            text = self._text(k)
            fate = field_fate(field, text)
            if fate == "sent" and field.kind == "minutes" and not (text.isdigit() and int(text) > 0):
                self._error(f"{field.label}: a whole number of minutes, more than 0.")
                return
            if fate == "sent":
                changes[field.name] = text
            elif fate == "cleared":
                cleared.append(field.name)
        if not changes and not cleared:
            self._error("Nothing changed (Esc closes).")
            return
        self.answer(FormAnswer(changes, tuple(cleared)))

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(plain(message))
