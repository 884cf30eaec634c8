"""`jpm-tui config check` on `[keys]`, and saving the theme into the config file (config.save_theme)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jpm_tui.cli import main
from jpm_tui.config import ConfigError, load_config, save_theme

GOOD = """\
# the acme board
default_profile = "acme"

[keys]
sync = "ctrl+r"

[profiles.acme]
environment = "production"
tenant = 1234567
client_id = "cid.acme"
app_key = "ak1.0123456789abcdef"
client_secret_env = "ACME_SECRET"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_check_accepts_known_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "from-env")  # config check resolves the secret too
    path = write(tmp_path, GOOD)
    assert main(["config", "check", "--config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_check_rejects_an_unknown_id_with_a_suggestion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.replace('sync = "ctrl+r"', 'sync = "ctrl+r"\nserch = "ctrl+f"'))
    assert main(["config", "check", "--config", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"jpm-tui: {path}: [keys] serch: no board action has this id "
                            f"(did you mean 'search'?)\n")


def test_check_rejects_clashing_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD.replace('sync = "ctrl+r"', 'sync = "q"\nexport = "f"\nnope = "z"'))
    assert main(["config", "check", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert err.startswith(f"jpm-tui: {path}: [keys] nope: no board action has this id")
    assert err.endswith("(and 2 more problems in [keys])\n")


def test_save_theme_keeps_the_other_settings_atomically(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    config = save_theme(path, "light")
    assert config.theme == "light"
    fresh = load_config(path)
    assert fresh.theme == "light" and fresh.keys == {"sync": "ctrl+r"} and fresh.default_profile == "acme"
    assert fresh.profile().client_secret_env == "ACME_SECRET"
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml", "home"]
    save_theme(path, "dark")  # again: replaces, never duplicates
    assert path.read_text().count("theme =") == 1 and load_config(path).theme == "dark"


def test_save_theme_writes_through_a_symlink(tmp_path: Path) -> None:
    real = write(tmp_path, GOOD)
    link = tmp_path / "home" / "config.toml"
    link.symlink_to(real)
    save_theme(link, "ansi")
    assert link.is_symlink() and load_config(real).theme == "ansi"


def test_save_theme_refuses_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file; the theme was not saved"):
        save_theme(tmp_path / "absent.toml", "light")
    broken = write(tmp_path, "theme = \n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        save_theme(broken, "light")
    assert broken.read_text() == "theme = \n"  # untouched
