"""``config.toml`` for nightly audits: defaults, notification settings and the sites to audit.

A config file is written once by whoever runs the server and then read by cron at 2 a.m., so
every mistake is reported up front, naming the table and the field (``[[site]] #3 (url …):
max_pages: expected an integer, got "many"``), and unknown keys are errors rather than silently
ignored typos. ``oit batch`` also reads a plain CSV of ``url[,name]`` lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from oit_checker.audit import AuditOptions, is_web_address
from oit_checker.crawl import CrawlOptions
from oit_checker.errors import OitError
from oit_checker.extract.documents import OcrOptions
from oit_checker.settings import (
    SETTINGS,
    SettingError,
    check_settings,
    check_type,
    default,
)
from oit_checker.store_target import store_target
from oit_checker.urls import strip_credentials

DEFAULT_DB = "oit.db"
DB_ENV, BROKER_ENV = "OIT_DB", "OIT_BROKER"  # the fleet's store and queue, for every command
NOTIFY_ON = ("regression", "always")
SMTP_SECURITY = ("auto", "ssl", "starttls", "none")


class ConfigError(SettingError):
    """A config file that cannot be used; the message names the file, the table and the field."""


@dataclass
class AuditSettings:
    """What one audit needs besides its URL (settings.SETTINGS says what each field means);
    the CLI options, [defaults] and each [[site]] override fill it."""

    year: int | None = default("year")
    rules: str | None = default("rules")
    as_of: dt.date | None = default("as_of")  # None: the day the audit runs
    max_pages: int = default("max_pages")
    max_seconds: float = default("max_seconds")
    concurrency: int = default("concurrency")
    timeout: float = default("timeout")
    max_file_mb: float = default("max_file_mb")  # larger: cut, and its item uncertain
    ocr: bool = default("ocr")
    ocr_seconds: float = default("ocr_seconds")  # per document: a scan cut by it is uncertain
    render: str = default("render")
    rate: float | None = default("rate")
    contact: str = default("contact")
    revisit_days: float | None = default("revisit_days")  # None: the rules' value
    ignore_robots: bool = default("ignore_robots")
    insecure: bool = default("insecure")
    iit: float | None = default("iit")
    eit1: float | None = default("eit1")
    eit2: float | None = default("eit2")

    def audit_options(self) -> AuditOptions:
        options = AuditOptions(as_of=self.as_of or dt.date.today())
        options.crawl = CrawlOptions(
            max_pages=self.max_pages,
            max_seconds=self.max_seconds,
            per_host_concurrency=self.concurrency,
            respect_robots=not self.ignore_robots,
            render=self.render,
            rate=self.rate,
        )
        options.crawl.fetch.timeout = self.timeout
        options.crawl.fetch.max_file_bytes = int(self.max_file_mb * 2**20)
        options.crawl.fetch.insecure = self.insecure
        options.crawl.fetch.contact = self.contact
        options.ocr = OcrOptions(enabled=self.ocr, max_seconds=self.ocr_seconds)
        options.revisit_days = self.revisit_days
        options.iit, options.eit1, options.eit2 = self.iit, self.eit1, self.eit2
        return options


@dataclass
class NotifySettings:
    webhook: str = ""
    on: str = "regression"  # "regression": only when an item was lost; "always": every run
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password_env: str = ""  # name of the environment variable holding the password
    smtp_from: str = ""
    smtp_to: list[str] = field(default_factory=list)
    smtp_security: str = "auto"  # auto: SSL on port 465, else STARTTLS when the server offers it

    @property
    def email(self) -> bool:
        return bool(self.smtp_host and self.smtp_to)

    @property
    def enabled(self) -> bool:
        return bool(self.webhook) or self.email


@dataclass
class FleetSettings:
    """Where the nightly fleet meets (`oit enqueue`, `oit worker`): the Redis broker and the
    shared store. Empty: taken from OIT_BROKER / OIT_DB, or the command line."""

    broker: str = ""  # redis://host:6379/0
    db: str = ""  # a path, sqlite:///path or postgresql://user@host/db


@dataclass
class SiteEntry:
    url: str
    name: str = ""
    settings: AuditSettings = field(default_factory=AuditSettings)

    @property
    def label(self) -> str:
        return self.name or strip_credentials(self.url)


@dataclass
class Config:
    path: Path | None = None
    db: Path = Path(DEFAULT_DB)
    defaults: AuditSettings = field(default_factory=AuditSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    fleet: FleetSettings = field(default_factory=FleetSettings)
    sites: list[SiteEntry] = field(default_factory=list)


# ---- field checking -------------------------------------------------------------------------------


def _kind(value: Any, want: type, where: str) -> Any:
    try:
        return check_type(value, want, where)
    except SettingError as exc:
        raise ConfigError(str(exc)) from None


def _positive(value: float, where: str) -> None:
    if value <= 0:
        raise ConfigError(f"{where}: must be greater than 0, got {value!r}")


def _choice(value: Any, choices: tuple[str, ...], where: str) -> str:
    value = _kind(value, str, where)
    if value not in choices:
        raise ConfigError(f"{where}: must be one of {', '.join(choices)}; got {value!r}")
    return value


def _unknown(table: dict, known: set[str], where: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r} (known: {', '.join(sorted(known))})")


AUDIT_KEYS = set(SETTINGS)


def _settings(table: dict, base: AuditSettings, where: str) -> AuditSettings:
    """``base`` with the audit fields of ``table`` applied, each checked by its setting."""
    audit = {key: value for key, value in table.items() if key in SETTINGS}
    try:
        values = check_settings(audit, lambda s: f"{where}: {s.name}" if where else s.name)
    except SettingError as exc:
        raise ConfigError(str(exc)) from None
    return replace(base, **values)


def check_url(url: Any, where: str) -> str:
    url = _kind(url, str, where).strip()
    if not is_web_address(url):
        raise ConfigError(f"{where}: not a web address: {url!r} (expected http://… or https://…)")
    return url


def _notify(table: Any, where: str) -> NotifySettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table [notify]")
    _unknown(table, {f.name for f in fields(NotifySettings)}, where)
    notify = NotifySettings()
    for key, value in table.items():
        at = f"{where} {key}"
        if key == "on":
            notify.on = _choice(value, NOTIFY_ON, at)
        elif key == "smtp_security":
            notify.smtp_security = _choice(value, SMTP_SECURITY, at)
        elif key == "smtp_port":
            notify.smtp_port = _kind(value, int, at)
            _positive(notify.smtp_port, at)
        elif key == "smtp_to":
            addresses = [value] if isinstance(value, str) else value
            if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
                raise ConfigError(f"{at}: expected an address or a list of addresses")
            notify.smtp_to = [a.strip() for a in addresses if a.strip()]
        elif key == "webhook":
            notify.webhook = check_url(value, at)
        else:
            setattr(notify, key, _kind(value, str, at))
    if notify.smtp_host and not notify.smtp_to:
        raise ConfigError(f"{where} smtp_to: needed when smtp_host is set (who gets the e-mail)")
    if notify.smtp_to and not notify.smtp_host:
        raise ConfigError(f"{where} smtp_host: needed when smtp_to is set")
    return notify


def _fleet(table: Any, path: Path | None, where: str) -> FleetSettings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    _unknown(table, {f.name for f in fields(FleetSettings)}, where)
    fleet = FleetSettings(**{k: _kind(v, str, f"{where}: {k}").strip() for k, v in table.items()})
    if fleet.db:
        try:
            target = store_target(fleet.db)
        except OitError as exc:
            raise ConfigError(f"{where}: db: {exc}") from None
        if target.path is not None and not target.path.is_absolute() and path is not None:
            fleet.db = str(path.parent / target.path.expanduser())  # as [defaults] db
    return fleet


def first_given(*values: str | None) -> str:
    """The first value that is not empty (an option, then the environment, then a file)."""
    return next((v.strip() for v in values if v and v.strip()), "")


def database(option: str | None, config: Config | None = None) -> str:
    """The store a command uses: ``--db``, else $OIT_DB, else the config's [fleet] db, else its
    [defaults] db, else ./oit.db. A value is a file path or a postgresql:// URL."""
    fleet = config.fleet.db if config else ""
    return first_given(option, os.environ.get(DB_ENV), fleet) or str(config.db if config else DEFAULT_DB)


