"""Issue 16, point 5: exports hold customers' names, addresses and phones. They are private (0600, in a 0700
folder), never overwrite an earlier one, and the board says where each went."""

from __future__ import annotations

import stat
from pathlib import Path

from support.fake_board import make_app, settle


async def test_exports_are_private_never_overwrite_each_other_and_say_where_they_went(tmp_path: Path) -> None:
    folder = tmp_path / "exports" / "jobs"  # missing: made, private
    app = make_app(export_dir=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("x")  # the same second (the clock is frozen)
        await settle(pilot)
        said = [n.message for n in app._notifications]
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["jobs-20250514-083000-2.csv", "jobs-20250514-083000.csv"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(f.read_text().startswith("id,") for f in files)
    assert any(str(files[1]) in m and m.startswith("Exported") for m in said)
    assert any(str(files[0]) in m and m.startswith("Exported") for m in said)
