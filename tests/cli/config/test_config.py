"""Configuration: every error message exactly, secrets, init/show/check/path through the CLI."""

from __future__ import annotations

import io
import os
import sys
import tomllib
from datetime import UTC
from pathlib import Path

import pytest

from jpm_tui import __version__
from jpm_tui.cli import main
from jpm_tui.config import ConfigError, config_path, load_config

GOOD = """\
default_profile = "acme"

[profiles.acme]
environment = "production"
tenant = 1234567
client_id = "cid.acme"
app_key = "ak1.0123456789abcdef"
client_secret_env = "ACME_SECRET"
"""


def write(tmp_path: Path, text: str, mode: int = 0o600, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


def profile(**changes: object) -> str:
    """GOOD with keys of [profiles.acme] replaced (value None removes the key)."""
    lines = GOOD.splitlines()
    out = []
    for line in lines:
        key = line.split(" = ")[0]
        if key in changes:
            value = changes.pop(key)
            if value is not None:
                out.append(f"{key} = {value}")
        else:
            out.append(line)
    out += [f"{key} = {value}" for key, value in changes.items() if value is not None]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------ error messages


def test_good_file_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    acme = config.profile()
    assert (acme.name, acme.tenant, acme.rate_limit, acme.timeout) == ("acme", 1234567, 60.0, 100.0)
    assert acme.effective_api_url == "https://api.servicetitan.io"
    assert acme.effective_auth_url == "https://auth.servicetitan.io"


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("tenant = 1234567", "tenant = "))
    assert error_of(path) == f"{path}: invalid TOML at line 5, column 10: invalid value"


def test_toml_error_at_end_of_document(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + 'theme = "dark\n')
    assert error_of(path).startswith(f"{path}: invalid TOML at line ")


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, profile(tenant=None, tenat=1234567))
    assert error_of(path) == f"{path}: profiles.acme.tenat: unknown key (did you mean 'tenant'?)"


def test_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, 'default_profle = "acme"\n' + GOOD.split("\n", 1)[1])
    assert error_of(path) == f"{path}: default_profle: unknown key (did you mean 'default_profile'?)"


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, profile(tenant="'abc'"))
    assert error_of(path) == f"{path}: profiles.acme.tenant: expected a positive integer, got 'abc'"


def test_wrong_type_negative_and_bool(tmp_path: Path) -> None:
    assert error_of(write(tmp_path, profile(tenant="-5"))).endswith(
        "profiles.acme.tenant: expected a positive integer, got -5")
    assert error_of(write(tmp_path, profile(rate_limit="true"))).endswith(
        "profiles.acme.rate_limit: expected a positive number (requests per second), got true")


def test_bad_environment(tmp_path: Path) -> None:
    path = write(tmp_path, profile(environment='"prod"'))
    assert error_of(path) == (f'{path}: profiles.acme.environment: expected "production", "integration" or '
                              f"\"custom\", got 'prod'")


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, profile(client_id=None))
    assert error_of(path) == f"{path}: profiles.acme.client_id: required key is missing (expected a string)"


def test_custom_environment_needs_api_url(tmp_path: Path) -> None:
    path = write(tmp_path, profile(environment='"custom"', auth_url='"https://auth.example.com"'))
    assert error_of(path) == (f'{path}: profiles.acme.api_url: required when environment = "custom" '
                              f'(e.g. "https://api.example.com")')


def test_production_refuses_urls(tmp_path: Path) -> None:
    path = write(tmp_path, profile(api_url='"https://api.example.com"'))
    assert error_of(path) == (f'{path}: profiles.acme.api_url: only allowed with environment = "custom" '
                              f"(production uses https://api.servicetitan.io)")


def test_custom_urls_https_or_loopback(tmp_path: Path) -> None:
    good = profile(environment='"custom"', api_url='"http://127.0.0.1:8765/"', auth_url='"http://localhost:8765"')
    acme = load_config(write(tmp_path, good)).profile()
    assert (acme.effective_api_url, acme.effective_auth_url) == ("http://127.0.0.1:8765", "http://localhost:8765")
    bad = profile(environment='"custom"', api_url='"http://api.example.com"', auth_url='"https://a.example.com"')
    assert error_of(write(tmp_path, bad)).endswith(
        "profiles.acme.api_url: expected an https:// URL (http:// only for localhost), got 'http://api.example.com'")


