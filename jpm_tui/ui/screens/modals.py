"""Small modal dialogs the actions share: a fuzzy picker (with an optional memo), a text entry and a yes/no.

Each returns its answer through ``dismiss`` (``None`` when the user backs out), so an action reads as
``self.app.push_screen(PickerScreen(...), callback)``. Every label is untrusted text and is drawn plain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..text import clean, plain

__all__ = ["Choice", "ConfirmScreen", "Keep", "Picked", "PickerScreen", "ReadingScreen", "TextEntryScreen", "Written",
           "ask"]

#: stores a dialog's answer (queues the write it makes); returns None once stored, else why it could not be
Keep = Callable[[Any], Awaitable[str | None]]


@dataclass(frozen=True)
class Choice:
    """One thing to pick: what the action sends (``value``) and what the dispatcher reads (``label``)."""

    value: int | str
    label: str
    detail: str = ""


@dataclass(frozen=True)
class Picked:
    value: int | str
    label: str
    memo: str = ""


@dataclass(frozen=True)
class Written:
    text: str
    flag: bool = False


# Any: each dialog answers with its own type (a choice's value, a text, a form's fields, a yes/no)
class _Dialog(ModalScreen[Any]):
    """A centred box with a title, a body and a line of key hints; Escape always backs out."""

    CSS_PATH = "modals.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel", id="close")]

    def __init__(self, title: str, hint: str, *, intro: str = "") -> None:
        """``intro``: a line under the title, when the dialog reopens something (a refused write to correct)."""
        super().__init__()
        self.dialog_title = title
        self.hint = hint
        self.intro = intro
        self.keep: Keep | None = None  # set by ask()
        self._keeping = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(plain(self.dialog_title), id="dialog-title")
            if self.intro:
                yield Static(plain(self.intro, multiline=True), id="dialog-intro")
            yield from self.compose_dialog()
            yield Static(plain(self.hint), id="dialog-hint")

    def compose_dialog(self) -> ComposeResult:
        yield from ()

    def action_close(self) -> None:
        self.dismiss(None)

    def answer(self, value: Any) -> None:
        """Close with ``value``. A dialog opened with :func:`ask` has it stored first, and stays open when that
        fails (a full disk): what was typed is still there, and the reason is shown under it."""
        if self.keep is None:
            self.dismiss(value)
        elif not self._keeping:  # a second Ctrl+S while the first is being stored
            self._keeping = True
            self.run_worker(self._keep_then_close(self.keep, value), group="writes")

    async def _keep_then_close(self, keep: Keep, value: Any) -> None:
        try:
            problem = await keep(value)
        finally:
            self._keeping = False
        if problem is None:
            self.dismiss(value)
            return
        text = plain(problem, multiline=True)
        shown = self.query("#dialog-error")
        if shown:
            shown.first(Static).update(text)
        else:  # a dialog without a line for errors (a yes/no) gets one now
            await self.query_one("#dialog").mount(Static(text, id="dialog-error"), before="#dialog-hint")


def ask(app: Any, screen: _Dialog, keep: Keep) -> None:
    """Open ``screen``; its answer is stored with ``keep`` before it closes (see ``_Dialog.answer``)."""
    screen.keep = keep
    app.push_screen(screen)


class PickerScreen(_Dialog):
    """Pick one of ``choices`` by typing part of it (fuzzy), optionally with a memo; returns ``Picked``."""

    HELP_TITLE = "Pick one"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="down"),
        Binding("up", "move(-1)", "Previous", show=False, id="up"),
    ]

    def __init__(self, title: str, choices: Sequence[Choice], *, memo: str | None = None,
                 memo_required: bool = False, warning: str = "") -> None:
        """``memo``: the memo box's label, or None for no memo; ``warning``: said above the choices."""
        hint = "type to filter · ↑↓ choose · Enter " + ("next / send" if memo is not None else "pick") + " · Esc cancel"
        super().__init__(title, hint)
        self.choices = list(choices)
        self.memo_label = memo
        self.memo_required = memo_required
        self.warning = warning
        self.shown: list[Choice] = []

    def compose_dialog(self) -> ComposeResult:
        if self.warning:
            yield Static(plain(f"⚠ {self.warning}", multiline=True), id="picker-warning")
        yield Input(placeholder="filter", id="picker-filter")
        yield OptionList(id="picker-options")
        if self.memo_label is not None:
            yield Label(plain(self.memo_label), classes="dialog-label")
            yield Input(id="picker-memo")
        yield Static("", id="dialog-error")

    def on_mount(self) -> None:
        self._filter("")
        self.query_one("#picker-filter", Input).focus()

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, text: str) -> None:
        text = text.strip()
        if text:
            matcher = Matcher(text)
            scored = [(matcher.match(f"{c.label} {c.detail}"), n, c) for n, c in enumerate(self.choices)]
            self.shown = [c for score, _n, c in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]
        else:
            self.shown = list(self.choices)
        options = self.query_one("#picker-options", OptionList)
        options.clear_options()
        options.add_options(Option(self._prompt(c)) for c in self.shown)
        if self.shown:
            options.highlighted = 0

    @staticmethod
    def _prompt(choice: Choice) -> Text:
        text = plain(choice.label)
        if choice.detail:
            text.append("  ")
            text.append_text(plain(choice.detail, "dim"))
        return text

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-options", OptionList)
        if self.shown:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(OptionList.OptionSelected)
    def _chosen_by_list(self) -> None:
        self._next()

    @on(Input.Submitted, "#picker-filter")
    def _chosen_by_filter(self) -> None:
        self._next()

    @on(Input.Submitted, "#picker-memo")
    def _memo_done(self) -> None:
        self._finish()

    def _next(self) -> None:
        if self.memo_label is not None and not self.query_one("#picker-memo", Input).has_focus:
            if self._highlighted() is None:
                self._error("Nothing matches; change the filter.")
                return
            self.query_one("#picker-memo", Input).focus()
            return
        self._finish()

    def _highlighted(self) -> Choice | None:
        index = self.query_one("#picker-options", OptionList).highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    def _finish(self) -> None:
        choice = self._highlighted()
        if choice is None:
            self._error("Nothing matches; change the filter.")
            return
        memo = self.query_one("#picker-memo", Input).value.strip() if self.memo_label is not None else ""
        if self.memo_required and not memo:
            self._error(f"{self.memo_label} is required.")
            return
        self.answer(Picked(choice.value, choice.label, memo))

    def _error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(plain(message))


