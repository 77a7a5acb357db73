"""Every audit setting once: name, type, default, allowed range or choices, and help text.

A setting reaches an audit by two roads: a CLI option of ``oit check`` (``--max-pages``) and a
key of config.toml's ``[defaults]`` or ``[[site]]`` (``max_pages``). Both take their default and
their checks from ``SETTINGS``, as do the objects passed down (``AuditSettings``,
``AuditOptions``, ``CrawlOptions``, ``FetchOptions``, ``OcrOptions``), so a default is written
once and a value the CLI refuses is refused in config.toml too, with the same words. Datasette's
SETTINGS table is the model. This module imports nothing of the data path: they import it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oit_checker.dates import parse_as_of, parse_fiscal_year
from oit_checker.errors import OitError

RENDER_MODES = ("never", "auto", "always")
# What a value must be, in Thai and English, per type of setting.
KIND_NAMES: dict[type, tuple[str, str]] = {
    int: ("จำนวนเต็ม", "an integer"),
    float: ("ตัวเลข", "a number"),
    bool: ("ค่า true หรือ false", "true or false"),
    str: ("ข้อความ", "a string"),
    dt.date: ("วันที่", "a date"),
}


class SettingError(OitError, ValueError):
    """A setting's value that cannot be used; the message names the option or key."""


@dataclass(frozen=True)
class Setting:
    name: str  # config.toml key; the CLI option is --name with "-" for "_"
    kind: type  # int, float, bool, str or datetime.date
    default: Any  # None: not set (each such setting says what then applies)
    help: str
    at_least: float | None = None  # inclusive lower bound
    above: float | None = None  # exclusive lower bound
    at_most: float | None = None  # inclusive upper bound
    choices: tuple[str, ...] = ()
    # Text that must match fully, and what that means (Thai, English) for the message.
    pattern: tuple[str, str, str] | None = None
    # Reads the value as people write it (a year as ๒๕๖๙ or 69) before the type is checked;
    # a ValueError's message is shown under the option's name.
    parse: Callable[[Any], Any] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value: Any, where: str) -> Any:
        """``value`` converted to the setting's type and checked; a SettingError names ``where``."""
        if value is None and self.default is None:
            return None
        if self.parse is not None and not isinstance(value, bool):
            try:
                value = self.parse(value)
            except ValueError as exc:
                raise SettingError(f"{where}: {exc}") from None
        value = check_type(value, self.kind, where)
        if self.kind in (int, float):
            _in_range(self, value, where)
        if self.pattern and not re.fullmatch(self.pattern[0], value):
            thai, english = self.pattern[1:]
            raise SettingError(f"{where}: {thai} ({english}), got {value!r}")
        if self.choices and value not in self.choices:
            allowed = ", ".join(self.choices)
            raise SettingError(
                f"{where}: ต้องเป็นหนึ่งใน {allowed} (must be one of {allowed}), got {value!r}"
            )
        return value


def check_type(value: Any, kind: type, where: str) -> Any:
    """TOML types, strictly: a bool is not an int, an int is a float, a date may be text."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is dt.date:
        return _date(value, where)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    thai, english = KIND_NAMES[kind]
    raise SettingError(f"{where}: ต้องเป็น{thai} (expected {english}), got {value!r}")


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        thai, english = KIND_NAMES[dt.date]
        raise SettingError(f"{where}: ต้องเป็น{thai} (expected {english}), got {value!r}")
    try:
        return parse_as_of(value)
    except ValueError as exc:
        raise SettingError(f"{where}: {exc}") from None


def _in_range(setting: Setting, value: float, where: str) -> None:
    if not math.isfinite(value):
        raise SettingError(f"{where}: ต้องเป็นตัวเลขที่มีค่าจำกัด (must be a finite number), got {value!r}")
    if setting.at_least is not None and value < setting.at_least:
        bound = _number(setting.at_least)
        raise SettingError(
            f"{where}: ต้องไม่น้อยกว่า {bound} (must be at least {bound}), got {value!r}"
        )
    if setting.above is not None and value <= setting.above:
        bound = _number(setting.above)
        raise SettingError(
            f"{where}: ต้องมากกว่า {bound} (must be greater than {bound}), got {value!r}"
        )
    if setting.at_most is not None and value > setting.at_most:
        bound = _number(setting.at_most)
        raise SettingError(f"{where}: ต้องไม่เกิน {bound} (must be at most {bound}), got {value!r}")


def _number(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "year",
            int,
            None,
            "Fiscal year (พ.ศ.: 2569, ๒๕๖๙ or 69); default: the fiscal year of --as-of (or"
            " today) when a rule set exists for it, else the newest shipped one",
            parse=parse_fiscal_year,
        ),
        Setting("rules", str, None, "A rule file to use instead of the shipped year"),
        Setting("as_of", dt.date, None, "Audit date (default today): 2025-06-30 or 30/06/2568"),
        Setting("max_pages", int, 400, "Most resources to fetch", at_least=1),
        Setting("max_seconds", float, 600.0, "Crawl time budget, seconds", above=0),
        Setting("concurrency", int, 4, "Requests in flight per host", at_least=1),
        Setting("timeout", float, 20.0, "Per-request timeout, seconds", above=0),
        Setting(
            "max_file_mb",
            float,
            25.0,
            "Largest page or document read, MB; a bigger one makes its item uncertain",
            above=0,
        ),
        Setting("ocr", bool, True, "OCR scanned documents"),
        Setting(
            "ocr_seconds",
            float,
            60.0,
            "OCR time per document, seconds; a scan cut by it makes its item uncertain",
            above=0,
        ),
        Setting(
            "render",
            str,
            "auto",
            "JavaScript rendering: auto (app-shell pages only), never or always",
            choices=RENDER_MODES,
        ),
        Setting("rate", float, None, "Most requests per second to the site (politeness)", above=0),
        Setting(
            "contact",
            str,
            "",
            "A URL or e-mail added to the User-Agent, for the site's admins",
            # An HTTP header carries ASCII only: a Thai name would stop every request.
            pattern=(
                r"[\x20-\x7e]*",
                "ใช้ได้เฉพาะอักขระ ASCII เช่น URL หรืออีเมล",
                "ASCII only: a URL or an e-mail address",
            ),
        ),
        Setting(
            "revisit_days",
            float,
            None,
            "Re-audits: days before a URL that bears on no verdict is asked again"
            " (default: the rules' crawl revisit_days, 7; 0: ask for every URL and judge again)",
            at_least=0,
        ),
        Setting("ignore_robots", bool, False, "Do not honour robots.txt"),
        Setting("insecure", bool, False, "Accept invalid TLS certificates"),
        Setting("iit", float, None, "IIT score, to compute the ITA total", at_least=0, at_most=100),
        Setting("eit1", float, None, "EIT part 1 score", at_least=0, at_most=100),
        Setting("eit2", float, None, "EIT part 2 score", at_least=0, at_most=100),
    )
}


def default(name: str) -> Any:
    """The default of a setting, for the dataclasses that carry it down the data path."""
    return SETTINGS[name].default


def check_settings(values: dict[str, Any], where: Callable[[Setting], str]) -> dict[str, Any]:
    """Each of ``values`` checked by its setting; ``where`` names it in a message (flag or key)."""
    return {
        name: SETTINGS[name].check(value, where(SETTINGS[name])) for name, value in values.items()
    }