def test_secret_must_be_given_exactly_once(tmp_path: Path) -> None:
    none = write(tmp_path, profile(client_secret_env=None))
    assert error_of(none) == (f"{none}: profiles.acme: no client secret: set one of client_secret_env, "
                              f"client_secret_command or client_secret")
    two = write(tmp_path, profile(client_secret_command='"pass show st"'))
    assert error_of(two) == (f"{two}: profiles.acme: give the client secret one way only, not client_secret_env "
                             f"and client_secret_command")


def test_default_profile_must_exist(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('default_profile = "acme"', 'default_profile = "acne"'))
    assert error_of(path) == f"{path}: default_profile: no profile named 'acne' (profiles: acme)"


def test_views_and_keys_validated(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[profiles.acme]", '[[views]]\nname = "Hold"\nfiltres = {}\n\n[profiles.acme]'))
    assert error_of(path) == f"{path}: views[0].filtres: unknown key (did you mean 'filters'?)"
    path = write(tmp_path, GOOD.replace("[profiles.acme]", "[keys]\nsync = 5\n\n[profiles.acme]"))
    assert error_of(path) == f'{path}: keys.sync: expected a key such as "ctrl+r", got 5'
    ok = GOOD.replace("[profiles.acme]", '[keys]\nsync = "ctrl+r"\n\n[[views]]\nname = "Hold"\n'
                                         'filters = { statuses = ["Hold"], anything = 1 }\n\n[profiles.acme]')
    config = load_config(write(tmp_path, ok))
    assert config.keys == {"sync": "ctrl+r"}
    assert config.views[0].filters == {"statuses": ["Hold"], "anything": 1}


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert error_of(path) == f"{path}: no such file; run `jpm-tui config init` to create it"


def test_unknown_profile_and_several_without_default(tmp_path: Path) -> None:
    two = GOOD.replace('default_profile = "acme"\n', "") + GOOD.split("\n", 2)[2].replace("acme", "beta")
    config = load_config(write(tmp_path, two))
    with pytest.raises(ConfigError) as caught:
        config.profile("gamma")
    assert str(caught.value) == f"{tmp_path / 'config.toml'}: no profile named 'gamma' (profiles: acme, beta)"
    with pytest.raises(ConfigError) as caught:
        config.profile()
    assert str(caught.value) == (f"{tmp_path / 'config.toml'}: several profiles and no default_profile; set "
                                 f"default_profile or pass --profile (profiles: acme, beta)")
    assert config.profile("beta").name == "beta"


# ------------------------------------------------------------------------------------------- secrets

LITERAL = profile(client_secret_env=None, client_secret='"s3cret-literal"')


def test_literal_secret_in_readable_file_is_refused(_home: Path) -> None:
    path = _home / ".config" / "jpm-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    write(path.parent, LITERAL, mode=0o644)
    assert error_of(path) == (
        "~/.config/jpm-tui/config.toml: profiles.acme.client_secret: a literal secret needs a private file; "
        "run `chmod 600 ~/.config/jpm-tui/config.toml` or use client_secret_env / client_secret_command")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_literal_secret_refused_for_any_group_or_other_bit(tmp_path: Path, mode: int) -> None:
    path = write(tmp_path, LITERAL, mode=mode)
    assert "a literal secret needs a private file" in error_of(path)


def test_literal_secret_accepted_in_private_file(tmp_path: Path) -> None:
    acme = load_config(write(tmp_path, LITERAL, mode=0o600)).profile()
    assert acme.resolve_secret() == "s3cret-literal"
    assert "s3cret" not in repr(acme) and "s3cret" not in str(acme)


def test_secret_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD, mode=0o644)  # no literal secret: the mode does not matter
    acme = load_config(path).profile()
    monkeypatch.setenv("ACME_SECRET", "  from-env \n")
    assert acme.resolve_secret() == "from-env"