def broker(option: str | None, config: Config | None = None) -> str:
    """The queue's broker URL: ``--broker``, else $OIT_BROKER, else the config's [fleet]
    broker; "" when none is given."""
    return first_given(option, os.environ.get(BROKER_ENV), config.fleet.broker if config else "")


def parse_config(data: dict, path: Path | None = None) -> Config:
    """Check and build a Config from parsed TOML; ``path`` anchors a relative ``db``."""
    name = str(path) if path else "config"
    _unknown(data, {"defaults", "notify", "site", "fleet"}, name)
    config = Config(path=path)
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise ConfigError(f"{name}: [defaults]: expected a table")
    _unknown(defaults, AUDIT_KEYS | {"db"}, f"{name}: [defaults]")
    config.defaults = _settings(defaults, AuditSettings(), f"{name}: [defaults]")
    if "db" in defaults:
        db = Path(_kind(defaults["db"], str, f"{name}: [defaults]: db")).expanduser()
        config.db = db if db.is_absolute() or path is None else path.parent / db
    if "notify" in data:
        config.notify = _notify(data["notify"], f"{name}: [notify]")
    if "fleet" in data:
        config.fleet = _fleet(data["fleet"], path, f"{name}: [fleet]")
    sites = data.get("site", [])
    if not isinstance(sites, list):
        raise ConfigError(f"{name}: site: write each site as a [[site]] table")
    for n, table in enumerate(sites, start=1):
        where = f"{name}: [[site]] #{n}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table")
        if "url" not in table:
            raise ConfigError(f'{where}: url: missing (every [[site]] needs url = "https://…")')
        url = check_url(table["url"], f"{where}: url")
        where = f"{where} ({url})"
        if "db" in table:
            raise ConfigError(f"{where}: db: set it in [defaults]; a batch keeps one database")
        _unknown(table, AUDIT_KEYS | {"url", "name"}, where)
        site_name = _kind(table.get("name", ""), str, f"{where}: name")
        overrides = {k: v for k, v in table.items() if k not in ("url", "name")}
        config.sites.append(SiteEntry(url, site_name, _settings(overrides, config.defaults, where)))
    return config