class TextEntryScreen(_Dialog):
    """One text: a line (``Input``) or a paragraph (``TextArea``, sent with Ctrl+S); returns ``Written``.

    ``flag``: the label of an optional checkbox (e.g. "Pin to top"), returned as ``Written.flag``."""

    HELP_TITLE = "Write"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "send", "Send", id="send")]

    def __init__(self, title: str, *, initial: str = "", multiline: bool = False, flag: str | None = None,
                 max_length: int | None = None, intro: str = "") -> None:
        super().__init__(title, ("Ctrl+S send" if multiline else "Enter send") + " · Esc cancel", intro=intro)
        self.initial = clean(initial, multiline=multiline)
        self.multiline = multiline
        self.flag_label = flag
        self.max_length = max_length

    def compose_dialog(self) -> ComposeResult:
        if self.multiline:
            yield TextArea(self.initial, id="entry-text", soft_wrap=True, show_line_numbers=False)
        else:
            yield Input(self.initial, id="entry-text", max_length=self.max_length or 0)
        if self.flag_label is not None:
            yield Checkbox(self.flag_label, id="entry-flag")
        yield Static("", id="dialog-error")

    def on_mount(self) -> None:
        entry = self.query_one("#entry-text")
        entry.focus()
        if isinstance(entry, TextArea):  # typing goes on from the end of what is there, as in a line
            entry.move_cursor(entry.document.end)

    @on(Input.Submitted, "#entry-text")
    def _line_done(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        widget = self.query_one("#entry-text")
        text = (widget.text if isinstance(widget, TextArea) else widget.value).strip()  # type: ignore[attr-defined]
        if not text:
            self.query_one("#dialog-error", Static).update(plain("Write something first (Esc cancels)."))
            return
        flag = self.query_one("#entry-flag", Checkbox).value if self.flag_label is not None else False
        self.answer(Written(text, flag))


class ConfirmScreen(_Dialog):
    """Yes or no to one sentence; returns True, or None when backed out."""

    HELP_TITLE = "Confirm"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer", "Yes", id="apply"),
        Binding("n", "close", "No", id="no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__(title, "y / Enter yes · n / Esc no")
        self.question = question

    def compose_dialog(self) -> ComposeResult:
        with Horizontal(id="confirm-body"):
            yield Static(plain(self.question, multiline=True), id="confirm-question")

    def action_answer(self) -> None:
        self.answer(True)


class ReadingScreen(_Dialog):
    """Something to read (a queued write's fields and the server's answer): scrolls, Esc or Enter closes.
    ``body`` is built by the caller from ``plain()`` texts."""

    HELP_TITLE = "Read"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter,q", "close", "Close", id="close-reading")]

    def __init__(self, title: str, body: RenderableType) -> None:
        super().__init__(title, "↑↓ scroll · Esc close")
        self.body = body

    def compose_dialog(self) -> ComposeResult:
        with VerticalScroll(id="reading-body"):
            yield Static(self.body, id="reading-text")

    def on_mount(self) -> None:
        self.query_one("#reading-body").focus()
