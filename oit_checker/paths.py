"""Where the shipped data lives: the rule files and the demo site.

In a checkout (and an editable install) they are ``rules/`` and ``fixtures/demo/`` beside the
package; a built wheel carries copies inside the package (``oit_checker/_data/``, written by
setup.py's build step), so ``pip install .`` or ``pipx install`` of the wheel works from any
folder. The copy in the package wins when it exists: an installed tool must not pick up some
other ``rules/`` folder that happens to sit beside site-packages.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
PACKAGED = PACKAGE / "_data"


def shipped(name: str, in_checkout: str) -> Path:
    """``_data/<name>`` of an installed wheel, else ``<checkout>/<in_checkout>``."""
    packaged = PACKAGED / name
    return packaged if packaged.is_dir() else CHECKOUT / in_checkout


RULES_DIR = shipped("rules", "rules")
DEMO_DIR = shipped("demo", "fixtures/demo")
# The accuracy suite's sites: every fixture in a checkout, only the demo in a wheel.
FIXTURES_DIR = CHECKOUT / "fixtures" if (CHECKOUT / "fixtures").is_dir() else DEMO_DIR
