"""The job list's CSV export opened in a spreadsheet: no cell of API text is taken for a formula."""

from __future__ import annotations

import csv
import dataclasses

from support.fake_board import make_app, settle

# OWASP's CSV injection list: a cell beginning with = + - @ TAB or CR is a formula to some spreadsheet. A tab or
# CR becomes a space on the way out (clean), and an escape sequence is dropped, so what the cell begins with is
# judged before and after that.
SUMMARIES = {
    '=HYPERLINK("http://evil.example","click")': "'=HYPERLINK(\"http://evil.example\",\"click\")",
    "+1+cmd|' /C calc'!A0": "'+1+cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1": "' =1+1",
    "\r=1+1": "' =1+1",
    "\tnot a formula": "' not a formula",
    "\x1b[31m=1+1": "'=1+1",
    "Leaking water heater - 40 gal": "Leaking water heater - 40 gal",
    "email ops@example.com": "email ops@example.com",
}


async def test_export_csv_neutralises_cells_that_a_spreadsheet_would_run(source, tmp_path):
    written = dict(zip((row.number for row in source.rows), SUMMARIES))
    source.rows = [dataclasses.replace(row, summary=written.get(row.number, row.summary)) for row in source.rows]
    app = make_app(source, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
    (path,) = tmp_path.glob("jobs-*.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        cells = {row["number"]: row["summary"] for row in csv.DictReader(handle)}
    assert {number: cells[number] for number in written} == {
        number: SUMMARIES[summary] for number, summary in written.items()}
