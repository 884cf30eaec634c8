"""The footer of keys (BoardFooter): built once as a screen starts, built again when the keys it shows change."""

from __future__ import annotations

import pytest
from support.fake_board import make_app, settle
from support.fake_sources import FakeSource
from textual.widgets._footer import FooterKey


async def test_the_footer_builds_its_keys_once_and_again_when_they_change(source: FakeSource,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    init = FooterKey.__init__

    def counted(self: FooterKey, key: str, *args: object, **kwargs: object) -> None:
        built.append(key)
        init(self, key, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FooterKey, "__init__", counted)
    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = {key.action: key.key for key in app.screen.query(FooterKey)}
        assert {"mode('calendar')", "help", "quit"} <= set(shown) and shown["quit"] == "q"
        assert len(built) == len(shown)  # Textual's footer built every key again at each of the start's changes
        built.clear()
        app.set_keymap({"quit": "ctrl+q"})
        await settle(pilot)
        shown = {key.action: key.key for key in app.screen.query(FooterKey)}
        assert shown["quit"] == "ctrl+q" and len(built) == len(shown)
