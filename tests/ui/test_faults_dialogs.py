"""Issue 16, point 1, for every kind of dialog: one whose answer cannot be stored stays open, says why, and
closes once the answer is stored (the store step is the board's: ``JpmApp.queue``, tried in test_faults_disk)."""

from __future__ import annotations

from support.fake_board import make_app, settle
from textual.widgets import Static

from jpm_tui.ui.screens.modals import Choice, ConfirmScreen, PickerScreen, ask


async def test_a_yes_no_and_a_picker_stay_open_with_the_reason_until_their_answer_is_stored() -> None:
    app = make_app()
    answers: list[object] = []
    full: list[str] = []  # the answers the disk refuses

    async def keep(answer: object) -> str | None:
        answers.append(answer)
        return full.pop() if full else None

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for screen, keys in ((ConfirmScreen("Remove hold", "Take it off hold?"), ("y",)),
                             (PickerScreen("Why?", [Choice(1, "Rain"), Choice(2, "Parts")], memo="Memo"),
                              ("enter", *"wet", "enter"))):
            full.append("Not saved: the cache /x/c.sqlite3 cannot be written: the disk is full")
            ask(app, screen, keep)
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            assert app.screen is screen
            assert "the disk is full" in str(screen.query_one("#dialog-error", Static).render())
            await pilot.press(keys[-1])  # the same key again, once there is room
            await settle(pilot)
            assert app.screen is not screen
    assert answers[:2] == [True, True] and [getattr(a, "memo", None) for a in answers[2:]] == ["wet", "wet"]
