import pytest

from kefu.settings import SettingsError, load_settings


def test_defaults_use_an_embedded_sqlite_file_under_the_data_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path.as_posix()}/kefu.sqlite3"
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_postgresql_url_is_taken_as_is(monkeypatch) -> None:
    url = "postgresql+psycopg://kefu:pw@db.local:5432/kefu"
    monkeypatch.setenv("KEFU_DATABASE_URL", url)
    assert load_settings().effective_database_url == url


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KEFU_DATABASE_URL", "not a url", "KEFU_DATABASE_URL: malformed database URL"),
        ("KEFU_DATABASE_URL", "mysql://u@h/db", "KEFU_DATABASE_URL: unsupported database"),
        ("KEFU_DATABASE_URL", "postgresql+psycopg://u@h", "names no database"),
        ("KEFU_BIND", "127.0.0.1", "KEFU_BIND: bind '127.0.0.1' must be HOST:PORT"),
        ("KEFU_BIND", "127.0.0.1:http", "has no valid port"),
        ("KEFU_BIND", "0.0.0.0:70000", "has no valid port"),
        ("KEFU_REDIS_URL", "localhost:6379", "KEFU_REDIS_URL: malformed Redis URL"),
        ("KEFU_ENV", "staging", "KEFU_ENV"),
        ("KEFU_DEMO", "perhaps", "KEFU_DEMO"),
    ],
)
def test_bad_values_are_one_clear_line(monkeypatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_production_requires_a_real_secret(monkeypatch) -> None:
    monkeypatch.setenv("KEFU_ENV", "production")
    with pytest.raises(SettingsError, match="KEFU_SECRET_KEY is required"):
        load_settings()
    monkeypatch.setenv("KEFU_SECRET_KEY", "changethis")
    with pytest.raises(SettingsError, match="known default secret"):
        load_settings()
    monkeypatch.setenv("KEFU_SECRET_KEY", "s3cr3t-but-short")
    assert load_settings().effective_secret_key == "s3cr3t-but-short"


def test_dev_and_demo_mode_run_without_a_secret(monkeypatch) -> None:
    assert load_settings().effective_secret_key  # dev: a development key stands in
    monkeypatch.setenv("KEFU_ENV", "production")
    monkeypatch.setenv("KEFU_DEMO", "1")
    assert load_settings().demo is True


def test_dotenv_file_is_read(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEFU_DATA_DIR", raising=False)
    (tmp_path / ".env").write_text("KEFU_BIND=0.0.0.0:9000\n", encoding="utf-8")
    assert load_settings().port == 9000


def test_bare_postgresql_url_uses_psycopg3(monkeypatch) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", "postgresql://kefu:p%40ss@db:5432/kefu")
    assert load_settings().effective_database_url == (
        "postgresql+psycopg://kefu:p%40ss@db:5432/kefu"
    )
