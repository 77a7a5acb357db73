"""open_store: one entry for every command and the fleet's workers, from a --db value."""

from __future__ import annotations

import sqlite3

import pytest

from oit_checker.errors import OitError
from oit_checker.store import Store, open_store
from oit_checker.store_target import store_target


def test_a_path_and_a_sqlite_url_open_the_same_sqlite_file(tmp_path, monkeypatch):
    db = tmp_path / "oit.db"
    first = open_store(db)
    run = first.start_run("http://example.test/", 2568, "r.toml", "0" * 64, "2025-01-01", {})
    assert isinstance(first, Store) and first.path == db
    again = open_store(f"sqlite:///{db}")  # absolute: four slashes, as SQLAlchemy writes it
    assert again.path == db and again.run(run)["status"] == "running"
    monkeypatch.chdir(tmp_path)
    assert open_store("sqlite:///oit.db").run(run)["id"] == run  # relative to the cwd
    assert open_store(str(db)).has_run(run)


def test_a_postgres_url_is_understood_and_its_password_never_shown():
    target = store_target("postgresql://oit:s3cret@127.0.0.1:5433/oit")
    assert target.is_postgres and target.path is None
    assert "s3cret" not in target.shown() and "127.0.0.1:5433/oit" in target.shown()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("mysql://u@h/db", "unsupported database"),
        ("sqlite:///", "no file"),
        ("postgresql://u@h:notaport/db", "bad port"),
        ("postgresql://u@h:5432", "no database name"),
    ],
)
def test_an_unusable_db_value_is_a_usage_error_that_says_why(value, words):
    with pytest.raises(OitError) as raised:
        open_store(value)
    assert raised.value.exit_code == 2 and words in str(raised.value)


def test_reading_a_missing_or_foreign_file_is_refused_not_created(tmp_path):
    with pytest.raises(OitError) as raised:
        open_store(tmp_path / "none.db", create=False)
    assert raised.value.exit_code == 2 and not (tmp_path / "none.db").exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(OitError) as raised:
        open_store(junk)
    assert raised.value.exit_code == 2 and "cannot open database" in str(raised.value)
    with sqlite3.connect(tmp_path / "ok.db"):
        pass
    assert open_store(tmp_path / "ok.db", create=False).is_readable() is None
