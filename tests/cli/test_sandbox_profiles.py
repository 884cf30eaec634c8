"""What `jpm-tui sandbox serve` prints and says of itself: each backend's pasted profile shows the board in the
sandbox company's zone, as `--demo` does, under the table name the help announces; `jpm-tui --help` names the
three backends."""

from __future__ import annotations

import tomllib

import pytest

from jpm_tui.backends import BACKENDS
from jpm_tui.cli import build_parser, main


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_the_printed_profile_has_the_demos_zone_under_the_name_the_help_gives(name: str, capsys) -> None:
    backend = BACKENDS[name]
    profiles = tomllib.loads(backend.profile_text("http://127.0.0.1:8765"))["profiles"]
    (table_name, table), = profiles.items()
    assert table["timezone"] == backend.demo(5, 1).timezone
    with pytest.raises(SystemExit):
        main(["sandbox", "serve", "--help"])
    assert f"[profiles.{table_name}] for {name}" in " ".join(capsys.readouterr().out.split())


def test_the_help_names_the_three_backends() -> None:
    text = " ".join(build_parser().format_help().split())
    assert "ServiceTitan, FSM Navigator or BigChange" in text
    assert "ServiceTitan-compatible" not in text and "for ServiceTitan (" not in text
