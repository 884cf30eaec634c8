"""The footer of keys every board screen shows: Textual's, built again only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = ["BoardFooter"]


class BoardFooter(Footer):
    """Textual's footer builds all its keys again at each change of the screen's bindings, and they change three times
    while a screen starts (mounted, focused, ...): 33 keys were built (each styled on its own) for the 11 shown, a
    fifth of the job list's first frame. Here the changes before the next refresh make one rebuild, and none when
    what the footer shows is what it shows already. And a compact footer's keys come with their "-compact" class: a
    key given it once mounted (as Textual's does) has its styles worked out once more, one key at a time."""

    _rebuild_due = False
    _built: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_due:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_due = True
            self.call_after_refresh(self._rebuild)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if self.compact and isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)
            yield widget

    def _shown(self) -> tuple[object, ...]:
        """What ``compose`` builds from: every active binding (the palette's key too) and its state."""
        return tuple((binding.key, binding.action, binding.description, binding.show, binding.group, enabled, tooltip)
                     for _node, binding, enabled, tooltip in self.screen.active_bindings.values())

    async def _rebuild(self) -> None:
        self._rebuild_due = False
        if not self.is_attached:  # taken down (its screen closed, the board quitting) since the rebuild was asked
            return
        shown = self._shown()
        if shown != self._built:
            self._built = shown
            await self.recompose()
