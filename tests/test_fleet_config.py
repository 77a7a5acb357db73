"""Where a command finds the fleet's store and broker: --db/--broker, else $OIT_DB/$OIT_BROKER,
else config.toml's [fleet], else (the store) [defaults] db, else ./oit.db."""

from __future__ import annotations

from pathlib import Path

import pytest

from oit_checker.config import ConfigError, broker, database, load_config

PG = "postgresql://oit@db.internal:5432/oit"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text + '\n[[site]]\nurl = "https://www.example.go.th/"\n', encoding="utf-8")
    return path


def test_the_option_then_the_environment_then_the_config_name_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv("OIT_DB", raising=False)
    monkeypatch.delenv("OIT_BROKER", raising=False)
    config = load_config(_config(tmp_path, f'[fleet]\ndb = "{PG}"\nbroker = "redis://q:6379/0"'))
    assert database(None, config) == PG and broker(None, config) == "redis://q:6379/0"
    assert database(None) == "oit.db" and broker(None) == ""
    monkeypatch.setenv("OIT_DB", "postgresql://oit@other:5432/env")
    monkeypatch.setenv("OIT_BROKER", "redis://env:6379/0")
    assert database(None, config).endswith("/env") and broker(None, config) == "redis://env:6379/0"
    assert database("given.db", config) == "given.db" and broker("redis://x/1") == "redis://x/1"


def test_a_fleet_db_file_is_beside_the_config_and_defaults_db_still_counts(tmp_path, monkeypatch):
    monkeypatch.delenv("OIT_DB", raising=False)
    config = load_config(_config(tmp_path, '[fleet]\ndb = "runs/fleet.db"'))
    assert database(None, config) == str(tmp_path / "runs" / "fleet.db")
    config = load_config(_config(tmp_path, '[defaults]\ndb = "old.db"'))
    assert database(None, config) == str(tmp_path / "old.db")


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('[fleet]\ndb = "mysql://u@h/x"', "[fleet]: db: "),
        ('[fleet]\nbrokr = "redis://q"', "brokr"),
        ("[fleet]\ndb = 5", "[fleet]: db"),
    ],
)
def test_a_bad_fleet_table_names_the_key(tmp_path, table, words):
    with pytest.raises(ConfigError) as raised:
        load_config(_config(tmp_path, table))
    assert words in str(raised.value)
