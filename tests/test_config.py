"""config.toml and sites.csv: what a nightly job reads; every mistake must name its field."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from oit_checker.config import ConfigError, load_batch_file, load_config

OIT = str(Path(sys.executable).parent / "oit")

GOOD = """
[defaults]
year = 2568
as_of = "30/09/2568"
db = "data/oit.db"
max_pages = 200
max_seconds = 300
concurrency = 2
timeout = 15
ocr = false

[notify]
webhook = "https://hooks.example.org/oit"
on = "always"
smtp_host = "mail.example.go.th"
smtp_port = 587
smtp_user = "oit"
smtp_password_env = "OIT_SMTP_PASSWORD"
smtp_from = "oit@example.go.th"
smtp_to = "webmaster@example.go.th"

[[site]]
url = "https://www.nongbuathong.go.th/"
name = "อบต.หนองบัวทอง"

[[site]]
url = "https://school.example.ac.th/"
max_pages = 50
ocr = true
as_of = 2025-06-30
"""


def _write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_is_read_with_defaults_and_overrides(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    assert config.db == tmp_path / "data" / "oit.db"  # relative to the config file
    first, second = config.sites
    assert first.name == "อบต.หนองบัวทอง" and first.label == "อบต.หนองบัวทอง"
    assert first.settings.max_pages == 200 and first.settings.ocr is False
    assert first.settings.as_of == dt.date(2025, 9, 30)
    assert second.label == "https://school.example.ac.th/"
    assert second.settings.max_pages == 50 and second.settings.ocr is True
    assert second.settings.concurrency == 2 and second.settings.as_of == dt.date(2025, 6, 30)
    options = second.settings.audit_options()
    assert options.crawl.per_host_concurrency == 2 and options.crawl.max_pages == 50
    assert options.crawl.fetch.timeout == 15.0 and options.ocr.enabled
    n = config.notify
    assert n.on == "always" and n.smtp_to == ["webmaster@example.go.th"] and n.email


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("max_pages = 200", 'max_pages = "many"'),
            "[defaults]: max_pages: ต้องเป็นจำนวนเต็ม (expected an integer)",
        ),
        (("max_pages = 200", "max_page = 200"), "[defaults]: unknown key 'max_page'"),
        (("concurrency = 2", "concurrency = 0"), "concurrency: ต้องไม่น้อยกว่า 1 (must be at least 1)"),
        (("ocr = false", 'ocr = "no"'), "ocr: ต้องเป็นค่า true หรือ false (expected true or false)"),
        (('on = "always"', 'on = "sometimes"'), "[notify] on: must be one of regression, always"),
        (
            ("smtp_port = 587", 'smtp_port = "587"'),
            "[notify] smtp_port: ต้องเป็นจำนวนเต็ม (expected an integer)",
        ),
        (("max_pages = 50", 'max_pages = 50\ndb = "x.db"'), "[[site]] #2"),
        (
            ('url = "https://school.example.ac.th/"', 'url = "school.example.ac.th"'),
            "[[site]] #2: url: not a web address",
        ),
        (('url = "https://school.example.ac.th/"', 'name = "x"'), "[[site]] #2: url: missing"),
        (("as_of = 2025-06-30", 'as_of = "31/02/2568"'), "as_of: '31/02/2568' is not a real"),
        (('smtp_to = "webmaster@example.go.th"', ""), "[notify] smtp_to: needed"),
        (("[defaults]", "[default]"), "unknown key 'default'"),
        (("year = 2568", "year = 2568 2569"), "not valid TOML"),
    ],
)
def test_config_errors_name_the_field(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, GOOD.replace(old, new, 1)))
    assert message in str(caught.value)
    assert str(tmp_path / "config.toml") in str(caught.value)


def test_sites_csv_with_header_comments_and_names(tmp_path):
    path = _write(
        tmp_path,
        "url,name\n# ปิดปรับปรุง: https://old.example.go.th/\n\nhttps://a.go.th/,อบต.ก\nhttps://b.go.th/\n",
        "sites.csv",
    )
    config = load_batch_file(path)
    assert [(s.url, s.name) for s in config.sites] == [
        ("https://a.go.th/", "อบต.ก"),
        ("https://b.go.th/", ""),
    ]
    bad = _write(tmp_path, "https://a.go.th/\nwww.b.go.th\n", "bad.csv")
    with pytest.raises(ConfigError, match=r"bad\.csv: line 2: url: not a web address"):
        load_batch_file(bad)
    with pytest.raises(ConfigError, match="no sites to audit"):
        load_batch_file(_write(tmp_path, "url,name\n", "empty.csv"))


def _oit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([OIT, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_cli_rejects_bad_batch_files_before_any_request(tmp_path):
    cases = [
        (GOOD.replace("max_pages = 200", 'max_pages = "many"'), "config.toml", "max_pages"),
        (GOOD.replace("year = 2568", "year = 2550"), "config.toml", "no rule set for fiscal year"),
        (GOOD + '\n[[site]]\nurl = "https://www.nongbuathong.go.th"\n', "config.toml",
         "listed twice"),
        ("https://a.go.th/\n", "sites.txt", "expected a .toml config or a .csv"),
    ]  # fmt: skip
    for text, name, message in cases:
        path = _write(tmp_path, text, name)
        proc = _oit("batch", str(path), cwd=tmp_path)
        assert proc.returncode == 2, (message, proc.stdout, proc.stderr)
        assert message in proc.stderr and "Traceback" not in proc.stderr
    proc = _oit("batch", str(tmp_path / "missing.toml"), cwd=tmp_path)
    assert proc.returncode == 2 and "file not found" in proc.stderr
    bad_notify = _write(tmp_path, '[notify]\non = "never"\n', "notify.toml")
    proc = _oit(
        "check", "http://127.0.0.1:9/", "--notify-config", str(bad_notify), "--db", "x.db",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2 and "[notify] on" in proc.stderr
    assert not (tmp_path / "x.db").exists()  # rejected before the audit started


def test_the_readme_config_example_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### config.toml") :]
    start = section.index("```toml") + len("```toml")
    example = section[start : section.index("```", start)]
    config = load_config(_write(tmp_path, example))
    assert [s.name for s in config.sites] == ["อบต.หนองบัวทอง", ""]
    assert config.sites[1].settings.max_pages == 150 and config.notify.on == "regression"
