"""Tags on the job detail, end to end: the sandbox's seeded tag types and tagged jobs -> a sync -> the cache
-> the detail's "Tags" row, by name (the job's own tags, then its customer's and its location's)."""

from __future__ import annotations

import re

from support.demo_board import Board


def _tag_names(board: Board) -> dict[int, str]:
    return {t["id"]: t["name"] for t in board.sandbox["tag_types"].values()}


def _tags_line(board: Board) -> str:
    return next(line for line in board.shown().splitlines() if re.match(r"\s*Tags\s", line))


async def test_the_detail_names_the_jobs_tags(board: Board) -> None:
    names = _tag_names(board)
    job = board.job_where(lambda j: len(j["tagTypeIds"]) >= 1)
    await board.open(job)
    line = _tags_line(board)
    for tag_id in job["tagTypeIds"]:
        assert names[tag_id] in line
    assert "#" not in line  # every id resolved to a name


async def test_the_detail_names_customer_and_location_tags(board: Board) -> None:
    names = _tag_names(board)
    customers = {c["id"]: c for c in board.sandbox["customers"].values()}
    locations = {loc["id"]: loc for loc in board.sandbox["locations"].values()}
    job = board.job_where(lambda j: bool(customers[j["customerId"]]["tagTypeIds"])
                          and bool(locations[j["locationId"]]["tagTypeIds"]))
    await board.open(job)
    line = _tags_line(board)
    customer_tags = ", ".join(names[t] for t in customers[job["customerId"]]["tagTypeIds"])
    location_tags = ", ".join(names[t] for t in locations[job["locationId"]]["tagTypeIds"])
    assert re.search(f" · customer tags?: {re.escape(customer_tags)}", line)
    assert re.search(f" · location tags?: {re.escape(location_tags)}", line)


async def test_a_job_without_tags_says_so(board: Board) -> None:
    customers = {c["id"]: c for c in board.sandbox["customers"].values()}
    locations = {loc["id"]: loc for loc in board.sandbox["locations"].values()}
    job = board.job_where(lambda j: not j["tagTypeIds"] and not customers[j["customerId"]]["tagTypeIds"]
                          and not locations[j["locationId"]]["tagTypeIds"])
    await board.open(job)
    assert _tags_line(board).split()[1:] == ["—"]  # as every empty field of the detail


async def test_a_job_without_tags_of_its_own_shows_a_dash_beside_its_location_s(board: Board) -> None:
    names = _tag_names(board)
    customers = {c["id"]: c for c in board.sandbox["customers"].values()}
    locations = {loc["id"]: loc for loc in board.sandbox["locations"].values()}
    job = board.job_where(lambda j: not j["tagTypeIds"] and not customers[j["customerId"]]["tagTypeIds"]
                          and len(locations[j["locationId"]]["tagTypeIds"]) == 1)
    await board.open(job)
    (tag,) = locations[job["locationId"]]["tagTypeIds"]
    assert _tags_line(board).split(None, 1)[1].strip() == f"— · location tag: {names[tag]}"


async def test_a_tag_added_on_the_server_shows_after_a_sync(board: Board) -> None:
    names = _tag_names(board)
    job = board.job_where(lambda j: not j["tagTypeIds"])
    vip = next(t["id"] for t in board.sandbox["tag_types"].values() if t["name"] == "VIP")
    record = board.sandbox["jobs"].get(job["id"])
    record["tagTypeIds"] = [vip]
    board.sandbox["jobs"].touch(record)
    board.app.live.sync_now()  # type: ignore[union-attr]
    await board.wait(lambda: vip in (board.store.job(job["id"]).raw.get("tagTypeIds") or []), "the sync")
    await board.open(job)
    await board.wait(lambda: names[vip] in _tags_line(board), "the new tag on the detail")