def test_secret_env_var_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, GOOD)
    monkeypatch.delenv("ACME_SECRET", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(path).profile().resolve_secret()
    assert str(caught.value) == f"{path}: profiles.acme.client_secret_env: environment variable ACME_SECRET is not set"


def test_secret_from_command(tmp_path: Path) -> None:
    path = write(tmp_path, profile(client_secret_env=None, client_secret_command="\"printf ' cmd-secret\\\\n'\""))
    assert load_config(path).profile().resolve_secret() == "cmd-secret"


def test_secret_command_failing(tmp_path: Path) -> None:
    command = "echo leaked-secret; echo 'vault is locked' >&2; exit 3"
    path = write(tmp_path, profile(client_secret_env=None, client_secret_command=f'"{command}"'))
    with pytest.raises(ConfigError) as caught:
        load_config(path).profile().resolve_secret()
    message = str(caught.value)
    assert message == f"{path}: profiles.acme.client_secret_command: the command failed with exit code 3: vault is locked"
    assert "leaked-secret" not in message


def test_secret_command_printing_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, profile(client_secret_env=None, client_secret_command='"true"'))
    with pytest.raises(ConfigError) as caught:
        load_config(path).profile().resolve_secret()
    assert str(caught.value) == f"{path}: profiles.acme.client_secret_command: the command printed nothing on stdout"


def test_secret_resolution_is_lazy(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, profile(client_secret_env=None, client_secret_command=f'"touch {marker}; echo x"'))
    acme = load_config(path).profile()
    assert not marker.exists()
    acme.resolve_secret()
    assert marker.exists()


# ----------------------------------------------------------------------------------------------- CLI


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"jpm-tui {__version__}\n"


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for word in ("config", "doctor", "sandbox", "--demo", "--profile", "--config"):
        assert word in out


def test_config_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "from-env")
    good = write(tmp_path, GOOD, name="good.toml")
    assert main(["config", "check", "--config", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: OK (1 profile: acme; default acme; every client secret resolved)\n"
    bad = write(tmp_path, profile(tenant="'abc'"), name="bad.toml")
    assert main(["--config", str(bad), "config", "check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"jpm-tui: {bad}: profiles.acme.tenant: expected a positive integer, got 'abc'\n"


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD, name="env.toml")
    monkeypatch.setenv("JPM_TUI_CONFIG", str(path))
    assert config_path() == path
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{path}\n"
    assert main(["config", "path", "--config", "/x/y.toml"]) == 0
    assert capsys.readouterr().out == "/x/y.toml\n"


def test_default_config_path_is_platform_config_dir(_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if sys.platform != "linux":
        pytest.skip("XDG layout is Linux's")
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{_home}/.config/jpm-tui/config.toml\n"


def test_open_board_with_bad_config_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "missing.toml")]) == 1
    err = capsys.readouterr().err
    assert err == f"jpm-tui: {tmp_path / 'missing.toml'}: no such file; run `jpm-tui config init` to create it\n"


INIT = ["--profile", "acme", "--environment", "production", "--tenant", "1234567", "--client-id", "cid.acme",
        "--app-key", "ak1.0123456789abcdef", "--client-secret-env", "ACME_SECRET"]


def test_config_init_writes_private_file_that_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new" / "jpm-tui" / "config.toml"
    assert main(["config", "init", "--config", str(path), *INIT]) == 0
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(path.parent).st_mode & 0o777 == 0o700
    assert tomllib.loads(path.read_text()) == {
        "default_profile": "acme",
        "profiles": {"acme": {"environment": "production", "tenant": 1234567, "client_id": "cid.acme",
                              "app_key": "ak1.0123456789abcdef", "client_secret_env": "ACME_SECRET"}},
    }
    acme = load_config(path).profile()
    assert (acme.name, acme.tenant, acme.client_secret_env) == ("acme", 1234567, "ACME_SECRET")
    assert "wrote profile 'acme'" in capsys.readouterr().out


def test_config_init_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    assert main(["config", "init", "--config", str(path), *INIT]) == 0
    capsys.readouterr()
    assert main(["config", "init", "--config", str(path), *INIT]) == 1
    assert capsys.readouterr().err == f"jpm-tui: {path}: profile 'acme' already exists; use --force to replace it\n"
    changed = [*INIT[:5], "7654321", *INIT[6:]]
    assert main(["config", "init", "--config", str(path), *changed, "--force"]) == 0
    assert load_config(path).profile("acme").tenant == 7654321


def test_config_init_adds_second_profile_and_keeps_default(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert main(["config", "init", "--config", str(path), *INIT]) == 0
    second = ["--profile", "sbx", "--environment", "custom", "--api-url", "http://127.0.0.1:9", "--auth-url",
              "http://127.0.0.1:9", "--tenant", "1", "--client-id", "c", "--app-key", "k",
              "--client-secret-command", "echo s"]
    assert main(["config", "init", "--config", str(path), *second]) == 0
    config = load_config(path)
    assert sorted(config.profiles) == ["acme", "sbx"] and config.default_profile == "acme"
    assert main(["config", "init", "--config", str(path), *second, "--force", "--default"]) == 0
    assert load_config(path).default_profile == "sbx"


def test_config_init_literal_secret_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    monkeypatch.setattr(sys, "stdin", io.StringIO("lit-secret\n"))
    assert main(["config", "init", "--config", str(path), *INIT[:-2], "--client-secret-stdin"]) == 0
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert load_config(path).profile().resolve_secret() == "lit-secret"


def test_config_init_validates_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    bad = [*INIT[:5], "abc", *INIT[6:]]
    assert main(["config", "init", "--config", str(path), *bad]) == 1
    assert capsys.readouterr().err == f"jpm-tui: {path}: profiles.acme.tenant: expected a positive integer, got 'abc'\n"
    assert not path.exists()


def test_config_init_non_interactive_needs_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "init", "--config", str(tmp_path / "c.toml"), "--profile", "acme"]) == 1
    assert capsys.readouterr().err == "jpm-tui: config init: --tenant is required when not run in a terminal\n"