def load_config(path: Path) -> Config:
    """A config.toml, checked; ConfigError names what is wrong."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, Path(path))


def load_sites_csv(path: Path, defaults: AuditSettings | None = None) -> Config:
    """``url[,name]`` per line; a header line ``url,name``, blank lines and ``#`` lines skipped."""
    defaults = defaults or AuditSettings()
    config = Config(path=Path(path), defaults=defaults)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:  # a cell over csv's 128 KiB limit, a NUL byte
        raise ConfigError(f"{path}: อ่านไม่ได้ (unreadable CSV: {exc})") from None
    for line_no, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        if line_no == 1 and cells[0].lower() == "url":
            continue
        if len(cells) > 2:
            raise ConfigError(
                f"{path}: line {line_no}: expected url[,name], got {len(cells)} columns"
            )
        url = check_url(cells[0], f"{path}: line {line_no}: url")
        config.sites.append(SiteEntry(url, cells[1] if len(cells) > 1 else "", replace(defaults)))
    return config


def load_batch_file(path: Path) -> Config:
    """A sites list for ``oit batch``: config.toml or sites.csv, told apart by the extension."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        config = load_sites_csv(path)
    elif suffix == ".toml":
        config = load_config(path)
    else:
        raise ConfigError(f"{path}: expected a .toml config or a .csv list of sites")
    if not config.sites:
        raise ConfigError(f"{path}: no sites to audit (add [[site]] tables or url lines)")
    return config
