"""Settings: declared once, read from flags, the environment and a settings file, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import ConfigError, load_settings, mask_url


def test_precedence_flag_env_file_default(tmp_path: Path) -> None:
    path = tmp_path / "monitor.env"
    path.write_text(
        "# office server\nMONITOR_GLOBAL_CONCURRENCY=4\nMONITOR_READ_TIMEOUT='7'\n"
        "export MONITOR_MODELS_DIR=/srv/models\n",
        encoding="utf-8",
    )
    env = {"MONITOR_READ_TIMEOUT": "9"}
    settings = load_settings(env, config_file=path, models_dir="/tmp/m")
    assert settings.global_concurrency == 4  # from the file
    assert settings.read_timeout == 9.0  # the environment wins over the file
    assert settings.models_dir == "/tmp/m"  # a flag wins over both
    assert settings.per_host_concurrency == 2  # default
    assert load_settings({"MONITOR_CONFIG": str(path)}).global_concurrency == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("MONITOR_NOPE=1\n", ":1: MONITOR_NOPE is not a setting"),
        ("just words\n", ":1: expected MONITOR_NAME=value"),
        ("MONITOR_GLOBAL_CONCURRENCY=zero\n", "MONITOR_GLOBAL_CONCURRENCY='zero' is invalid"),
    ],
)
def test_bad_settings_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.env"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings({}, config_file=path)


def test_invalid_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="MONITOR_READ_TIMEOUT='-1' is invalid"):
        load_settings({"MONITOR_READ_TIMEOUT": "-1"})


def test_secrets_are_masked() -> None:
    shown = dict(
        (n, v)
        for n, v, _ in load_settings(
            {"MONITOR_SECRET_KEY": "s3cret" * 6, "MONITOR_DATABASE_URL": "postgresql://u:pw@h/db"}
        ).describe()
    )
    assert shown["secret_key"] == "***" and "pw" not in shown["database_url"]


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://h/db?password=s3cr3t-pw&sslmode=require",
        "postgresql://u@h/db?sslpassword=s3cr3t-pw",
        "postgresql://u:s3cr3t-pw@h/db?application_name=a@b",
        "amqp://guest:s3cr3t-pw@localhost:5672/%2F",
        "https://relay.example/hook?token=s3cr3t-pw&x=1",
    ],
)
def test_secrets_are_masked_wherever_they_sit_in_a_url(url: str) -> None:
    shown = dict((n, v) for n, v, _ in load_settings({"MONITOR_DATABASE_URL": url}).describe())
    assert "s3cr3t-pw" not in shown["database_url"] and "***" in shown["database_url"]
    assert mask_url("sqlite:///monitor.db") == "sqlite:///monitor.db"


def test_a_short_session_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="MONITOR_SECRET_KEY.*32 characters"):
        load_settings({"MONITOR_SECRET_KEY": "short"})
    with pytest.raises(ConfigError, match="MONITOR_COOKIE_SECURE"):
        load_settings({"MONITOR_COOKIE_SECURE": "maybe"})