def test_config_init_interactive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["acme", "integration", "42", "cid.x", "ak1.y", "literal"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "typed-secret")
    path = tmp_path / "config.toml"
    assert main(["config", "init", "--config", str(path)]) == 0
    acme = load_config(path).profile()
    assert (acme.environment, acme.tenant, acme.client_id, acme.app_key) == ("integration", 42, "cid.x", "ak1.y")
    assert acme.resolve_secret() == "typed-secret"


def test_config_show_masks_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, LITERAL)
    assert main(["config", "show", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "s3cret-literal" not in out and "0123456789abcdef" not in out
    shown = tomllib.loads(out)
    acme = shown["profiles"]["acme"]
    assert acme["client_secret"] == "********"
    assert acme["app_key"] == "ak1.************cdef"
    assert (acme["rate_limit"], acme["timeout"], shown["default_profile"]) == (60, 100, "acme")


def test_example_config_is_valid(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[3] / "config.example.toml"
    config = load_config(write(tmp_path, example.read_text(), mode=0o644))
    assert set(config.profiles) == {"acme", "acme-test", "sandbox"}
    assert config.profile().name == "acme"
    assert str(config.profile().tzinfo) == "America/Phoenix"


# ------------------------------------------------------------------------------------------ time zone


def test_timezone_is_optional_and_an_iana_name(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, GOOD)).profile().tzinfo is None  # the machine's zone
    acme = load_config(write(tmp_path, profile(timezone='"America/Phoenix"'))).profile()
    assert acme.timezone == "America/Phoenix" and str(acme.tzinfo) == "America/Phoenix"


@pytest.mark.parametrize(("value", "problem"), [
    ('"America/Phoenixx"', "unknown time zone 'America/Phoenixx'"),
    ('"MST7MDT/../../etc/passwd"', "unknown time zone 'MST7MDT/../../etc/passwd'"),
    ('""', "expected an IANA time zone name"),
    ("-7", "expected an IANA time zone name"),
])
def test_unknown_timezone_names_file_and_key(tmp_path: Path, value: str, problem: str) -> None:
    path = write(tmp_path, profile(timezone=value))
    assert error_of(path).startswith(f"{path}: profiles.acme.timezone: {problem}")


def test_profile_session_carries_the_profile_zone(tmp_path: Path) -> None:
    from jpm_tui.session import profile_session

    config = load_config(write(tmp_path, profile(timezone='"America/Chicago"')))
    session = profile_session(config, config.profile(), tmp_path / "cache")
    assert str(session.tz) == "America/Chicago"


def test_demo_session_shows_the_sandbox_company_zone(tmp_path: Path) -> None:
    from datetime import datetime

    from jpm_tui.cache.store import CacheStore
    from jpm_tui.sandbox import data
    from jpm_tui.session import board_app, demo_session

    session = demo_session(tmp_path, jobs=5)
    assert str(session.tz) == data.TIMEZONE == "America/Phoenix"
    # the zone agrees with the offset the generated schedule assumes (Arizona: UTC-7 all year)
    for month in (1, 7):
        offset = datetime(2025, month, 1, 12, tzinfo=UTC).astimezone(session.tz).utcoffset()
        assert offset is not None and offset.total_seconds() == data.LOCAL_OFFSET
    store = CacheStore(tmp_path / "demo.sqlite3")
    try:
        assert board_app(session, store).tz is session.tz
    finally:
        store.close()
